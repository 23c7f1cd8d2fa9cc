import { describe, expect, it } from 'vitest';
import { buildPolarJsonBytes } from '@optimo-import/fixtures';
import { polarJsonParser } from './polar-json.js';
import { fuzzParser } from './test-polar.js';

/**
 * Mutation fuzzing of the Polar JSON parser over its fixtures: every mutated input ends in
 * workouts or a ParseError that is not internal, and none is slow. Byte-level mutations mostly
 * break the JSON (a clean `corrupt`/`truncated`); value-level mutations keep it parseable and
 * reach the times, durations, streams and laps. Fixed PRNG seed, so a failure reproduces.
 */
const ITERATIONS = 3000;

const seeds = [
  buildPolarJsonBytes({ durationSeconds: 20, laps: 2, autoLaps: 2, streams: ['heartRate', 'speed', 'cadence', 'altitude', 'distance', 'temperature', 'power'] }),
  buildPolarJsonBytes({ exercises: [{ durationSeconds: 12, sport: 'CYCLING', routeLagMs: 801 }, { durationSeconds: 10, route: false, missingValueEvery: 3 }] }),
  buildPolarJsonBytes({ durationSeconds: 15, exerciseOffset: false, routeClockShiftSeconds: 4827.8, laps: 0 }),
];

describe('polar-json fuzz', () => {
  it(`survives ${ITERATIONS} byte mutations of its fixtures`, () => {
    const result = fuzzParser(polarJsonParser, seeds, ITERATIONS, 0x0b71_a0 ^ 0xa);
    console.log(`fuzz polar-json: ${result.executions} executions, ${result.parsed} parsed, ${result.crashes.length} crashes, slowest ${result.slowestMs.toFixed(1)} ms`);
    expect(result.executions).toBeGreaterThanOrEqual(2000);
    expect(result.crashes.slice(0, 3)).toEqual([]);
    expect(result.slowestMs).toBeLessThan(500);
  });

  it(`survives ${ITERATIONS} value mutations (parseable JSON with awkward numbers, times and durations)`, () => {
    const result = fuzzParser(polarJsonParser, seeds, ITERATIONS, 0x0b71_a0 ^ 0x1a, 'values');
    console.log(`fuzz polar-json values: ${result.executions} executions, ${result.parsed} parsed, ${result.crashes.length} crashes, slowest ${result.slowestMs.toFixed(1)} ms`);
    expect(result.crashes.slice(0, 3)).toEqual([]);
    expect(result.parsed).toBeGreaterThan(ITERATIONS / 3);
    expect(result.slowestMs).toBeLessThan(500);
  });
});
