import { describe, expect, it } from 'vitest';
import { findCountMismatches, formatResults, judgeFiles } from './report.js';
import type { BenchRun } from './results.js';

function makeRun(oursMs: number, oursPeakBytes: number): BenchRun {
  return {
    startedAt: '2026-01-02T03:04:05.678Z',
    durationSeconds: 90,
    machine: { node: 'v20.20.0', v8: '11.3', os: 'linux x64', cpu: 'Test CPU', cores: 2, memoryGb: 8, loadAtStart: 0.5, loadAtEnd: 1 },
    options: { quick: false, rounds: 5, warmup: 1, memory: true, write: true, sections: ['parse'], fileBudgetSeconds: 15 },
    contenders: [
      { id: 'ours', label: 'ours', role: 'ours', recordsMeaning: '' },
      { id: 'garmin-fitsdk', label: '@garmin/fitsdk', role: 'library', recordsMeaning: '' },
      { id: 'fit-file-parser', label: 'fit-file-parser', role: 'library', recordsMeaning: '' },
    ],
    speed: [
      {
        file: { name: 'generated-12h-1hz-ride.fit', format: 'fit', size: 2_000_000, origin: 'generated', notes: [] },
        rounds: 5,
        warmup: 1,
        results: [
          { contenderId: 'ours', records: 43_200, timesMs: [], medianMs: oursMs, iterations: 1 },
          { contenderId: 'garmin-fitsdk', records: 43_200, timesMs: [], medianMs: 400, iterations: 1 },
          { contenderId: 'fit-file-parser', records: 43_100, timesMs: [], medianMs: 200, iterations: 1 },
        ],
      },
    ],
    memory: [{ fileName: 'generated-12h-1hz-ride.fit', contenderId: 'ours', peakRssDeltaBytes: oursPeakBytes, peakRssExact: true, gcCount: 3 }],
    skipped: [],
  };
}

describe('judgeFiles', () => {
  it('compares ours with the fastest library', () => {
    const [verdict] = judgeFiles(makeRun(20, 1));
    expect(verdict?.fastestLibrary?.contenderId).toBe('fit-file-parser');
    expect(verdict?.speedup).toBe(10);
  });
});

describe('formatResults', () => {
  it('says plainly where an aim is missed', () => {
    const text = formatResults(makeRun(50, 150_000_000));
    expect(text).toContain('**FIT: short of the 5× aim on 1 of 1 files**');
    expect(text).toContain('generated-12h-1hz-ride.fit (2.00 MB): 4.00× faster than fit-file-parser, 50.0 ms against 200 ms');
    expect(text).toContain('**Memory on the 12-hour file: 150.0 MB** peak RSS above baseline, over the 100 MB aim');
    expect(text).toContain('**missed**');
  });

  it('lists a count that differs from a library with no known reason', () => {
    const run = makeRun(20, 1);
    expect(findCountMismatches(run)).toEqual(['- generated-12h-1hz-ride.fit: ours 43,200, fit-file-parser 43,100']);
    expect(formatResults(run)).toContain('Record count with no known reason');
  });
});

describe('the references', () => {
  function withCsvFloor(oursMs: number, floorMs: number, floorRecords: number): BenchRun {
    const run = makeRun(20, 1);
    run.contenders.push({ id: 'csv-parse', label: 'csv-parse (reference)', role: 'reference', recordsMeaning: '' });
    run.speed.push({
      file: { name: 'ride.csv', format: 'csv', size: 3_000_000, origin: 'generated', notes: [] },
      rounds: 5,
      warmup: 1,
      results: [
        { contenderId: 'ours', records: 43_200, timesMs: [], medianMs: oursMs, iterations: 1 },
        { contenderId: 'csv-parse', records: floorRecords, timesMs: [], medianMs: floorMs, iterations: 1 },
      ],
    });
    return run;
  }

  it('shows ours against the floor of a format no library reads, outside the aim', () => {
    const run = withCsvFloor(100, 50, 43_200);
    const verdict = judgeFiles(run).find((v) => v.file.name === 'ride.csv');
    expect(verdict?.fastestLibrary).toBeUndefined();
    expect(verdict?.referenceSpeedup).toBe(0.5);
    const text = formatResults(run);
    expect(text).toContain('0.50× (csv-parse)');
    expect(text).toContain('- Against the csv-parse (reference) floor (outside the aim: it does only a part of an import) ours takes longer on 1 of 1 CSV files, by: ride.csv 2.00×.');
    expect(text).not.toContain('**CSV: short');
  });

  it('says nothing of a floor that ours beats, and explains csv-parse counting extra rows', () => {
    const run = withCsvFloor(40, 50, 43_210);
    const text = formatResults(run);
    expect(text).not.toContain('floor (outside the aim');
    expect(findCountMismatches(run)).toContain('- ride.csv: ours 43,200, csv-parse (reference) 43,210 (csv-parse counts every row after the first: preamble, summary and extra header rows too)');
    expect(text).not.toContain('Record count with no known reason: ride.csv');
  });
});
