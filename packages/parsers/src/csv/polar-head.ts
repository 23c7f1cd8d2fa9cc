/**
 * The shape of a Polar Flow per-session CSV (formats.md §6): a summary header that starts
 * `Name,Sport,Date,Start time`, its row of values, then a sample header that starts `Sample rate`.
 * Shared by the polar-csv parser (to claim it) and the generic parser (to leave it alone).
 */
import type { CsvRow } from './tokenizer.js';

const SUMMARY_START = ['name', 'sport', 'date', 'start time'];

export function isPolarFlowHead(rows: readonly CsvRow[]): boolean {
  const first = rows[0]?.cells.map((c) => c.trim().toLowerCase()) ?? [];
  if (!SUMMARY_START.every((name, i) => first[i] === name)) return false;
  const third = rows[2];
  return third === undefined || third.cells[0]?.trim().toLowerCase() === 'sample rate';
}
