/**
 * The uploader's part of `pnpm bench`: the quota limiter's cost per token (in process and on
 * Redis), uploads per second through `uploadWorkout` against the sandbox with the quota lifted,
 * and requests per workout over every corpus file.
 */
import { buildTypicalRide, withoutSamples } from './bench-workouts.js';
import { describeFailure } from './contender.js';
import type { LimiterScenarioResult } from './limiter-bench.js';
import { describeLimiterScenario, LIMITER_BURST, LIMITER_LIMIT, LIMITER_SCENARIOS, LIMITER_ZONE, limiterLimitsFor, runLimiterScenario } from './limiter-bench.js';
import type { MachineInfo } from './machine.js';
import type { BenchOptions } from './options.js';
import { CORPUS_DIR } from './paths.js';
import { BENCH_REDIS } from './redis-connection.js';
import type { RequestCountRun } from './request-count.js';
import { countCorpusRequests } from './request-count.js';
import { SANDBOX_QUOTA, SANDBOX_TIME_ZONE } from './sandbox-bench.js';
import type { UploadScenarioResult, UploadWorkoutKind } from './upload-load.js';
import { describeUploadScenario, UPLOAD_BURST, uploadLimitsFor, runUploadScenario } from './upload-load.js';

/** Uploads in flight: one at a time, and four. */
export const UPLOAD_CONCURRENCY = [1, 4] as const;
export const UPLOAD_LIMITERS = ['memory', 'redis'] as const;

export interface UploaderRun {
  startedAt: string;
  durationSeconds: number;
  machine: MachineInfo;
  options: BenchOptions;
  redis: string;
  limiter: { limit: number; burst: number; timeZone: string; results: LimiterScenarioResult[] };
  uploads: { quota: number; timeZone: string; burst: number; results: UploadScenarioResult[] };
  requests: RequestCountRun;
  skipped: string[];
}

const collectGarbage = (globalThis as { gc?: () => void }).gc ?? (() => undefined);

export async function runUploaderBench(options: BenchOptions, machine: MachineInfo, log: (line: string) => void): Promise<UploaderRun> {
  const startedAt = new Date();
  const skipped: string[] = [];

  const limiterResults: LimiterScenarioResult[] = [];
  for (const scenario of LIMITER_SCENARIOS) {
    collectGarbage();
    const result = await runLimiterScenario(scenario, limiterLimitsFor(scenario.kind, options.quick));
    limiterResults.push(result);
    log(`[bench] ${describeLimiterScenario(result)}`);
  }

  const uploadResults: UploadScenarioResult[] = [];
  try {
    const source = buildTypicalRide();
    const ride = source.workouts[0];
    if (!ride) throw new Error(`${source.name} gave no workout`);
    const rideKind: UploadWorkoutKind = { id: 'ride-1h', label: `1-hour ride (${source.name})`, samples: ride.samples.offsetSeconds.length, laps: ride.laps.length };
    const summaryKind: UploadWorkoutKind = { id: 'summary', label: 'summary-only (the same ride without samples)', samples: 0, laps: ride.laps.length };
    for (const [kind, workout] of [[summaryKind, withoutSamples(ride)], [rideKind, ride]] as const) {
      for (const limiter of UPLOAD_LIMITERS) {
        for (const concurrency of UPLOAD_CONCURRENCY) {
          collectGarbage();
          const result = await runUploadScenario(kind, workout, limiter, uploadLimitsFor(kind.id, concurrency, options.quick));
          uploadResults.push(result);
          log(`[bench] ${describeUploadScenario(result)}`);
        }
      }
    }
  } catch (error) {
    const line = `the upload workouts could not be built (${describeFailure(error)}): uploads not measured`;
    log(`[bench] ${line}`);
    skipped.push(line);
  }

  const requests = countCorpusRequests(CORPUS_DIR, log);
  return {
    startedAt: startedAt.toISOString(),
    durationSeconds: (Date.now() - startedAt.getTime()) / 1000,
    machine,
    options,
    redis: `${BENCH_REDIS.host}:${BENCH_REDIS.port}`,
    limiter: { limit: LIMITER_LIMIT, burst: LIMITER_BURST, timeZone: LIMITER_ZONE, results: limiterResults },
    uploads: { quota: SANDBOX_QUOTA, timeZone: SANDBOX_TIME_ZONE, burst: UPLOAD_BURST, results: uploadResults },
    requests,
    skipped,
  };
}
