import type { Contender } from './contender.js';

/**
 * No npm package reads Polar HRM files, so the comparison is a floor written here: the least any
 * HRM reader does. Decode the Latin-1 text, split it into lines, and turn every line of the
 * `[HRData]` section into an array of numbers. No header, SMode, units, laps, time base or model:
 * what is left when everything that makes it an import is taken away. Not part of the aim.
 */
export const lineScanContender: Contender = {
  id: 'line-scan',
  label: 'plain line scan (reference)',
  role: 'reference',
  formats: ['hrm'],
  recordsMeaning: 'non-empty lines of the `[HRData]` section',
  load() {
    const decoder = new TextDecoder('latin1');
    return Promise.resolve({
      parse: (input) => scanHrData(decoder.decode(input.bytes)),
      inspect: (result) => ({ records: (result as number[][]).length }),
    });
  },
};

/** The `[HRData]` rows of an HRM text as numbers (whitespace-separated columns). */
export function scanHrData(text: string): number[][] {
  const rows: number[][] = [];
  let inData = false;
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line.startsWith('[')) {
      inData = line === '[HRData]';
      continue;
    }
    if (!inData || line === '') continue;
    rows.push(line.split(/\s+/).map(Number));
  }
  return rows;
}
