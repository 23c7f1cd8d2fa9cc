/**
 * The sandbox's part of `pnpm bench`: `workout.create` requests per second against
 * apps/sandbox over real HTTPS on loopback, the server in a child process of its own.
 */
import { planWorkoutUpload } from '@optimo-import/mapper';
import type { Workout } from '@optimo-import/workout';
import { buildTypicalRide, withoutSamples } from './bench-workouts.js';
import { describeFailure } from './contender.js';
import { createApiClient } from './https-client.js';
import type { MachineInfo } from './machine.js';
import type { BenchOptions } from './options.js';
import { findFirstAthleteId } from './sandbox-api.js';
import type { FailureCount, LoadLimits } from './sandbox-load.js';
import { ID_DIGITS, makeCreateBodyTemplate, runCreateLoad, summarizeLatency } from './sandbox-load.js';
import { startSandboxProcess } from './sandbox-process.js';
import { MB } from './stats.js';

/** The demo account's daily quota: far above what a run sends, so no request meets 42900. */
export const SANDBOX_QUOTA = 100_000_000;
export const SANDBOX_TIME_ZONE = 'Europe/Berlin';

export interface SandboxWorkoutKind {
  id: 'ride-1h' | 'summary';
  label: string;
  samples: number;
  laps: number;
}

export interface SandboxScenarioResult {
  workout: SandboxWorkoutKind;
  concurrency: number;
  limits: LoadLimits;
  /** Bytes of one workout.create body. */
  bodyBytes: number;
  requests: number;
  ok: number;
  failed: number;
  failures: FailureCount[];
  warmupRequests: number;
  warmupFailures: FailureCount[];
  seconds: number;
  stoppedBy?: 'count' | 'time';
  /** ok answers per second of the timed phase. */
  okPerSecond?: number;
  /** Request body bytes sent per second (every request of the timed phase). */
  bodyMbPerSecond?: number;
  medianMs?: number;
  p95Ms?: number;
  maxMs?: number;
  /** CPU time per timed request: the server process's and this (client) process's. */
  serverCpuMsPerRequest?: number;
  clientCpuMsPerRequest?: number;
  /** The server process's RSS at the end of the scenario. */
  serverRssBytes?: number;
  /** Set when the scenario could not run at all (the sandbox did not start, setup failed). */
  failure?: string;
}

export interface SandboxRun {
  startedAt: string;
  durationSeconds: number;
  machine: MachineInfo;
  options: BenchOptions;
  quota: number;
  timeZone: string;
  scenarios: SandboxScenarioResult[];
  skipped: string[];
}

interface Scenario {
  kind: SandboxWorkoutKind;
  workout: Workout;
  limits: LoadLimits;
}

/** Concurrency levels: one request at a time (an uploader's default), and eight in flight. */
const CONCURRENCY = [1, 8] as const;

function limitsFor(kind: SandboxWorkoutKind['id'], concurrency: number, quick: boolean): LoadLimits {
  const scale = quick ? 0.5 : 1;
  const warmupRequests = Math.max(4, 2 * concurrency);
  // A 1-hour create (0.9 MB, 3,600 sample rows) takes the server tens of ms; a summary-only one well under 1 ms of work.
  return kind === 'ride-1h'
    ? { concurrency, warmupRequests, maxRequests: Math.round(400 * scale), maxSeconds: 7 * scale }
    : { concurrency, warmupRequests, maxRequests: Math.round(4000 * scale), maxSeconds: 4 * scale };
}

export async function runSandboxBench(options: BenchOptions, machine: MachineInfo, log: (line: string) => void): Promise<SandboxRun> {
  const startedAt = new Date();
  const skipped: string[] = [];
  const scenarios: Scenario[] = [];
  try {
    const source = buildTypicalRide();
    const ride = source.workouts[0];
    if (!ride) throw new Error(`${source.name} gave no workout`);
    const rideKind: SandboxWorkoutKind = { id: 'ride-1h', label: `1-hour ride (${source.name})`, samples: ride.samples.offsetSeconds.length, laps: ride.laps.length };
    const summaryKind: SandboxWorkoutKind = { id: 'summary', label: 'summary-only (the same ride without samples)', samples: 0, laps: ride.laps.length };
    for (const [kind, workout] of [[rideKind, ride], [summaryKind, withoutSamples(ride)]] as const) {
      for (const concurrency of CONCURRENCY) scenarios.push({ kind, workout, limits: limitsFor(kind.id, concurrency, options.quick) });
    }
  } catch (error) {
    const line = `the sandbox workouts could not be built (${describeFailure(error)})`;
    log(`[bench] ${line}`);
    skipped.push(line);
  }

  const results: SandboxScenarioResult[] = [];
  for (const scenario of scenarios) {
    const result = await runScenario(scenario);
    results.push(result);
    log(`[bench] sandbox ${describeScenario(result)}`);
  }
  return {
    startedAt: startedAt.toISOString(),
    durationSeconds: (Date.now() - startedAt.getTime()) / 1000,
    machine,
    options,
    quota: SANDBOX_QUOTA,
    timeZone: SANDBOX_TIME_ZONE,
    scenarios: results,
    skipped,
  };
}

