import { statSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { buildGpxBytes, buildHrmBytes, buildPddBytes, mulberry32 } from '@optimo-import/fixtures';
import type { HrmBuildOptions } from '@optimo-import/fixtures';
import { validateWorkout } from '@optimo-import/workout';
import type { Workout } from '@optimo-import/workout';
import { corpusFiles, readBytes } from '../../test/corpus.js';
import { fuzzSeeds } from '../../test/fuzz-seeds.js';
import { isParseError } from '../errors.js';
import { gpxParser } from '../gpx.js';
import { sha256Hex } from '../registry.js';
import { DEFAULT_LIMITS } from '../types.js';
import { mergeHrmWithGpx } from './companions.js';
import { readPdd } from './pdd.js';
import { isPolarHrm, polarHrmParser } from './polar-hrm.js';

/**
 * Mutation fuzzing of the HRM parser, the .pdd reader and the GPX merge, from a fixed PRNG seed
 * so a failure reproduces. Byte mutations like the registry's fuzzer (test/fuzz.test.ts: bit
 * flips, interesting bytes, truncation, chunk deletion and duplication, splices) plus line
 * mutations that reach deeper into a text format (lines dropped, repeated, swapped, numbers
 * replaced by extremes, section headers moved). Every parse ends in a valid workout or a
 * ParseError that is not `internal`; no input may take long.
 */
const ITERATIONS = 3000;
const PDD_ITERATIONS = 1000;
const MERGE_ITERATIONS = 300;
const SLOW_MS = 500;

const FIXTURES: HrmBuildOptions[] = [
  { durationSeconds: 60, laps: 2, note: 'Übung' },
  { version: 107, units: 'us', channels: { speed: true, cadence: true, altitude: true, power: true, balance: true, pedallingIndex: true, cycling: true, airPressure: true }, durationSeconds: 40, laps: 3, lapNotes: { 2: 'Café' } },
  { version: 102, channels: { cycling: true, altitude: true }, durationSeconds: 40, laps: [10, 30] },
  { version: 105, units: 'us', channels: { cycling: true, cadence: true }, durationSeconds: 40, laps: 1 },
  { rr: true, durationSeconds: 20, startDelayMs: 300, channels: { speed: true } },
  { durationSeconds: 30, intervalSeconds: 1, garbageLines: ['END', '\u001a'], lineEnding: '\n' },
  { durationSeconds: 120, intervalSeconds: 15, channels: { altitude: true }, laps: 4, autoLaps: true, zeroPad: false },
];

function seeds(): Uint8Array[] {
  const small = corpusFiles('hrm').filter((f) => f.endsWith('.hrm') && statSync(f).size <= 16_000).map(readBytes);
  return [...FIXTURES.map((o) => buildHrmBytes(o)), ...small];
}

const INTERESTING = [0x00, 0xff, 0x7f, 0x80, 0x5b, 0x5d, 0x3d, 0x3a, 0x2e, 0x09, 0x0a, 0x0d, 0x30, 0x31, 0x39, 0x2d];
const EXTREMES = ['0', '-1', '99999999999', '4294967296', '', 'x', '1e9', '238', '204', '9999:59:59.9', '00:00:00.0', '0.5'];

function mutate(input: Uint8Array, other: Uint8Array, rand: () => number): Uint8Array {
  const int = (n: number): number => Math.floor(rand() * n);
  let out: Uint8Array = input.slice();
  for (let k = 0, ops = 1 + int(4); k < ops && out.length > 0; k++) {
    const n = out.length;
    const op = int(11);
    if (op === 0) for (let i = 0, m = 1 + int(8); i < m; i++) out[int(n)]! ^= 1 << int(8);
    else if (op === 1) out[int(n)] = INTERESTING[int(INTERESTING.length)]!;
    else if (op === 2) out = out.slice(0, int(n));
    else if (op === 3) {
      const at = int(n);
      out = Uint8Array.from([...out.subarray(0, at), ...out.subarray(at + 1 + int(Math.min(64, n - at)))]);
    } else if (op === 4) {
      const at = int(n);
      const len = 1 + int(Math.min(64, n - at));
      out = Uint8Array.from([...out.subarray(0, at + len), ...out.subarray(at, at + len), ...out.subarray(at + len)]);
    } else if (op === 5) {
      out = Uint8Array.from([...out.subarray(0, int(n)), ...other.subarray(int(other.length))]);
    } else out = mutateLines(out, op, int);
  }
  return out;
}

/** Line-level mutations of a text file. */
function mutateLines(bytes: Uint8Array, op: number, int: (n: number) => number): Uint8Array {
  const lines = Array.from(bytes, (b) => String.fromCharCode(b)).join('').split('\n');
  const i = int(lines.length);
  const j = int(lines.length);
  if (op === 6) lines.splice(i, 1 + int(3));
  else if (op === 7) lines.splice(i, 0, ...lines.slice(j, j + 1 + int(20)));
  else if (op === 8) [lines[i], lines[j]] = [lines[j] as string, lines[i] as string];
  else if (op === 9) lines[i] = (lines[i] ?? '').replace(/[\d:.]+/, EXTREMES[int(EXTREMES.length)] as string);
  else lines.splice(i, 0, ['[HRData]', '[IntTimes]', '[Params]', 'Interval=238', 'SMode=111111111', 'Mode=110', 'Version=102', '[Trip]'][int(8)] as string);
  const text = lines.join('\n');
  return Uint8Array.from(text, (c) => c.charCodeAt(0) & 0xff);
}

interface Outcome {
  executions: number;
  parsed: number;
  crashes: string[];
  slowestMs: number;
}

function run(iterations: number, inputs: Uint8Array[], rand: () => number, parse: (bytes: Uint8Array, i: number) => void): Outcome {
  const outcome: Outcome = { executions: 0, parsed: 0, crashes: [], slowestMs: 0 };
  for (let i = 0; i < iterations; i++) {
    const input = mutate(inputs[i % inputs.length]!, inputs[Math.floor(rand() * inputs.length)]!, rand);
    const started = performance.now();
    try {
      expect(() => isPolarHrm(input)).not.toThrow();
      parse(input, i);
      outcome.parsed++;
    } catch (error) {
      if (!isParseError(error) || error.internal) {
        outcome.crashes.push(`${String((error as Error).stack ?? error)}\ninput (base64): ${Buffer.from(input).toString('base64')}`);
      }
    }
    outcome.slowestMs = Math.max(outcome.slowestMs, performance.now() - started);
    outcome.executions++;
  }
  return outcome;
}

function checkValid(w: Workout): void {
  const problems = validateWorkout(w);
  if (problems.length > 0) throw new Error(`invalid workout: ${problems.join('; ')}`);
}

describe('polar-hrm fuzz: mutated files never crash', () => {
  const inputs = seeds();

  it(`${ITERATIONS} mutated HRM files: a valid workout or a ParseError, never slow`, () => {
    const rand = mulberry32(0x4872_6d);
    const outcome = run(ITERATIONS, inputs, rand, (bytes, i) => {
      for (const w of polarHrmParser.parse(bytes, { fileName: `fuzz-${i}.hrm`, sha256: sha256Hex(bytes), limits: { ...DEFAULT_LIMITS, maxSamples: 200_000 } })) checkValid(w);
    });
    console.log(`fuzz polar-hrm: ${outcome.executions} executions, ${outcome.parsed} parsed, ${outcome.crashes.length} crashes, slowest ${outcome.slowestMs.toFixed(1)} ms`);
    expect(outcome.crashes.slice(0, 3)).toEqual([]);
    expect(outcome.executions).toBeGreaterThanOrEqual(2000);
    expect(outcome.parsed).toBeGreaterThan(ITERATIONS / 10); // the mutations keep many files readable: the deep paths are reached
    expect(outcome.slowestMs).toBeLessThan(SLOW_MS);
  });

  it(`${PDD_ITERATIONS} mutated .pdd day files: a day or a ParseError`, () => {
    const rand = mulberry32(0x0070_6464);
    const pdds = [
      buildPddBytes({ dayNote: 'Müde', exercises: [{ name: 'Lauf', sportId: 1, startSeconds: 3600, hrmFile: '24050101.hrm' }, { name: 'Rad', sportId: 2, gpxFile: 'x.gpx' }] }),
      ...corpusFiles('hrm').filter((f) => f.endsWith('.pdd')).map(readBytes),
    ];
    const outcome = run(PDD_ITERATIONS, pdds, rand, (bytes) => {
      const day = readPdd(bytes, 'fuzz.pdd');
      expect(day.date).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    });
    console.log(`fuzz pdd: ${outcome.executions} executions, ${outcome.parsed} read, ${outcome.crashes.length} crashes, slowest ${outcome.slowestMs.toFixed(1)} ms`);
    expect(outcome.crashes.slice(0, 3)).toEqual([]);
    expect(outcome.slowestMs).toBeLessThan(SLOW_MS);
  });

  it(`${MERGE_ITERATIONS} mutated HRM files merged with a GPX: valid workouts`, () => {
    const rand = mulberry32(0x6770_78);
    const [gpx] = gpxParser.parse(buildGpxBytes({ durationSeconds: 120, startTime: '2024-05-01T07:00:00Z' }), { sha256: 'g', limits: DEFAULT_LIMITS });
    const base = [buildHrmBytes({ durationSeconds: 120, laps: 2, channels: { speed: true, cycling: true } }), buildHrmBytes({ rr: true, durationSeconds: 60 })];
    const outcome = run(MERGE_ITERATIONS, base, rand, (bytes) => {
      const [hrm] = polarHrmParser.parse(bytes, { sha256: 'h', limits: DEFAULT_LIMITS, timeZone: 'Europe/Berlin' });
      checkValid(mergeHrmWithGpx(hrm as Workout, gpx as Workout));
    });
    expect(outcome.crashes.slice(0, 3)).toEqual([]);
    expect(outcome.slowestMs).toBeLessThan(SLOW_MS);
  });
});

describe('polar-hrm detection', () => {
  it('true for every HRM this project builds and every corpus HRM', () => {
    const options: HrmBuildOptions[] = [...FIXTURES, { version: 106, encoding: 'utf8', note: 'Ü' }, { lineEnding: '\n' }];
    for (const o of options) expect(isPolarHrm(buildHrmBytes(o))).toBe(true);
    for (const f of corpusFiles('hrm').filter((x) => x.endsWith('.hrm'))) expect(isPolarHrm(readBytes(f)), f).toBe(true);
    // A byte-order mark and blank lines before [Params] are tolerated.
    const plain = buildHrmBytes({ durationSeconds: 10 });
    expect(isPolarHrm(Uint8Array.from([0xef, 0xbb, 0xbf, 0x0d, 0x0a, ...plain]))).toBe(true);
  });

  it("false for every other format's fixtures (FIT, TCX, GPX and the rest), a .pdd, nothing and noise", () => {
    const all = fuzzSeeds();
    const others = Object.entries(all).filter(([format]) => format !== 'polar-hrm' && format !== 'containers');
    expect(others.map(([format]) => format)).toEqual(expect.arrayContaining(['fit', 'tcx', 'gpx']));
    for (const [format, list] of others) for (const bytes of list ?? []) expect(isPolarHrm(bytes), format).toBe(false);
    for (const bytes of all.containers ?? []) expect(isPolarHrm(bytes)).toBe(false);
    expect(isPolarHrm(buildPddBytes({ exercises: [{ name: 'x' }] }))).toBe(false);
    expect(isPolarHrm(new Uint8Array(0))).toBe(false);
    expect(isPolarHrm(Uint8Array.from({ length: 512 }, (_, i) => (i * 37) & 0xff))).toBe(false);
    expect(isPolarHrm(new TextEncoder().encode('[Params]\nName=not a workout\n'))).toBe(false);
    expect(isPolarHrm(new TextEncoder().encode('; an INI file\n[Params]\nVersion=106\n'))).toBe(false);
  });

  it('is cheap: it reads only the first kilobyte', () => {
    const big = new Uint8Array(50 * 1024 * 1024);
    big.set(buildHrmBytes({ durationSeconds: 10 }));
    const started = performance.now();
    expect(isPolarHrm(big)).toBe(true);
    expect(performance.now() - started).toBeLessThan(50);
  });
});
