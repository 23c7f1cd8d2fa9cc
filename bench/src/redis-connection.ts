import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';

/** The Redis the uploader benchmark uses: loopback only, the shared one of the project's tests. */
export const BENCH_REDIS = { host: '127.0.0.1', port: 6379 } as const;

/** A key prefix of this run's own: every key the bench makes starts with it, and is deleted. */
export function benchKeyPrefix(): string {
  return `optimo-bench:${randomUUID()}:`;
}

/**
 * One ioredis connection of its own (no reconnecting, no offline queue, one try per command), so
 * that a Redis that is not there fails a scenario at once instead of hanging it.
 */
export async function connectRedis(): Promise<Redis> {
  const redis = new Redis({
    ...BENCH_REDIS,
    lazyConnect: true,
    connectTimeout: 3000,
    commandTimeout: 10_000,
    maxRetriesPerRequest: 1,
    enableOfflineQueue: false,
    retryStrategy: () => null,
  });
  try {
    await redis.connect();
  } catch (error) {
    redis.disconnect();
    throw new Error(`[bench] cannot reach Redis at ${BENCH_REDIS.host}:${BENCH_REDIS.port}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
  return redis;
}

/** Closes connections, quietly: a connection that already failed has nothing left to close. */
export async function closeRedis(connections: readonly Redis[]): Promise<void> {
  await Promise.all(
    connections.map(async (redis) => {
      try {
        await redis.quit();
      } catch {
        redis.disconnect();
      }
    }),
  );
}

/** The Redis server's CPU time so far (user + system, ms), from `INFO cpu`: every client's work, not only ours. */
export async function redisServerCpuMs(redis: Redis): Promise<number | undefined> {
  try {
    const info = await redis.info('cpu');
    const read = (field: string): number => Number(new RegExp(`^${field}:([0-9.]+)`, 'm').exec(info)?.[1] ?? Number.NaN);
    const seconds = read('used_cpu_user') + read('used_cpu_sys');
    return Number.isFinite(seconds) ? seconds * 1000 : undefined;
  } catch {
    return undefined;
  }
}