/** One scenario in a fresh sandbox process, so every scenario starts from an empty store. */
async function runScenario({ kind, workout, limits }: Scenario): Promise<SandboxScenarioResult> {
  const empty: SandboxScenarioResult = {
    workout: kind,
    concurrency: limits.concurrency,
    limits,
    bodyBytes: 0,
    requests: 0,
    ok: 0,
    failed: 0,
    failures: [],
    warmupRequests: 0,
    warmupFailures: [],
    seconds: 0,
  };
  let sandbox;
  try {
    sandbox = await startSandboxProcess({ quota: SANDBOX_QUOTA, timeZone: SANDBOX_TIME_ZONE });
  } catch (error) {
    return { ...empty, failure: describeFailure(error) };
  }
  const client = createApiClient({ url: sandbox.url, certPem: sandbox.certPem, token: sandbox.token, maxSockets: limits.concurrency });
  try {
    const athleteId = await findFirstAthleteId(client, sandbox.timeZone);
    const prefix = `bench-${Date.now().toString(36)}-${kind.id}-c${limits.concurrency}-`;
    const plan = planWorkoutUpload(workout, { athleteId, timeZone: sandbox.timeZone, externalId: `${prefix}${'0'.repeat(ID_DIGITS)}` });
    if (plan.requestCount !== 1) throw new Error(`the ${kind.label} needs ${plan.requestCount} requests, not one workout.create`);
    const template = makeCreateBodyTemplate(plan.create, prefix);
    let cpuBefore = 0;
    const outcome = await runCreateLoad(client, template, limits, async () => {
      cpuBefore = (await sandbox.usage()).cpuMs;
    });
    const after = await sandbox.usage();
    const latency = summarizeLatency(outcome.latencyMs);
    const failed = outcome.failures.reduce((sum, f) => sum + f.count, 0);
    return {
      ...empty,
      bodyBytes: template.bytes.length,
      requests: outcome.requests,
      ok: outcome.ok,
      failed,
      failures: outcome.failures,
      warmupRequests: outcome.warmupRequests,
      warmupFailures: outcome.warmupFailures,
      seconds: outcome.seconds,
      stoppedBy: outcome.stoppedBy,
      okPerSecond: outcome.seconds > 0 ? outcome.ok / outcome.seconds : undefined,
      bodyMbPerSecond: outcome.seconds > 0 ? outcome.bodyBytes / MB / outcome.seconds : undefined,
      ...latency,
      serverCpuMsPerRequest: outcome.requests > 0 ? (after.cpuMs - cpuBefore) / outcome.requests : undefined,
      clientCpuMsPerRequest: outcome.requests > 0 ? outcome.clientCpuMs / outcome.requests : undefined,
      serverRssBytes: after.rssBytes,
    };
  } catch (error) {
    return { ...empty, failure: describeFailure(error) };
  } finally {
    client.close();
    await sandbox.close();
  }
}

export function describeScenario(r: SandboxScenarioResult): string {
  const head = `${r.workout.id} × ${r.concurrency}`;
  if (r.failure) return `${head}: not measured: ${r.failure}`;
  const rate = r.okPerSecond === undefined ? '—' : r.okPerSecond.toFixed(1);
  const failures = r.failed + r.warmupFailures.reduce((sum, f) => sum + f.count, 0);
  return `${head}: ${r.ok}/${r.requests} ok in ${r.seconds.toFixed(1)} s (stopped by ${r.stoppedBy}), ${rate} req/s, median ${r.medianMs?.toFixed(1)} ms, p95 ${r.p95Ms?.toFixed(1)} ms, ${failures} failed`;
}
