import { describe, expect, it } from 'vitest';
import { mulberry32 } from '@optimo-import/fixtures';
import type { FormatId } from '@optimo-import/workout';
import { DEFAULT_LIMITS, PARSERS, isParseError, parseFile, sha256Hex } from '../src/index.js';
import type { FormatParser } from '../src/index.js';
import { fuzzSeeds } from './fuzz-seeds.js';

/**
 * Mutation fuzzing: bit flips, interesting bytes, truncation, chunk deletion/duplication and
 * splices of two seeds, from a fixed PRNG seed so a failure reproduces. Every parse must end in
 * workouts or a ParseError: any other exception is a crash. Hangs are caught by the test
 * timeout; memory is checked after the run.
 */
const ITERATIONS_PER_FORMAT = 3000;
const RNG_SEED = 0x0b71_a0;

const INTERESTING = [0x00, 0xff, 0x7f, 0x80, 0x3c, 0x3e, 0x26, 0x22, 0x0a, 0x30, 0x39, 0x2d];

export function mutate(input: Uint8Array, other: Uint8Array, rand: () => number): Uint8Array {
  const int = (n: number): number => Math.floor(rand() * n);
  const bytes = input.slice();
  const ops = 1 + int(4);
  let out = bytes;
  for (let k = 0; k < ops; k++) {
    const n = out.length;
    if (n === 0) break;
    switch (int(6)) {
      case 0: // bit flips
        for (let i = 0, m = 1 + int(8); i < m; i++) out[int(n)]! ^= 1 << int(8);
        break;
      case 1: // interesting byte
        out[int(n)] = INTERESTING[int(INTERESTING.length)]!;
        break;
      case 2: // truncate
        out = out.slice(0, int(n));
        break;
      case 3: {
        // delete a chunk
        const at = int(n);
        const len = 1 + int(Math.min(64, n - at));
        out = Uint8Array.from([...out.subarray(0, at), ...out.subarray(at + len)]);
        break;
      }
      case 4: {
        // duplicate a chunk
        const at = int(n);
        const len = 1 + int(Math.min(64, n - at));
        out = Uint8Array.from([...out.subarray(0, at + len), ...out.subarray(at, at + len), ...out.subarray(at + len)]);
        break;
      }
      default: {
        // splice with another seed
        const cut = int(n);
        const from = int(other.length);
        out = Uint8Array.from([...out.subarray(0, cut), ...other.subarray(from)]);
      }
    }
  }
  return out;
}

interface FuzzResult {
  executions: number;
  crashes: { input: string; error: string }[];
  slowestMs: number;
}

function fuzz(parser: FormatParser, seeds: Uint8Array[], rand: () => number, iterations: number): FuzzResult {
  const result: FuzzResult = { executions: 0, crashes: [], slowestMs: 0 };
  for (let i = 0; i < iterations; i++) {
    const seed = seeds[i % seeds.length]!;
    const other = seeds[Math.floor(rand() * seeds.length)]!;
    const input = mutate(seed, other, rand);
    const started = performance.now();
    try {
      parser.parse(input, { fileName: `fuzz-${i}`, sha256: sha256Hex(input), limits: DEFAULT_LIMITS });
    } catch (error) {
      if (!isParseError(error)) {
        result.crashes.push({ input: Buffer.from(input).toString('base64'), error: String((error as Error).stack ?? error) });
      }
    }
    result.slowestMs = Math.max(result.slowestMs, performance.now() - started);
    result.executions++;
  }
  return result;
}

describe('fuzz: mutated fixtures never crash a parser', () => {
  const seeds = fuzzSeeds();
  it.each(PARSERS.map((p) => [p.format, p] as const))('%s', (format: FormatId, parser: FormatParser) => {
    const own = seeds[format] ?? [];
    expect(own.length).toBeGreaterThan(0);
    const rand = mulberry32(RNG_SEED ^ format.length);
    const result = fuzz(parser, own, rand, ITERATIONS_PER_FORMAT);
    console.log(`fuzz ${format}: ${result.executions} executions, ${result.crashes.length} crashes, slowest ${result.slowestMs.toFixed(1)} ms`);
    expect(result.crashes.slice(0, 3)).toEqual([]);
    expect(process.memoryUsage().rss).toBeLessThan(2 * 1024 * 1024 * 1024);
  });

  it('the registry turns mutated containers into results, never exceptions', () => {
    const rand = mulberry32(RNG_SEED);
    const containers = seeds.containers ?? [];
    expect(containers.length).toBeGreaterThan(0);
    for (let i = 0; i < 1000; i++) {
      const input = mutate(containers[i % containers.length]!, containers[0]!, rand);
      const results = parseFile(input, { fileName: `fuzz-${i}.zip` });
      for (const r of results) if (r.status === 'failed') expect(r.error.internal ?? false, r.error.message).toBe(false);
    }
  });
});
