import { statSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { buildPolarXmlBytes, buildRs200XmlBytes } from '@optimo-import/fixtures';
import { polarXmlParser } from './polar-xml.js';
import { fuzzParser } from './test-polar.js';
import { corpusFiles, readBytes } from '../test/corpus.js';

/**
 * Mutation fuzzing of the Polar XML parser over its fixtures (and the small corpus files when
 * present): every mutated input ends in workouts or a ParseError that is not internal, and none
 * is slow. Fixed PRNG seed, so a failure reproduces.
 */
const ITERATIONS = 3000;

const seeds = [
  buildPolarXmlBytes({ durationSeconds: 60, intervalSeconds: 5, laps: 2, exercises: [{}, { summaryOnly: true, sport: 'Radfahren' }], fitnessData: true }),
  buildPolarXmlBytes({ durationSeconds: 40, intervalSeconds: 2, channels: ['HEARTRATE', 'SPEED', 'POWER', 'TEMPERATURE', 'RUN_CADENCE'], shortenChannels: { SPEED: 2 }, trailingComma: true }),
  buildPolarXmlBytes({ durationSeconds: 120, laps: 3, lapDurationsAsMinutes: true }),
  buildRs200XmlBytes({ durationSeconds: 600, laps: 3 }),
  ...corpusFiles('polar-xml')
    .filter((f) => statSync(f).size <= 12_000)
    .map(readBytes),
];

describe('polar-xml fuzz', () => {
  it(`survives ${ITERATIONS} mutations of its fixtures`, () => {
    const result = fuzzParser(polarXmlParser, seeds, ITERATIONS, 0x0b71_a0 ^ 0x9);
    console.log(`fuzz polar-xml: ${result.executions} executions, ${result.parsed} parsed, ${result.crashes.length} crashes, slowest ${result.slowestMs.toFixed(1)} ms`);
    expect(result.executions).toBeGreaterThanOrEqual(2000);
    expect(result.crashes.slice(0, 3)).toEqual([]);
    expect(result.parsed).toBeGreaterThan(0);
    expect(result.slowestMs).toBeLessThan(500);
  });

  it(`survives ${ITERATIONS} value mutations (well-formed documents with awkward numbers, times and durations)`, () => {
    const result = fuzzParser(polarXmlParser, seeds, ITERATIONS, 0x0b71_a0 ^ 0x19, 'values');
    console.log(`fuzz polar-xml values: ${result.executions} executions, ${result.parsed} parsed, ${result.crashes.length} crashes, slowest ${result.slowestMs.toFixed(1)} ms`);
    expect(result.crashes.slice(0, 3)).toEqual([]);
    expect(result.parsed).toBeGreaterThan(ITERATIONS / 2);
    expect(result.slowestMs).toBeLessThan(500);
  });
});
