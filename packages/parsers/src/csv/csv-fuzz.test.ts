/**
 * Mutation fuzzing of the two CSV parsers in the style of test/fuzz.test.ts: bit flips,
 * interesting bytes (CSV punctuation this time), truncation, chunk deletion and duplication, and
 * splices of two seeds, from a fixed PRNG seed so a failure reproduces. Every parse ends in
 * workouts or a ParseError that is not internal, and none is slow; `detect` never throws.
 */
import { statSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { buildCsvBytes, buildCsvSummaryBytes, buildPolarCsvBytes, buildStravaActivitiesCsv, mulberry32 } from '@optimo-import/fixtures';
import { validateWorkout } from '@optimo-import/workout';
import { corpusFiles, readBytes } from '../../test/corpus.js';
import { isParseError } from '../errors.js';
import type { FormatParser } from '../types.js';
import { DEFAULT_LIMITS } from '../types.js';
import { sha256Hex } from '../registry.js';
import { csvParser } from './generic-csv.js';
import { polarCsvParser } from './polar-csv.js';
import { utf8 } from './test-helpers.js';

const ITERATIONS_PER_PARSER = 2500;
const RNG_SEED = 0x0c5f_11;
/** A parse slower than this on a seed of a few KB is a hang in the making. */
const SLOW_MS = 1000;

/** `,` `;` `"` LF CR TAB `:` `.` `-` `0` `9` NUL 0xFF 0xFE. */
const INTERESTING = [0x2c, 0x3b, 0x22, 0x0a, 0x0d, 0x09, 0x3a, 0x2e, 0x2d, 0x30, 0x39, 0x00, 0xff, 0xfe];

function mutate(input: Uint8Array, other: Uint8Array, rand: () => number): Uint8Array {
  const int = (n: number): number => Math.floor(rand() * n);
  let out = input.slice();
  for (let k = 0, ops = 1 + int(4); k < ops; k++) {
    const n = out.length;
    if (n === 0) break;
    switch (int(6)) {
      case 0:
        for (let i = 0, m = 1 + int(8); i < m; i++) out[int(n)]! ^= 1 << int(8);
        break;
      case 1:
        out[int(n)] = INTERESTING[int(INTERESTING.length)]!;
        break;
      case 2:
        out = out.slice(0, int(n));
        break;
      case 3: {
        const at = int(n);
        const len = 1 + int(Math.min(64, n - at));
        out = Uint8Array.from([...out.subarray(0, at), ...out.subarray(at + len)]);
        break;
      }
      case 4: {
        const at = int(n);
        const len = 1 + int(Math.min(64, n - at));
        out = Uint8Array.from([...out.subarray(0, at + len), ...out.subarray(at, at + len), ...out.subarray(at + len)]);
        break;
      }
      default: {
        const cut = int(n);
        out = Uint8Array.from([...out.subarray(0, cut), ...other.subarray(int(other.length))]);
      }
    }
  }
  return out;
}

/** Small corpus files, and the first 4 KB of the large ones (cut at a line end). */
function corpusSeeds(folder: string): Uint8Array[] {
  return corpusFiles(folder).map((f) => {
    const bytes = readBytes(f);
    if (statSync(f).size <= 12_000) return bytes;
    const cut = bytes.subarray(0, 4096);
    return cut.subarray(0, cut.lastIndexOf(0x0a) + 1);
  });
}

const SEEDS: Record<'csv' | 'polar-csv', Uint8Array[]> = {
  csv: [
    buildCsvBytes({ durationSeconds: 20, time: 'iso', channels: ['heartRate', 'speed', 'distance', 'position'] }),
    buildCsvBytes({ durationSeconds: 20, language: 'de', delimiter: ';', decimal: ',', encoding: 'windows-1252', time: 'local' }),
    buildCsvBytes({ durationSeconds: 20, language: 'fr', time: 'elapsed', preamble: true, encoding: 'utf-16le' }),
    buildCsvBytes({ durationSeconds: 20, time: 'date-time', delimiter: '\t', quoteAll: true }),
    buildCsvSummaryBytes({ rows: [{ startTime: '2024-05-21T07:00:00Z', durationSeconds: 600, distanceMeters: 2000, sport: 'Run', name: 'a, b' }], thousands: true }),
    utf8(buildStravaActivitiesCsv([{ startTime: '2024-05-21T07:00:00Z', durationSeconds: 600, distanceMeters: 2000 }])),
    ...corpusSeeds('csv'),
  ],
  'polar-csv': [
    buildPolarCsvBytes({ durationSeconds: 20 }),
    buildPolarCsvBytes({ durationSeconds: 20, power: true, dateFormat: 'DD.MM.YYYY', notes: 'x, "y"' }),
    ...corpusSeeds('polar-csv'),
  ],
};

describe('fuzz: mutated CSVs never crash a CSV parser', () => {
  it.each([
    ['csv', csvParser],
    ['polar-csv', polarCsvParser],
  ] as const)('%s', (format, parser: FormatParser) => {
    const seeds = SEEDS[format];
    const rand = mulberry32(RNG_SEED ^ format.length);
    const crashes: string[] = [];
    let slowest = 0;
    let parsed = 0;
    for (let i = 0; i < ITERATIONS_PER_PARSER; i++) {
      const input = mutate(seeds[i % seeds.length]!, seeds[Math.floor(rand() * seeds.length)]!, rand);
      const started = performance.now();
      try {
        parser.detect(input);
        const workouts = parser.parse(input, { fileName: `fuzz-${i}`, sha256: sha256Hex(input), limits: DEFAULT_LIMITS, timeZone: 'Europe/Berlin' });
        for (const w of workouts) {
          const problems = validateWorkout(w);
          if (problems.length > 0) crashes.push(`invalid workout from ${Buffer.from(input).toString('base64')}: ${problems.join('; ')}`);
        }
        parsed++;
      } catch (error) {
        if (!isParseError(error) || error.internal) crashes.push(`${Buffer.from(input).toString('base64')}: ${String((error as Error).stack ?? error)}`);
      }
      slowest = Math.max(slowest, performance.now() - started);
    }
    console.log(`fuzz ${format}: ${ITERATIONS_PER_PARSER} executions, ${parsed} parsed, ${crashes.length} crashes, slowest ${slowest.toFixed(1)} ms`);
    expect(crashes.slice(0, 3)).toEqual([]);
    expect(slowest).toBeLessThan(SLOW_MS);
  });
});
