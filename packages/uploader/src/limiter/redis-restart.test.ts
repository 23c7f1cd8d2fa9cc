/**
 * A real `redis-server` of the test's own, killed (SIGKILL, as a crash) and started again, with
 * and without persistence: the limiter must not grant from a count that may be low, and must
 * re-sync before anything is sent.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { createRedisLimiter, redisLimiterKey } from './redis-limiter.js';
import { LIMITER_LUA_SHA } from './redis-script.js';
import type { RedisServer } from './test-redis.js';
import { freePort, startRedisServer, waitReady } from './test-redis.js';

const DAY_MS = 86_400_000;
const ACCOUNT = 'mountain-club';
const cleanups: Array<() => Promise<void>> = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function toUtcMidnight(): number {
  return Math.ceil(((Math.floor(Date.now() / DAY_MS) + 1) * DAY_MS - Date.now()) / 1000);
}

async function serverWith(port: number, args: string[]): Promise<RedisServer> {
  const server = await startRedisServer(port, args);
  cleanups.push(() => server.kill());
  return server;
}

async function setup(args: string[]): Promise<{ port: number; redis: Redis; server: RedisServer }> {
  const port = await freePort();
  const server = await serverWith(port, args);
  const redis = new Redis({ host: '127.0.0.1', port, retryStrategy: () => 20, maxRetriesPerRequest: null });
  cleanups.push(async () => redis.disconnect());
  return { port, redis, server };
}

describe('Redis limiter across a Redis restart', () => {
  it('without persistence: the state is gone, so needs-sync until the server count comes back', async () => {
    const args = ['--save', '', '--appendonly', 'no'];
    const { port, redis, server } = await setup(args);
    const limiter = createRedisLimiter({ account: ACCOUNT, timeZone: 'UTC', redis });
    await limiter.sync({ used: 10, limit: 200, resetsInSeconds: toUtcMidnight() });
    for (let i = 0; i < 3; i++) await limiter.acquireGrant();
    expect(await limiter.status()).toMatchObject({ synced: true, usedToday: 13 });

    await server.kill();
    await serverWith(port, args);
    await waitReady(redis);

    expect(await redis.exists(redisLimiterKey(ACCOUNT))).toBe(0);
    await expect(limiter.acquire()).rejects.toMatchObject({ name: 'LimiterError', code: 'needs-sync', message: expect.stringContaining('restart without persistence') });
    await expect(limiter.acquire({ priority: true })).rejects.toMatchObject({ code: 'needs-sync' });
    expect(await limiter.status()).toMatchObject({ synced: false, usedToday: 0, available: 0 });
    // The sync request goes (unmetered); the server's count includes it and everything sent before.
    expect(await limiter.acquireGrant({ sync: true })).toMatchObject({ metered: false });
    await limiter.sync({ used: 14, limit: 200, resetsInSeconds: toUtcMidnight() });
    expect(await limiter.acquireGrant()).toMatchObject({ usedToday: 15, metered: true });
  });

  it('with persistence: the reloaded state carries the old run_id, so it is not trusted either', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'optimo-limiter-redis-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const args = ['--save', '', '--appendonly', 'yes', '--appendfsync', 'always', '--dir', dir];
    const { port, redis, server } = await setup(args);
    const limiter = createRedisLimiter({ account: ACCOUNT, timeZone: 'UTC', redis });
    await limiter.sync({ used: 10, limit: 200, resetsInSeconds: toUtcMidnight() });
    for (let i = 0; i < 3; i++) await limiter.acquireGrant();

    await server.kill();
    await serverWith(port, args);
    await waitReady(redis);

    expect(await redis.hget(redisLimiterKey(ACCOUNT), 'used')).toBe('13'); // reloaded from the append-only file
    await expect(limiter.acquire()).rejects.toMatchObject({ code: 'needs-sync', message: expect.stringContaining('another run_id') });
    await limiter.sync({ used: 13, limit: 200, resetsInSeconds: toUtcMidnight() });
    expect(await limiter.acquireGrant()).toMatchObject({ usedToday: 14 });
  });

  it('loads the script again after SCRIPT FLUSH (NOSCRIPT falls back to EVAL)', async () => {
    const { redis } = await setup(['--save', '', '--appendonly', 'no']);
    const limiter = createRedisLimiter({ account: ACCOUNT, timeZone: 'UTC', redis });
    await limiter.sync({ used: 0, limit: 100, resetsInSeconds: toUtcMidnight() });
    await redis.script('FLUSH');
    expect(await redis.script('EXISTS', LIMITER_LUA_SHA)).toEqual([0]);
    expect(await limiter.acquireGrant()).toMatchObject({ usedToday: 1 });
    expect(await redis.script('EXISTS', LIMITER_LUA_SHA)).toEqual([1]);
  });
});
