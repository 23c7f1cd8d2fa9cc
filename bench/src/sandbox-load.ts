import { readIds, readResponse } from '@optimo-import/mapper';
import type { ApiClient } from './https-client.js';
import { percentile } from './stats.js';

/** A `workout.create` body whose external_id can be rewritten in place (same length each time). */
export interface CreateBodyTemplate {
  /** The body as planWorkoutUpload built it, external_id `${prefix}${'0'.repeat(ID_DIGITS)}`. */
  bytes: Buffer;
  /** Byte offset of the digits inside the body. */
  digitsOffset: number;
}

/** Digits of the request number in each external_id: every request of a run has its own. */
export const ID_DIGITS = 8;

/** Finds the external_id placeholder in a body; it must be there exactly once. */
export function makeCreateBodyTemplate(body: string, prefix: string): CreateBodyTemplate {
  const bytes = Buffer.from(body, 'utf8');
  const marker = `<external_id>${prefix}${'0'.repeat(ID_DIGITS)}</external_id>`;
  const at = bytes.indexOf(marker, 0, 'utf8');
  if (at < 0 || bytes.indexOf(marker, at + 1, 'utf8') >= 0) throw new Error(`[bench] the workout.create body must hold ${marker} exactly once`);
  return { bytes, digitsOffset: at + Buffer.byteLength(`<external_id>${prefix}`) };
}

export interface LoadLimits {
  concurrency: number;
  /** Untimed requests first (TLS handshakes, JIT), checked like the others. */
  warmupRequests: number;
  /** The timed phase ends at this many requests… */
  maxRequests: number;
  /** …or once this many seconds have passed (requests in flight then are waited for). */
  maxSeconds: number;
}

/** Failures of one kind, with the first message seen. */
export interface FailureCount {
  kind: string;
  count: number;
  example: string;
}

export interface LoadOutcome {
  /** Requests sent in the timed phase. */
  requests: number;
  /** Answers that were HTTP 200, status ok, with a workout_id not seen before in this run. */
  ok: number;
  failures: FailureCount[];
  warmupRequests: number;
  warmupFailures: FailureCount[];
  /** Wall time of the timed phase: first request written to last answer read. */
  seconds: number;
  stoppedBy: 'count' | 'time';
  /** Latency of the ok answers of the timed phase, ms. */
  latencyMs: number[];
  /** Request body bytes sent in the timed phase. */
  bodyBytes: number;
  /** CPU time (user + system) of this (client) process during the timed phase. */
  clientCpuMs: number;
}

/**
 * Sends `workout.create` bodies with a fixed number of requests in flight (each worker sends
 * its next request when its previous answer is in), every one with its own external_id, and
 * checks every answer. A request that fails for any reason (network, timeout, HTTP status,
 * `fail` answer, non-API answer, no or repeated workout_id) is counted by kind, never retried.
 */
export async function runCreateLoad(
  client: ApiClient,
  template: CreateBodyTemplate,
  limits: LoadLimits,
  beforeTimed: () => Promise<void> = async () => undefined,
): Promise<LoadOutcome> {
  const seen = new Set<string>();
  let next = 0;
  const take = (): number => next++;

  const warmup = createTally();
  await runWorkers(limits.concurrency, async (body) => {
    while (next < limits.warmupRequests) await sendOne(client, body, template, take(), seen, warmup);
  }, template);

  await beforeTimed();
  const timed = createTally();
  const end = next + limits.maxRequests;
  const deadline = performance.now() + limits.maxSeconds * 1000;
  let stoppedBy: LoadOutcome['stoppedBy'] = 'count';
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  await runWorkers(limits.concurrency, async (body) => {
    while (next < end) {
      if (performance.now() >= deadline) {
        stoppedBy = 'time';
        return;
      }
      await sendOne(client, body, template, take(), seen, timed);
    }
  }, template);
  const seconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  return {
    requests: timed.requests,
    ok: timed.latencyMs.length,
    failures: [...timed.failures.values()],
    warmupRequests: warmup.requests,
    warmupFailures: [...warmup.failures.values()],
    seconds,
    stoppedBy,
    latencyMs: timed.latencyMs,
    bodyBytes: timed.requests * template.bytes.length,
    clientCpuMs: (cpu.user + cpu.system) / 1000,
  };
}

/** Summary figures of a list of latencies. */
export function summarizeLatency(latencyMs: readonly number[]): { medianMs?: number; p95Ms?: number; maxMs?: number } {
  if (latencyMs.length === 0) return {};
  return { medianMs: percentile(latencyMs, 50), p95Ms: percentile(latencyMs, 95), maxMs: Math.max(...latencyMs) };
}

interface Tally {
  requests: number;
  latencyMs: number[];
  failures: Map<string, FailureCount>;
}

function createTally(): Tally {
  return { requests: 0, latencyMs: [], failures: new Map() };
}

function fail(tally: Tally, kind: string, example: string): void {
  const known = tally.failures.get(kind);
  if (known) known.count++;
  else tally.failures.set(kind, { kind, count: 1, example: example.replace(/\s+/g, ' ').trim().slice(0, 200) });
}

/** Each worker owns a copy of the body and rewrites its external_id digits before each send. */
async function runWorkers(concurrency: number, work: (body: Buffer) => Promise<void>, template: CreateBodyTemplate): Promise<void> {
  await Promise.all(Array.from({ length: Math.max(1, concurrency) }, () => work(Buffer.from(template.bytes))));
}

async function sendOne(client: ApiClient, body: Buffer, template: CreateBodyTemplate, index: number, seen: Set<string>, tally: Tally): Promise<void> {
  // Safe to rewrite: the previous request on this buffer has been answered, so it was sent whole.
  body.write(String(index).padStart(ID_DIGITS, '0'), template.digitsOffset, ID_DIGITS, 'latin1');
  tally.requests++;
  let answer;
  try {
    answer = await client.post(body);
  } catch (error) {
    fail(tally, 'network', error instanceof Error ? error.message : String(error));
    return;
  }
  const read = readResponse(answer.body, { status: answer.status });
  if (read.kind === 'not-api') {
    fail(tally, `HTTP ${answer.status}, not an API answer (${read.reason})`, read.detail);
    return;
  }
  if (read.kind === 'fail') {
    fail(tally, `HTTP ${answer.status}, fail ${read.code ?? 'without a code'}`, read.errors.join(' / '));
    return;
  }
  if (answer.status !== 200) {
    fail(tally, `HTTP ${answer.status} with status ok`, answer.body.toString('utf8', 0, 200));
    return;
  }
  const workoutId = readIds(read).workoutId;
  if (workoutId === undefined) {
    fail(tally, 'ok without a workout_id', answer.body.toString('utf8', 0, 200));
    return;
  }
  if (seen.has(workoutId)) {
    fail(tally, 'workout_id given twice', `workout_id ${workoutId}`);
    return;
  }
  seen.add(workoutId);
  tally.latencyMs.push(answer.ms);
}
