/**
 * Uploads per second through the uploader's public path: `uploadWorkout(createClient({ limiter }),
 * workout, …)` against apps/sandbox in a child process, the quota lifted, a fixed number of
 * uploads in flight. Every HTTP exchange is seen through the client's log, so retried failures
 * show too; nothing is left out.
 */
import { buildAthleteList, planWorkoutUpload, readAthleteList } from '@optimo-import/mapper';
import { createClient, createMemoryLimiter, createRedisLimiter, isUploadError, redisLimiterKey, uploadWorkout } from '@optimo-import/uploader';
import type { Client, ClientLogEntry, GrantingQuotaLimiter } from '@optimo-import/uploader';
import type { Workout } from '@optimo-import/workout';
import type { Redis } from 'ioredis';
import { describeFailure } from './contender.js';
import { benchKeyPrefix, closeRedis, connectRedis } from './redis-connection.js';
import { SANDBOX_QUOTA, SANDBOX_TIME_ZONE } from './sandbox-bench.js';
import type { FailureCount } from './sandbox-load.js';
import { summarizeLatency } from './sandbox-load.js';
import { startSandboxProcess } from './sandbox-process.js';

/** The bucket of the upload runs: no upload of a run ever waits for the pace. */
export const UPLOAD_BURST = 1_000_000;
/** Longest wait for one answer; the default (120 s) would let a stuck run outlast the section. */
const ANSWER_TIMEOUT_MS = 30_000;
/** A run still going this long after its time limit is aborted (its uploads count as failed). */
const HARD_STOP_AFTER_MS = 45_000;

export interface UploadWorkoutKind {
  id: 'ride-1h' | 'summary';
  label: string;
  samples: number;
  laps: number;
}

export interface UploadLimits {
  concurrency: number;
  /** Untimed uploads first (TLS handshakes, JIT), checked like the others. */
  warmupUploads: number;
  maxUploads: number;
  maxSeconds: number;
}

/** What one phase (setup + warm-up, or the timed phase) sent and got. */
export interface UploadTally {
  uploads: number;
  ok: number;
  /** Uploads that rejected, or resolved with a workout_id already given, by kind. */
  failures: FailureCount[];
  /** HTTP exchanges the client made (its log), by method. */
  requestsByMethod: Record<string, number>;
  /** Exchanges not classified `ok` (a retried one included), by classification. */
  exchangeProblems: FailureCount[];
  /** `UploadResult.requests` (or `UploadError.requests`) summed: must equal the exchanges. */
  reportedRequests: number;
  /** Uploads that had to settle an unknown outcome (`reconciled: true`). */
  reconciled: number;
  latencyMs: number[];
}

export interface UploadScenarioResult {
  workout: UploadWorkoutKind;
  limiter: 'memory' | 'redis';
  limits: UploadLimits;
  /** Bytes of the `workout.create` body, and the plan's requests for this workout. */
  createBytes: number;
  planRequests: number;
  warmup?: Omit<UploadTally, 'latencyMs'>;
  timed?: Omit<UploadTally, 'latencyMs'>;
  seconds: number;
  stoppedBy?: 'count' | 'time';
  uploadsPerSecond?: number;
  /** HTTP requests of the timed phase per upload started. */
  requestsPerUpload?: number;
  medianMs?: number;
  p95Ms?: number;
  maxMs?: number;
  serverCpuMsPerUpload?: number;
  clientCpuMsPerUpload?: number;
  failure?: string;
}

export function uploadLimitsFor(kind: UploadWorkoutKind['id'], concurrency: number, quick: boolean): UploadLimits {
  const scale = quick ? 0.5 : 1;
  const warmupUploads = Math.max(4, 2 * concurrency);
  // A 1-hour upload costs the sandbox tens of ms, a summary-only one about a millisecond.
  return kind === 'ride-1h'
    ? { concurrency, warmupUploads, maxUploads: Math.round(300 * scale), maxSeconds: 3.5 * scale }
    : { concurrency, warmupUploads, maxUploads: Math.round(3000 * scale), maxSeconds: 2 * scale };
}

