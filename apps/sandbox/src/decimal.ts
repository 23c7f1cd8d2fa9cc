/**
 * Numbers as the contract writes them (optimo-api.md 2.5): decimal, never with an exponent.
 * Parsing is by pattern first (no `Number()` leniency: no exponents, no `+`, no hex, no spaces).
 */

const DECIMAL = /^(-?)(\d+)(?:\.(\d+))?$/;

export interface DecimalText {
  value: number;
  negative: boolean;
  /** Digits after the point as written (trailing zeros included). */
  fractionDigits: number;
}

/** Reads `12`, `-9.1393`, `0.5`; undefined for anything else (`1e3`, `.5`, `5.`, `+1`, `0x10`). */
export function parseDecimal(text: string): DecimalText | undefined {
  const match = DECIMAL.exec(text);
  if (match === null) return undefined;
  const value = Number(text);
  if (!Number.isFinite(value)) return undefined;
  return { value, negative: match[1] === '-', fractionDigits: match[3]?.length ?? 0 };
}

/** Writes a finite number in plain decimal notation: 1e-7 → `0.0000001`, 1.5e21 → `1500000000000000000000`. */
export function formatDecimal(value: number): string {
  if (Object.is(value, -0)) return '0';
  const text = String(value);
  const e = text.indexOf('e');
  if (e === -1) return text;
  const exponent = Number(text.slice(e + 1));
  let mantissa = text.slice(0, e);
  const negative = mantissa.startsWith('-');
  if (negative) mantissa = mantissa.slice(1);
  const point = mantissa.indexOf('.');
  const digits = mantissa.replace('.', '');
  const pointAt = (point === -1 ? mantissa.length : point) + exponent;
  let plain: string;
  if (pointAt <= 0) plain = `0.${'0'.repeat(-pointAt)}${digits}`;
  else if (pointAt >= digits.length) plain = digits + '0'.repeat(pointAt - digits.length);
  else plain = `${digits.slice(0, pointAt)}.${digits.slice(pointAt)}`;
  return negative ? `-${plain}` : plain;
}
