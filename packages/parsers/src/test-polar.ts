/**
 * Test helpers of the Polar XML and JSON parsers: a parse context, a ParseError catcher, and a
 * mutation fuzzer in the style of test/fuzz.test.ts (bit flips, interesting bytes, truncation,
 * chunk deletion/duplication, splices with another seed; fixed PRNG seed). Not part of the build.
 */
import { mulberry32 } from '@optimo-import/fixtures';
import { validateWorkout } from '@optimo-import/workout';
import { isParseError } from './errors.js';
import type { ParseError } from './errors.js';
import { sha256Hex } from './registry.js';
import type { FormatParser, ParseContext, ParseLimits } from './types.js';
import { DEFAULT_LIMITS } from './types.js';

export const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);

export function contextFor(bytes: Uint8Array, extra: Partial<Omit<ParseContext, 'limits'>> & { limits?: Partial<ParseLimits> } = {}): ParseContext {
  const { limits, ...rest } = extra;
  return { fileName: 'test-file', sha256: sha256Hex(bytes), ...rest, limits: { ...DEFAULT_LIMITS, ...limits } };
}

/** The ParseError a parse ends in (fails the test when it succeeds or throws something else). */
export function parseFailure(parser: FormatParser, bytes: Uint8Array, ctx: ParseContext = contextFor(bytes)): ParseError {
  try {
    parser.parse(bytes, ctx);
  } catch (error) {
    if (isParseError(error)) return error;
    throw error;
  }
  throw new Error('expected a ParseError');
}

const INTERESTING = [0x00, 0xff, 0x7f, 0x80, 0x3c, 0x3e, 0x26, 0x22, 0x0a, 0x30, 0x39, 0x2d, 0x2c, 0x7b, 0x7d, 0x5b, 0x5d, 0x3a];

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** One mutation of `input` (1–4 operations), splicing with `other` sometimes. */
export function mutate(input: Uint8Array, other: Uint8Array, rand: () => number): Uint8Array {
  const int = (n: number): number => Math.floor(rand() * n);
  let out: Uint8Array = input.slice();
  const ops = 1 + int(4);
  for (let k = 0; k < ops; k++) {
    const n = out.length;
    if (n === 0) break;
    switch (int(6)) {
      case 0:
        for (let i = 0, m = 1 + int(8); i < m; i++) {
          const at = int(n);
          out[at] = (out[at] as number) ^ (1 << int(8));
        }
        break;
      case 1:
        out[int(n)] = INTERESTING[int(INTERESTING.length)] as number;
        break;
      case 2:
        out = out.slice(0, int(n));
        break;
      case 3: {
        const at = int(n);
        const len = 1 + int(Math.min(64, n - at));
        out = concat(out.subarray(0, at), out.subarray(at + len));
        break;
      }
      case 4: {
        const at = int(n);
        const len = 1 + int(Math.min(64, n - at));
        out = concat(out.subarray(0, at + len), out.subarray(at, at + len), out.subarray(at + len));
        break;
      }
      default: {
        const cut = int(n);
        out = concat(out.subarray(0, cut), other.subarray(int(other.length)));
      }
    }
  }
  return out;
}

const TOKENS = ['', '0', '-1', '-0', '1e309', '1e-320', 'NaN', '99999999999999999999', '0.0000001', '25:61:99', '::', '.', ',', ',,', '-', '2024-13-45T99:99:99', 'PT-5S', 'P', '1,5', ' 7 ', 'true', 'null'];

/**
 * A mutation that keeps most of the structure: 1–6 runs of digits (numbers, times, durations)
 * are replaced by awkward tokens (empty, negative, huge, NaN, impossible dates, stray commas),
 * so the fuzzer reaches the value handling behind a well-formed document.
 */
export function mutateValues(input: Uint8Array, rand: () => number): Uint8Array {
  const text = new TextDecoder().decode(input);
  const runs = [...text.matchAll(/[0-9][0-9.:-]*/g)];
  if (runs.length === 0) return input;
  const picks = new Set<number>();
  for (let i = 0, n = 1 + Math.floor(rand() * 6); i < n; i++) picks.add(Math.floor(rand() * runs.length));
  let out = '';
  let last = 0;
  for (const k of [...picks].sort((a, b) => a - b)) {
    const m = runs[k] as RegExpMatchArray;
    out += text.slice(last, m.index) + (TOKENS[Math.floor(rand() * TOKENS.length)] as string);
    last = (m.index as number) + m[0].length;
  }
  return new TextEncoder().encode(out + text.slice(last));
}

export interface FuzzResult {
  executions: number;
  parsed: number;
  crashes: { input: string; error: string }[];
  slowestMs: number;
}

/**
 * Parses `iterations` mutations of the seeds (byte-level by `mutate`, or value-level by `mutateValues`): each must end in
 * workouts that pass `validateWorkout` or a ParseError that is not `internal`; anything else is a
 * crash (kept base64-encoded to reproduce). `detect` must never throw on the same inputs.
 */
export function fuzzParser(parser: FormatParser, seeds: readonly Uint8Array[], iterations: number, seed: number, mode: 'bytes' | 'values' = 'bytes'): FuzzResult {
  const rand = mulberry32(seed);
  const result: FuzzResult = { executions: 0, parsed: 0, crashes: [], slowestMs: 0 };
  for (let i = 0; i < iterations; i++) {
    const base = seeds[i % seeds.length] as Uint8Array;
    const input = mode === 'values' ? mutateValues(base, rand) : mutate(base, seeds[Math.floor(rand() * seeds.length)] as Uint8Array, rand);
    const started = performance.now();
    try {
      parser.detect(input);
      const workouts = parser.parse(input, { fileName: `fuzz-${i}`, sha256: sha256Hex(input), limits: DEFAULT_LIMITS });
      const problems = workouts.flatMap(validateWorkout);
      if (problems.length > 0) result.crashes.push({ input: Buffer.from(input).toString('base64'), error: `invalid workout: ${problems.join('; ')}` });
      result.parsed++;
    } catch (error) {
      if (!isParseError(error) || error.internal) {
        result.crashes.push({ input: Buffer.from(input).toString('base64'), error: String((error as Error).stack ?? error) });
      }
    }
    result.slowestMs = Math.max(result.slowestMs, performance.now() - started);
    result.executions++;
  }
  return result;
}
