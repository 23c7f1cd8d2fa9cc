import { describe, expect, it } from 'vitest';
import type { SandboxRun, SandboxScenarioResult } from './sandbox-bench.js';
import { formatSandboxResults } from './sandbox-report.js';

const machine = { node: 'v20.20.0', v8: '11.3', os: 'linux x64', cpu: 'Test CPU', cores: 2, memoryGb: 8, loadAtStart: 3.1, loadAtEnd: 2.5 };
const options = { quick: false, rounds: 5, warmup: 1, memory: true, write: true, sections: ['sandbox' as const], fileBudgetSeconds: 12 };

function scenario(over: Partial<SandboxScenarioResult> = {}): SandboxScenarioResult {
  return {
    workout: { id: 'ride-1h', label: '1-hour ride', samples: 3600, laps: 4 },
    concurrency: 8,
    limits: { concurrency: 8, warmupRequests: 16, maxRequests: 400, maxSeconds: 7 },
    bodyBytes: 869_767,
    requests: 150,
    ok: 150,
    failed: 0,
    failures: [],
    warmupRequests: 16,
    warmupFailures: [],
    seconds: 7.2,
    stoppedBy: 'time',
    okPerSecond: 20.8,
    bodyMbPerSecond: 18.1,
    medianMs: 328,
    p95Ms: 694,
    maxMs: 740,
    ...over,
  };
}

function run(scenarios: SandboxScenarioResult[]): SandboxRun {
  return { startedAt: '2026-01-02T03:04:05.678Z', durationSeconds: 25, machine, options, quota: 100_000_000, timeZone: 'Europe/Berlin', scenarios, skipped: [] };
}

describe('formatSandboxResults', () => {
  it('says how the server ran, and the load on the machine', () => {
    const text = formatSandboxResults(run([scenario()]));
    expect(text).toContain('`pnpm bench --only sandbox`');
    expect(text).toContain('child process');
    expect(text).toContain('load average 3.1 at the start and 2.5 at the end, at or above the core count');
    expect(text).toContain('| 1-hour ride | 870 | 8 | 150 / 150 | 0 | 7.2 (time limit) | 20.8 | 328 | 694 | 740 | 18.1 |');
    expect(text).toContain('None: every one of the 150 timed requests (and the 16 warm-up ones) was answered HTTP 200, status ok');
  });

  it('lists every failure, warm-up included, and a scenario that could not run', () => {
    const text = formatSandboxResults(
      run([
        scenario({ ok: 148, failed: 2, failures: [{ kind: 'HTTP 200, fail 40900', count: 2, example: 'duplicate' }], warmupFailures: [{ kind: 'network', count: 1, example: 'ECONNRESET' }] }),
        scenario({ concurrency: 1, failure: 'the sandbox did not start: boom' }),
      ]),
    );
    expect(text).toContain('- 1-hour ride, 8 in flight: **2 × HTTP 200, fail 40900**, first: duplicate');
    expect(text).toContain('- 1-hour ride, 8 in flight (warm-up): **1 × network**, first: ECONNRESET');
    expect(text).toContain('- 1-hour ride, 1 in flight: **not measured**: the sandbox did not start: boom');
    expect(text).not.toContain('None: every one');
  });
});
