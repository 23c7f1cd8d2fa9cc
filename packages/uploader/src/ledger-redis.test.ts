import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { createRedisLedger } from './ledger-redis.js';
import { testLedgerConformance } from './test-ledger-conformance.js';

/** Against the real Redis on 127.0.0.1:6379, under a prefix of its own, removed afterwards. */
const redis = new Redis({ host: '127.0.0.1', port: 6379, lazyConnect: true, maxRetriesPerRequest: 2 });
const prefix = `optimo-test:ledger:${randomUUID()}:`;
let n = 0;

afterAll(async () => {
  const keys = await redis.keys(`${prefix}*`);
  if (keys.length > 0) await redis.del(...keys);
  redis.disconnect();
});

describe('redis ledger', () => {
  testLedgerConformance(() => createRedisLedger({ redis, prefix: `${prefix}${(n += 1)}:` }));

  it('stores JSON under the prefix with a time to live', async () => {
    const ledger = createRedisLedger({ redis, prefix: `${prefix}ttl:`, ttlSeconds: 60 });
    await ledger.write('fit:1', { state: 'sending', at: 5, sampleCount: 2 });
    expect(JSON.parse((await redis.get(`${prefix}ttl:fit:1`))!)).toEqual({ state: 'sending', at: 5, sampleCount: 2 });
    const ttl = await redis.ttl(`${prefix}ttl:fit:1`);
    expect(ttl).toBeGreaterThan(50);
    expect(ttl).toBeLessThanOrEqual(60);
  });

  it('a damaged value is an error naming the key', async () => {
    await redis.set(`${prefix}bad:k`, '{nope');
    await expect(createRedisLedger({ redis, prefix: `${prefix}bad:` }).read('k')).rejects.toThrow(`[redis-ledger] ${prefix}bad:k: not JSON`);
  });

  it('refuses bad options', () => {
    expect(() => createRedisLedger({ redis: {} as never })).toThrow('[redis-ledger] option `redis` must be an ioredis connection');
    expect(() => createRedisLedger({ redis, ttlSeconds: 0 })).toThrow('[redis-ledger] option `ttlSeconds`');
  });
});
