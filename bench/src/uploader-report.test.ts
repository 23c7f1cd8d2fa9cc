import { describe, expect, it } from 'vitest';
import type { LimiterScenarioResult } from './limiter-bench.js';
import type { RequestCountRun } from './request-count.js';
import type { UploaderRun } from './uploader-bench.js';
import { formatUploaderResults } from './uploader-report.js';
import type { UploadScenarioResult } from './upload-load.js';

const machine = { node: 'v20.20.0', v8: '11.3', os: 'linux x64', cpu: 'Test CPU', cores: 2, memoryGb: 8, loadAtStart: 3.1, loadAtEnd: 2.5 };
const options = { quick: false, rounds: 5, warmup: 1, memory: true, write: true, sections: ['uploader' as const], fileBudgetSeconds: 12 };

function limiterRow(over: Partial<LimiterScenarioResult> = {}): LimiterScenarioResult {
  return {
    scenario: { id: 'redis-4x1', kind: 'redis', instances: 4, callersPerInstance: 1 },
    limits: { warmupAcquires: 500, maxAcquires: 150_000, maxSeconds: 2 },
    acquires: 60_000,
    granted: 60_000,
    failures: [],
    seconds: 2,
    stoppedBy: 'time',
    tokensPerSecond: 30_000,
    medianUs: 120,
    p95Us: 205,
    maxUs: 5230,
    clientCpuUsPerToken: 26.8,
    redisCpuUsPerToken: 30.6,
    counted: 60_000,
    tokensLeft: 9_900_000,
    ...over,
  };
}

function uploadRow(over: Partial<UploadScenarioResult> = {}): UploadScenarioResult {
  const tally = { uploads: 66, ok: 66, failures: [], requestsByMethod: { 'workout.create': 66 }, exchangeProblems: [], reportedRequests: 66, reconciled: 0 };
  return {
    workout: { id: 'ride-1h', label: '1-hour ride', samples: 3600, laps: 4 },
    limiter: 'redis',
    limits: { concurrency: 1, warmupUploads: 4, maxUploads: 300, maxSeconds: 3.5 },
    createBytes: 869_782,
    planRequests: 1,
    warmup: { ...tally, uploads: 4, ok: 4, requestsByMethod: { 'system.current': 1, 'athlete.list': 1, 'workout.create': 4 }, reportedRequests: 4 },
    timed: tally,
    seconds: 3.5,
    stoppedBy: 'time',
    uploadsPerSecond: 18.6,
    requestsPerUpload: 1,
    medianMs: 50.6,
    p95Ms: 75.9,
    maxMs: 88.3,
    serverCpuMsPerUpload: 57.4,
    clientCpuMsPerUpload: 10,
    ...over,
  };
}

function requests(over: Partial<RequestCountRun> = {}): RequestCountRun {
  return {
    corpusDir: '/corpus',
    folders: [{ folder: 'perf', files: 12, duplicates: 6, entriesOk: 6, entriesFailed: 0, entriesSkipped: 0, failureCodes: [], workouts: 6, requests: 8, uncountable: 0 }],
    workouts: 6,
    requests: 8,
    notable: [{ name: 'perf/big.fit', samples: 99_998, channels: 8, requests: 3, fullBodyBytes: 22_889_231, baseBytes: 776 }],
    mismatches: 0,
    duplicates: ['perf/a.fit = fit/a.fit'],
    twelveHour: { name: 'generated: 12h.fit', samples: 43_200, channels: 9, requests: 2, fullBodyBytes: 10_505_542, baseBytes: 5829 },
    skipped: [],
    seconds: 6.8,
    ...over,
  };
}

function run(over: Partial<UploaderRun> = {}): UploaderRun {
  return {
    startedAt: '2026-01-02T03:04:05.678Z',
    durationSeconds: 48,
    machine,
    options,
    redis: '127.0.0.1:6379',
    limiter: { limit: 1_000_000_000, burst: 10_000_000, timeZone: 'UTC', results: [limiterRow()] },
    uploads: { quota: 100_000_000, timeZone: 'Europe/Berlin', burst: 1_000_000, results: [uploadRow()] },
    requests: requests(),
    skipped: [],
    ...over,
  };
}

describe('formatUploaderResults', () => {
  it('gives the three parts with the load on the machine', () => {
    const text = formatUploaderResults(run());
    expect(text).toContain('`pnpm bench --only uploader`');
    expect(text).toContain('load average 3.1 at the start and 2.5 at the end, at or above the core count');
    expect(text).toContain('| createRedisLimiter | 4 limiters (own connections) × 1 caller each | 60,000 / 60,000 | 0 | 2.0 (time limit) | 30.0 k | 120 | 205 | 5,230 | 33.3 | 26.8 | 30.6 |');
    expect(text).toContain('| 1-hour ride | Redis | 1 | 870 | 66 / 66 | 0 | 3.5 (time limit) | 18.6 | 1.00 | 50.6 | 75.9 | 88.3 | 57.4 | 10.0 |');
    expect(text).toContain('setup requests 2 per row');
    expect(text).toContain('**6 workouts** from 12 corpus files (1 of them a byte-for-byte copy of another file, counted once) need **8 requests: 1.33 per workout**');
    expect(text).toContain('| perf/big.fit | 99,998 | 8 | 21.83 | 3 | 3 | 99,998 samples × 8 channels');
    expect(text).toContain('| generated: 12h.fit | 43,200 | 9 | 10.02 | 2 | 2 |');
    expect(text).toContain('- No failure:');
  });

  it('lists every failure: acquires, uploads, exchanges a retry repaired, counts that disagree, rows not measured', () => {
    const text = formatUploaderResults(
      run({
        limiter: { limit: 1, burst: 1, timeZone: 'UTC', results: [limiterRow({ counted: 59_999, failures: [{ kind: 'redis-error', count: 2, example: 'boom' }] }), limiterRow({ failure: 'cannot reach Redis' })] },
        uploads: {
          quota: 1,
          timeZone: 'UTC',
          burst: 1,
          results: [
            uploadRow({
              timed: { uploads: 3, ok: 2, failures: [{ kind: 'UploadError transient', count: 1, example: 'reset' }], requestsByMethod: { 'workout.create': 4 }, exchangeProblems: [{ kind: 'workout.create: transient', count: 2, example: 'reset' }], reportedRequests: 3, reconciled: 1 },
            }),
          ],
        },
        requests: requests({ notable: [{ name: 'bad/x.fit', samples: 0, channels: 0, failure: 'no-start-time' }], mismatches: 1, twelveHour: { name: '12h', samples: 1, channels: 1, requests: 1, planRequests: 2 } }),
      }),
    );
    expect(text).toContain('- Every failure is listed');
    expect(text).toContain('- limiter redis-4x1: **2 × acquire failed: redis-error**, first: boom');
    expect(text).toContain('- limiter redis-4x1: **the bucket counted 59,999 tokens for 60,000 grants**.');
    expect(text).toContain('- limiter redis-4x1: **not measured**: cannot reach Redis');
    expect(text).toContain('- uploads, ride-1h, redis limiter, 1 in flight: **1 × UploadError transient**, first: reset');
    expect(text).toContain('**2 × exchange not ok: workout.create: transient**');
    expect(text).toContain('**1 upload(s) had to settle an unknown outcome**');
    expect(text).toContain("**uploadWorkout reported 3 requests, the client's log shows 4**");
    expect(text).toContain('- bad/x.fit: **not countable**: no-start-time');
    expect(text).toContain('- 12h: **countWorkoutRequests says 1, planWorkoutUpload 2**.');
    expect(text).not.toContain('No failure');
  });
});
