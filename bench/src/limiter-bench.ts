/**
 * The cost of one token of the uploader's quota limiter: `acquire()` in a loop on a limiter
 * synced with a huge limit and a large burst, so the pace never makes anyone wait and what is
 * measured is the limiter's own work (a Redis round trip with the Lua script, or the in-process
 * bucket).
 */
import { createMemoryLimiter, createRedisLimiter, quotaWindowAt, redisLimiterKey } from '@optimo-import/uploader';
import type { GrantingQuotaLimiter } from '@optimo-import/uploader';
import type { Redis } from 'ioredis';
import { describeFailure } from './contender.js';
import { benchKeyPrefix, closeRedis, connectRedis, redisServerCpuMs } from './redis-connection.js';
import type { FailureCount } from './sandbox-load.js';
import { percentile } from './stats.js';

/** The synced limit: far above any count a run reaches. */
export const LIMITER_LIMIT = 1_000_000_000;
/** The bucket: a fresh window starts with this many tokens, more than any run takes, so no acquire waits. */
export const LIMITER_BURST = 10_000_000;
export const LIMITER_ZONE = 'UTC';
export const LIMITER_ACCOUNT = 'bench-limiter';

export interface LimiterScenario {
  id: string;
  kind: 'memory' | 'redis';
  /** Limiters on the same bucket; each Redis one has its own connection. */
  instances: number;
  /** Callers per limiter, each awaiting one acquire after another. */
  callersPerInstance: number;
}

export interface LimiterLimits {
  /** Untimed acquires first (JIT, the script loaded, connections warm). */
  warmupAcquires: number;
  /** The timed phase ends at this many acquires… */
  maxAcquires: number;
  /** …or after this many seconds. */
  maxSeconds: number;
}

export interface LimiterScenarioResult {
  scenario: LimiterScenario;
  limits: LimiterLimits;
  /** Acquires started and granted in the timed phase. */
  acquires: number;
  granted: number;
  failures: FailureCount[];
  seconds: number;
  stoppedBy?: 'count' | 'time';
  /** Granted tokens per second of the timed phase, all callers together. */
  tokensPerSecond?: number;
  /** Wall time of each acquire, from the call to its promise resolving (a queued caller's wait included), µs. */
  medianUs?: number;
  p95Us?: number;
  maxUs?: number;
  /** This process's CPU (user + system) per granted token, µs. */
  clientCpuUsPerToken?: number;
  /** The Redis server's CPU per granted token, µs (`INFO cpu`: every client of that server counts). */
  redisCpuUsPerToken?: number;
  /** `usedToday` after minus before the timed phase: must equal `granted`. */
  counted?: number;
  /** Tokens in the bucket at the end (the pace never waited while this stayed above 0). */
  tokensLeft?: number;
  failure?: string;
}

export const LIMITER_SCENARIOS: readonly LimiterScenario[] = [
  { id: 'memory-1x1', kind: 'memory', instances: 1, callersPerInstance: 1 },
  { id: 'memory-1x4', kind: 'memory', instances: 1, callersPerInstance: 4 },
  { id: 'redis-1x1', kind: 'redis', instances: 1, callersPerInstance: 1 },
  { id: 'redis-1x4', kind: 'redis', instances: 1, callersPerInstance: 4 },
  { id: 'redis-4x1', kind: 'redis', instances: 4, callersPerInstance: 1 },
  { id: 'redis-4x4', kind: 'redis', instances: 4, callersPerInstance: 4 },
];

export function limiterLimitsFor(kind: LimiterScenario['kind'], quick: boolean): LimiterLimits {
  const scale = quick ? 0.5 : 1;
  // A memory acquire takes microseconds, a Redis one a loopback round trip (tens of µs and up).
  return kind === 'memory'
    ? { warmupAcquires: 5000, maxAcquires: Math.round(3_000_000 * scale), maxSeconds: 1 * scale }
    : { warmupAcquires: 500, maxAcquires: Math.round(150_000 * scale), maxSeconds: 2 * scale };
}

/** `system.current` as it would be now: one request used, the day's limit huge, the reset at the zone's next midnight. */
export function liftedQuotaState(now: number = Date.now()): { used: number; limit: number; resetsInSeconds: number } {
  const window = quotaWindowAt(now, LIMITER_ZONE);
  return { used: 1, limit: LIMITER_LIMIT, resetsInSeconds: Math.ceil((window.end - now) / 1000) };
}

const collectGarbage = (globalThis as { gc?: () => void }).gc ?? (() => undefined);

