import { describe, expect, it } from 'vitest';
import { redisLimiterKey } from '@optimo-import/uploader';
import { LIMITER_ACCOUNT, LIMITER_SCENARIOS, liftedQuotaState, runLimiterScenario } from './limiter-bench.js';
import { benchKeyPrefix, closeRedis, connectRedis } from './redis-connection.js';

const scenario = (id: string) => {
  const found = LIMITER_SCENARIOS.find((s) => s.id === id);
  if (!found) throw new Error(`no scenario ${id}`);
  return found;
};

/** The limiter benchmark's loop on a few tokens: every grant counted once, nothing left in Redis. */
describe('runLimiterScenario', () => {
  it('syncs to a huge limit that resets at the next UTC midnight', () => {
    const state = liftedQuotaState(Date.UTC(2026, 0, 2, 23, 59, 0, 500));
    expect(state).toEqual({ used: 1, limit: 1_000_000_000, resetsInSeconds: 60 });
  });

  it('grants every acquire of the memory limiter, and counts each once', async () => {
    const r = await runLimiterScenario(scenario('memory-1x4'), { warmupAcquires: 10, maxAcquires: 200, maxSeconds: 10 });
    expect(r.failure).toBeUndefined();
    expect(r).toMatchObject({ acquires: 200, granted: 200, counted: 200, failures: [], stoppedBy: 'count' });
    expect(r.tokensLeft).toBeGreaterThan(1_000_000);
    expect(r.medianUs).toBeGreaterThan(0);
  });

  it('shares one Redis bucket between limiters on their own connections, and deletes it', async () => {
    const redis = await connectRedis();
    try {
      const prefix = benchKeyPrefix();
      const r = await runLimiterScenario(scenario('redis-4x4'), { warmupAcquires: 16, maxAcquires: 200, maxSeconds: 20 }, prefix);
      expect(r.failure).toBeUndefined();
      expect(r).toMatchObject({ acquires: 200, granted: 200, counted: 200, failures: [] });
      expect(r.redisCpuUsPerToken).toBeGreaterThanOrEqual(0);
      expect(await redis.exists(redisLimiterKey(LIMITER_ACCOUNT, prefix))).toBe(0);
    } finally {
      await closeRedis([redis]);
    }
  });
});
