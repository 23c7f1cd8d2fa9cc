import { describe, expect, it } from 'vitest';
import type { PipelineRun } from './pipeline-bench.js';
import { PIPELINE_MODES } from './pipeline-bench.js';
import { formatPipelineResults, summarizePipelineMode } from './pipeline-report.js';
import type { PipelineModeId, PipelineRunResult } from './pipeline-run.js';
import { emptyRunResult } from './pipeline-run.js';

const machine = { node: 'v20.20.0', v8: '11.3', os: 'linux x64', cpu: 'Test CPU', cores: 2, memoryGb: 8, loadAtStart: 1.1, loadAtEnd: 1.4 };
const options = { quick: false, rounds: 3, warmup: 1, memory: true, write: true, sections: ['pipeline' as const], fileBudgetSeconds: 12 };

function result(mode: PipelineModeId, round: number, seconds: number, over: Partial<PipelineRunResult> = {}): PipelineRunResult {
  const processes = mode === 'queue-3x4' ? 3 : 1;
  return {
    ...emptyRunResult(mode, round, 10),
    seconds,
    settled: 10,
    outcomes: { imported: 9, duplicate: 1 },
    uploaded: mode === 'naive' ? 12 : 11,
    duplicates: mode === 'naive' ? 0 : 1,
    resultRequests: 11,
    serverRequests: mode === 'naive' ? 13 : 12,
    processes: Array.from({ length: processes }, (_, i) => ({ label: `p${i + 1}`, readyRssBytes: 90e6, peakRssBytes: (150 + 10 * i + round) * 1e6, cpuMs: 1000 })),
    sandboxCpuMs: 800,
    ...(mode.startsWith('queue') ? { last: { file: 'perf/big.fit', takenAtMs: 1000, ms: 1000 + 500 * round } } : {}),
    ...(mode.startsWith('queue') ? { redisCpuMs: 50, enqueueSeconds: 0.1 } : {}),
    ...(mode === 'naive' ? { readMs: 50, parseMs: 400, uploadMs: 1500 } : {}),
    ...(mode === 'embedded' ? { processSeconds: seconds + 1 } : {}),
    ...over,
  };
}

function pipelineRun(runs: PipelineRunResult[]): PipelineRun {
  return {
    startedAt: '2026-11-29T12:00:00.000Z',
    durationSeconds: 200,
    machine,
    options,
    quota: 100_000_000,
    timeZone: 'Europe/Berlin',
    redis: 'redis://127.0.0.1:6379/11',
    workerConcurrency: 4,
    embeddedConcurrency: 2,
    corpus: { corpusDir: '/corpus', folders: ['fit', 'tcx', 'gpx', 'perf'], files: 10, bytes: 5_000_000, workouts: 12, samples: 40_000, copies: ['perf/a.fit = fit/a.fit'], unusable: ['gpx/b.gpx (no-data)'] },
    reference: { rounds: 3, parse: { id: 'parse', timesMs: [300, 310, 290], medianMs: 300, iterations: 1 }, plan: { id: 'plan', timesMs: [200], medianMs: 200, iterations: 1 } },
    modes: PIPELINE_MODES,
    runs,
    skipped: [],
  };
}

describe('summarizePipelineMode', () => {
  it('takes medians over the rounds and divides the corpus by the median time', () => {
    const run = pipelineRun([result('queue-3x4', 1, 4), result('queue-3x4', 2, 2), result('queue-3x4', 3, 3), result('queue-3x4', 4, 1, { failure: 'sandbox did not start' })]);
    const mode = PIPELINE_MODES.find((m) => m.id === 'queue-3x4');
    const summary = summarizePipelineMode(run, mode!);
    expect(summary).toMatchObject({ runs: 3, notMeasured: 1, seconds: 3, filesPerSecond: 10 / 3, workoutsPerSecond: 4, processCpuMs: 3000, serverRequests: 12 });
    expect(summary.mbPerSecond).toBeCloseTo(5 / 3);
    expect(summary.peakRssBytes).toEqual([172e6, 162e6, 152e6]);
    expect(summary.last).toEqual({ file: 'perf/big.fit', rounds: 3, takenAtMs: 1000, ms: 2000 });
    expect(summary.maxPeakRssBytes).toBe(173e6);
  });
});

describe('formatPipelineResults', () => {
  it('writes the tables, the reading and no failure when every round went through', () => {
    const runs = PIPELINE_MODES.flatMap((mode) => [1, 2, 3].map((round) => result(mode.id, round, mode.id === 'naive' ? 2 : 2.5)));
    const block = formatPipelineResults(pipelineRun(runs));
    expect(block).toContain('### Files per second through the whole pipeline');
    expect(block).toContain('| queue, 3 worker processes | 3 × 4 | 3 | 2.50 | 0.0 % | 4.00 | 4.80 | 2.00 | 11 + 1 | 12 | 172 / 162 / 152 | 90 / 90 / 90 |');
    expect(block).toContain('**3 worker processes against 1**');
    expect(block).toContain('most often perf/big.fit (3 of 3 rounds), taken 1.00 s after the first file was enqueued and done 2.00 s later');
    expect(block).toContain('4.00 against 4.00 files/s, 1.00×: about as fast');
    expect(block).toContain("**The queue's machinery, one file at a time each:**");
    expect(block).toContain('parsing takes 0.40 s (20 %)');
    expect(block).toContain('1 byte-for-byte copy of another file');
    expect(block).toContain('- No failure:');
  });

  it('lists a round that could not run, and a file without a result', () => {
    const runs = [result('queue-1x4', 1, 0, { failure: 'cannot reach Redis', seconds: undefined }), result('naive', 1, 2, { settled: 9, notes: ['x.fit: UploadError failed: no'] })];
    const block = formatPipelineResults(pipelineRun(runs));
    expect(block).toContain('- queue, 1 worker process, round 1: **not measured**: cannot reach Redis');
    expect(block).toContain('**1 of 10 files without a final result**');
    expect(block).toContain('x.fit: UploadError failed: no (round 1)');
    expect(block).toContain('| queue, 1 worker process | 1 × 4 | 0 (+1 not measured) | not measured (see notes) |');
  });
});
