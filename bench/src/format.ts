import { MB } from './stats.js';

/** Milliseconds with three significant digits: 0.0412, 3.21, 48.7, 1,234. */
export function formatMs(ms: number | undefined): string {
  if (ms === undefined || !Number.isFinite(ms)) return '—';
  if (ms >= 1000) return Math.round(ms).toLocaleString('en-US');
  return ms.toPrecision(3);
}

export function formatMegabytes(bytes: number | undefined, digits = 1): string {
  if (bytes === undefined || !Number.isFinite(bytes)) return '—';
  return (bytes / MB).toFixed(bytes / MB < 1 ? Math.max(digits, 2) : digits);
}

/** Throughput in decimal MB per second. */
export function formatMbPerSecond(bytes: number, ms: number | undefined): string {
  if (ms === undefined || !(ms > 0)) return '—';
  const value = bytes / MB / (ms / 1000);
  return value >= 100 ? Math.round(value).toLocaleString('en-US') : value.toPrecision(3);
}

/** Records per second as 12.3 k or 4.56 M. */
export function formatRate(count: number | undefined, ms: number | undefined): string {
  if (count === undefined || ms === undefined || !(ms > 0)) return '—';
  const perSecond = count / (ms / 1000);
  if (perSecond >= 1e6) return `${(perSecond / 1e6).toPrecision(3)} M`;
  if (perSecond >= 1e3) return `${(perSecond / 1e3).toPrecision(3)} k`;
  return perSecond.toPrecision(3);
}

export function formatCount(n: number | undefined): string {
  return n === undefined ? '—' : n.toLocaleString('en-US');
}

export function formatFactor(factor: number | undefined): string {
  if (factor === undefined || !Number.isFinite(factor)) return '—';
  return `${factor >= 10 ? factor.toFixed(0) : factor.toFixed(2)}×`;
}

/** A markdown table; cells are escaped for pipes. */
export function markdownTable(header: readonly string[], rows: readonly (readonly string[])[], align?: readonly ('l' | 'r')[]): string {
  const esc = (cell: string): string => cell.replace(/\|/g, '\\|');
  const rule = header.map((_, i) => (align?.[i] === 'r' ? '---:' : '---'));
  return [header, rule, ...rows].map((row) => `| ${row.map(esc).join(' | ')} |`).join('\n');
}