function createTally(): UploadTally {
  return { uploads: 0, ok: 0, failures: [], requestsByMethod: {}, exchangeProblems: [], reportedRequests: 0, reconciled: 0, latencyMs: [] };
}

function count(list: FailureCount[], kind: string, example: string): void {
  const known = list.find((f) => f.kind === kind);
  if (known) known.count++;
  else list.push({ kind, count: 1, example: example.replace(/\s+/g, ' ').trim().slice(0, 200) });
}

export function totalRequests(tally: Pick<UploadTally, 'requestsByMethod'>): number {
  return Object.values(tally.requestsByMethod).reduce((sum, n) => sum + n, 0);
}

function withoutLatency(tally: UploadTally): Omit<UploadTally, 'latencyMs'> {
  const { latencyMs: _unused, ...rest } = tally;
  return rest;
}

/** One row: a fresh sandbox process, a fresh limiter (and Redis key), a fresh client. */
export async function runUploadScenario(kind: UploadWorkoutKind, workout: Workout, limiterKind: 'memory' | 'redis', limits: UploadLimits): Promise<UploadScenarioResult> {
  const empty: UploadScenarioResult = { workout: kind, limiter: limiterKind, limits, createBytes: 0, planRequests: 0, seconds: 0 };
  let sandbox;
  try {
    sandbox = await startSandboxProcess({ quota: SANDBOX_QUOTA, timeZone: SANDBOX_TIME_ZONE });
  } catch (error) {
    return { ...empty, failure: describeFailure(error) };
  }
  const connections: Redis[] = [];
  const keyPrefix = benchKeyPrefix();
  const account = 'bench-uploads';
  let limiter: GrantingQuotaLimiter | undefined;
  let client: Client | undefined;
  const abort = new AbortController();
  const hardStop = setTimeout(() => abort.abort(new Error('the run passed its time limit by 45 s')), limits.maxSeconds * 1000 + HARD_STOP_AFTER_MS);
  try {
    // Loopback only, as the bench's own HTTPS client insists (createClient itself would take any https:// address).
    if (!['127.0.0.1', '[::1]', 'localhost'].includes(new URL(sandbox.url).hostname)) throw new RangeError(`[bench] the sandbox is not on loopback: ${sandbox.url}`);
    if (limiterKind === 'memory') limiter = createMemoryLimiter({ account, timeZone: sandbox.timeZone, burst: UPLOAD_BURST });
    else {
      const redis = await connectRedis();
      connections.push(redis);
      limiter = createRedisLimiter({ redis, account, timeZone: sandbox.timeZone, burst: UPLOAD_BURST, keyPrefix });
    }
    let tally = createTally();
    const onLog = (entry: ClientLogEntry): void => {
      if (entry.event !== 'request') return;
      tally.requestsByMethod[entry.method] = (tally.requestsByMethod[entry.method] ?? 0) + 1;
      if (entry.classification !== 'ok') count(tally.exchangeProblems, `${entry.method}: ${entry.classification ?? 'unclassified'}${entry.status ? ` (HTTP ${entry.status}${entry.code ? `, ${entry.code}` : ''})` : ''}`, entry.detail ?? entry.failure ?? '');
    };
    client = createClient({
      endpoint: sandbox.url,
      token: sandbox.token,
      ca: sandbox.certPem,
      account,
      limiter,
      maxSockets: limits.concurrency,
      timeouts: { answerMs: ANSWER_TIMEOUT_MS },
      log: onLog,
    });
    const signal = abort.signal;

    // Setup, in the warm-up tally: the limiter's sync (system.current) and the athlete.
    const { answer } = await client.call(buildAthleteList({ perPage: 1 }), { signal });
    const timeZone = await client.timeZone({ signal });
    const athleteId = readAthleteList(answer, { timeZone }).items[0]?.athleteId;
    if (athleteId === undefined) throw new Error('athlete.list: the sandbox account has no athlete');
    const prefix = `bench-${Date.now().toString(36)}-${kind.id}-${limiterKind}-c${limits.concurrency}-`;
    const plan = planWorkoutUpload(workout, { athleteId, timeZone, externalId: `${prefix}00000000` });
    const seen = new Set<string>();
    let next = 0;

    const uploadOne = async (into: UploadTally): Promise<void> => {
      const externalId = `${prefix}${String(next++).padStart(8, '0')}`;
      into.uploads++;
      const started = performance.now();
      try {
        const result = await uploadWorkout(client!, workout, { athleteId, externalId, signal });
        into.reportedRequests += result.requests;
        if (result.reconciled) into.reconciled++;
        if (seen.has(result.workoutId)) {
          count(into.failures, 'workout_id given twice', `workout_id ${result.workoutId}`);
          return;
        }
        seen.add(result.workoutId);
        into.ok++;
        into.latencyMs.push(performance.now() - started);
      } catch (error) {
        if (isUploadError(error)) {
          into.reportedRequests += error.requests ?? 0;
          count(into.failures, `UploadError ${error.code}`, error.message);
        } else count(into.failures, 'error', describeFailure(error));
      }
    };
    const workers = (body: () => Promise<void>): Promise<void[]> => Promise.all(Array.from({ length: limits.concurrency }, body));

    await workers(async () => {
      while (next < limits.warmupUploads && !signal.aborted) await uploadOne(tally);
    });
    const warmup = tally;
    tally = createTally();
    const timed = tally;
    const cpuServerBefore = (await sandbox.usage()).cpuMs;
    const end = next + limits.maxUploads;
    let stoppedBy: 'count' | 'time' = 'count';
    const cpuBefore = process.cpuUsage();
    const t0 = performance.now();
    const deadline = t0 + limits.maxSeconds * 1000;
    await workers(async () => {
      while (next < end && !signal.aborted) {
        if (performance.now() >= deadline) {
          stoppedBy = 'time';
          return;
        }
        await uploadOne(timed);
      }
    });
    const seconds = (performance.now() - t0) / 1000;
    const cpu = process.cpuUsage(cpuBefore);
    const cpuServerAfter = (await sandbox.usage()).cpuMs;
    return {
      ...empty,
      createBytes: Buffer.byteLength(plan.create),
      planRequests: plan.requestCount,
      warmup: withoutLatency(warmup),
      timed: withoutLatency(timed),
      seconds,
      stoppedBy,
      uploadsPerSecond: seconds > 0 ? timed.ok / seconds : undefined,
      requestsPerUpload: timed.uploads > 0 ? totalRequests(timed) / timed.uploads : undefined,
      ...summarizeLatency(timed.latencyMs),
      serverCpuMsPerUpload: timed.uploads > 0 ? (cpuServerAfter - cpuServerBefore) / timed.uploads : undefined,
      clientCpuMsPerUpload: timed.uploads > 0 ? (cpu.user + cpu.system) / 1000 / timed.uploads : undefined,
    };
  } catch (error) {
    return { ...empty, failure: describeFailure(error) };
  } finally {
    clearTimeout(hardStop);
    client?.close();
    await limiter?.close().catch(() => undefined);
    if (connections[0]) await connections[0].del(redisLimiterKey(account, keyPrefix)).catch(() => undefined);
    await closeRedis(connections);
    await sandbox.close();
  }
}

export function describeUploadScenario(r: UploadScenarioResult): string {
  const head = `uploads ${r.workout.id} ${r.limiter} × ${r.limits.concurrency}`;
  if (r.failure) return `${head}: not measured: ${r.failure}`;
  const t = r.timed;
  const failed = (t?.failures ?? []).reduce((sum, f) => sum + f.count, 0) + (r.warmup?.failures ?? []).reduce((sum, f) => sum + f.count, 0);
  return `${head}: ${t?.ok}/${t?.uploads} ok in ${r.seconds.toFixed(1)} s (${r.stoppedBy}), ${r.uploadsPerSecond?.toFixed(1)} uploads/s, ${r.requestsPerUpload?.toFixed(2)} requests/upload, median ${r.medianMs?.toFixed(1)} ms, ${failed} failed`;
}