/** One row; the Redis hash (`keyPrefix`, a fresh one by default) is deleted at its end. */
export async function runLimiterScenario(scenario: LimiterScenario, limits: LimiterLimits, keyPrefix: string = benchKeyPrefix()): Promise<LimiterScenarioResult> {
  const empty: LimiterScenarioResult = { scenario, limits, acquires: 0, granted: 0, failures: [], seconds: 0 };
  const connections: Redis[] = [];
  const limiters: GrantingQuotaLimiter[] = [];
  try {
    if (scenario.kind === 'memory') {
      limiters.push(createMemoryLimiter({ account: LIMITER_ACCOUNT, timeZone: LIMITER_ZONE, burst: LIMITER_BURST }));
    } else {
      for (let i = 0; i < scenario.instances; i++) {
        const redis = await connectRedis();
        connections.push(redis);
        limiters.push(createRedisLimiter({ redis, account: LIMITER_ACCOUNT, timeZone: LIMITER_ZONE, burst: LIMITER_BURST, keyPrefix }));
      }
    }
    const first = limiters[0];
    if (!first) throw new Error('no limiter');
    // One sync fills the shared bucket (Redis) or the one bucket (memory).
    await first.sync(liftedQuotaState());
    return await measure(scenario, limits, limiters, connections[0], empty);
  } catch (error) {
    return { ...empty, failure: describeFailure(error) };
  } finally {
    await Promise.all(limiters.map((l) => l.close().catch(() => undefined)));
    if (connections[0]) await connections[0].del(redisLimiterKey(LIMITER_ACCOUNT, keyPrefix)).catch(() => undefined);
    await closeRedis(connections);
  }
}

async function measure(scenario: LimiterScenario, limits: LimiterLimits, limiters: GrantingQuotaLimiter[], redis: Redis | undefined, empty: LimiterScenarioResult): Promise<LimiterScenarioResult> {
  const callers = limiters.flatMap((limiter) => Array.from({ length: scenario.callersPerInstance }, () => limiter));
  const failures = new Map<string, FailureCount>();
  const fail = (error: unknown): void => {
    const kind = (error as { code?: unknown }).code;
    const key = typeof kind === 'string' ? kind : 'error';
    const known = failures.get(key);
    if (known) known.count++;
    else failures.set(key, { kind: key, count: 1, example: describeFailure(error) });
  };
  const tooManyFailures = (): boolean => [...failures.values()].reduce((sum, f) => sum + f.count, 0) >= 100;

  // Warm-up: untimed, the same loop.
  let started = 0;
  await Promise.all(
    callers.map(async (limiter) => {
      while (started < limits.warmupAcquires && !tooManyFailures()) {
        started++;
        await limiter.acquire().catch(fail);
      }
    }),
  );
  if (failures.size) return { ...empty, failures: [...failures.values()], failure: 'acquires failed in the warm-up' };

  const before = (await limiters[0]!.status()).usedToday;
  const redisCpuBefore = redis ? await redisServerCpuMs(redis) : undefined;
  collectGarbage();
  const latencyMs: number[] = [];
  let acquires = 0;
  let stoppedBy: 'count' | 'time' = 'count';
  const cpuBefore = process.cpuUsage();
  const t0 = performance.now();
  const deadline = t0 + limits.maxSeconds * 1000;
  await Promise.all(
    callers.map(async (limiter) => {
      while (acquires < limits.maxAcquires && !tooManyFailures()) {
        const t = performance.now();
        if (t >= deadline) {
          stoppedBy = 'time';
          return;
        }
        acquires++;
        try {
          await limiter.acquire();
          latencyMs.push(performance.now() - t);
        } catch (error) {
          fail(error);
        }
      }
    }),
  );
  const seconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  const redisCpuAfter = redis ? await redisServerCpuMs(redis) : undefined;
  const status = await limiters[0]!.status();
  const granted = latencyMs.length;
  return {
    ...empty,
    acquires,
    granted,
    failures: [...failures.values()],
    seconds,
    stoppedBy,
    tokensPerSecond: seconds > 0 ? granted / seconds : undefined,
    medianUs: granted ? percentile(latencyMs, 50) * 1000 : undefined,
    p95Us: granted ? percentile(latencyMs, 95) * 1000 : undefined,
    maxUs: granted ? latencyMs.reduce((m, v) => Math.max(m, v), 0) * 1000 : undefined,
    clientCpuUsPerToken: granted ? (cpu.user + cpu.system) / granted : undefined,
    redisCpuUsPerToken: granted && redisCpuBefore !== undefined && redisCpuAfter !== undefined ? ((redisCpuAfter - redisCpuBefore) * 1000) / granted : undefined,
    counted: status.usedToday - before,
    tokensLeft: status.tokens,
  };
}

export function describeLimiterScenario(r: LimiterScenarioResult): string {
  const s = r.scenario;
  const head = `limiter ${s.kind} ${s.instances}×${s.callersPerInstance}`;
  if (r.failure) return `${head}: not measured: ${r.failure}`;
  const failed = r.failures.reduce((sum, f) => sum + f.count, 0);
  return `${head}: ${r.granted}/${r.acquires} granted in ${r.seconds.toFixed(1)} s (${r.stoppedBy}), ${Math.round(r.tokensPerSecond ?? 0)} tokens/s, median ${r.medianUs?.toFixed(1)} µs, counted ${r.counted}, ${failed} failed`;
}
