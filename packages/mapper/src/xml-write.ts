/**
 * Writing request XML: escaping, number formatting and the request envelope.
 * Everything here returns strings; bodies are measured in UTF-8 bytes by `utf8Length`.
 */

export const XML_DECLARATION = '<?xml version="1.0" encoding="utf-8"?>';

/**
 * Characters XML 1.0 forbids (C0 controls except tab, LF, CR; U+FFFE, U+FFFF) and lone
 * surrogates. A paired surrogate (an emoji) is kept.
 */
// eslint-disable-next-line no-control-regex -- finding these control characters is the point
const FORBIDDEN = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
const SPECIAL = /[&<>"'\r]/g;
const ENTITIES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;', '\r': '&#13;' };

/** The text without the characters XML 1.0 cannot carry. */
export function removeForbiddenCharacters(text: string): string {
  return text.replace(FORBIDDEN, '');
}

/** Whether the text holds characters XML 1.0 cannot carry. */
export function hasForbiddenCharacters(text: string): boolean {
  FORBIDDEN.lastIndex = 0;
  const found = FORBIDDEN.test(text);
  FORBIDDEN.lastIndex = 0;
  return found;
}

/**
 * Text content or attribute value: forbidden characters removed, `& < > " '` as entities and
 * CR as `&#13;` (a parser would otherwise turn CRLF into LF). Everything else is kept as is
 * (UTF-8 in the body), emoji included.
 */
export function escapeXml(text: string): string {
  return removeForbiddenCharacters(text).replace(SPECIAL, (c) => ENTITIES[c] as string);
}

const POW10: readonly number[] = [1, 10, 100, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10];
const ZEROS: readonly string[] = ['', '0', '00', '000', '0000', '00000', '000000', '0000000', '00000000', '000000000', '0000000000'];

/**
 * A number as the contract wants it: rounded to `decimals`, no exponent, no trailing zeros,
 * no negative zero. Undefined for NaN and ±Infinity (an unknown value is left out).
 */
export function formatNumber(value: number, decimals: number): string | undefined {
  if (!Number.isFinite(value)) return undefined;
  const abs = Math.abs(value);
  const scale = POW10[decimals];
  if (scale !== undefined && abs * scale < 9e15) {
    // Integer arithmetic on the scaled value: exact below 2^53, and faster than toFixed or String(float).
    const scaled = Math.round(abs * scale);
    if (scaled === 0) return '0';
    const sign = value < 0 ? '-' : '';
    const whole = Math.floor(scaled / scale);
    let fraction = scaled - whole * scale;
    if (fraction === 0) return `${sign}${whole}`;
    let digits = decimals;
    while (fraction % 10 === 0) {
      fraction /= 10;
      digits--;
    }
    const text = String(fraction);
    return `${sign}${whole}.${ZEROS[digits - text.length] as string}${text}`;
  }
  if (abs >= 1e21) {
    // toFixed switches to exponent notation here; doubles this large are integers anyway.
    return BigInt(Math.round(value)).toString();
  }
  let text = value.toFixed(decimals);
  if (decimals > 0 && text.includes('.')) {
    let end = text.length;
    while (text.charCodeAt(end - 1) === 48 /* 0 */) end--;
    if (text.charCodeAt(end - 1) === 46 /* . */) end--;
    text = text.slice(0, end);
  }
  return text === '-0' ? '0' : text;
}

/** `<name>escaped text</name>`, or '' when the text is undefined. */
export function textElement(name: string, text: string | undefined): string {
  return text === undefined ? '' : `<${name}>${escapeXml(text)}</${name}>`;
}

/** `<name>formatted</name>`, or '' when the value is unknown. */
export function numberElement(name: string, value: number | undefined, decimals: number): string {
  if (value === undefined) return '';
  const text = formatNumber(value, decimals);
  return text === undefined ? '' : `<${name}>${text}</${name}>`;
}

/** `<name>1</name>` or `<name>0</name>`, or '' when undefined. */
export function booleanElement(name: string, value: boolean | undefined): string {
  return value === undefined ? '' : `<${name}>${value ? 1 : 0}</${name}>`;
}

/** The whole request body: declaration, `<request method="…">`, the arguments. */
export function requestXml(method: string, inner: string): string {
  return `${XML_DECLARATION}<request method="${escapeXml(method)}">${inner}</request>`;
}

/** Bytes the string takes in UTF-8, without encoding it. */
export function utf8Length(text: string): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) bytes += 1;
    else if (c < 0x800) bytes += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        bytes += 4;
        i++;
      } else bytes += 3;
    } else bytes += 3;
  }
  return bytes;
}
