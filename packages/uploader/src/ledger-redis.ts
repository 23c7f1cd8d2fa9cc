/**
 * A Redis ledger: one string key per entry (`<prefix><key>` → the entry as JSON), shared by every
 * process that uses the same Redis and prefix. A write resolves once Redis acknowledged it; how
 * durable that is depends on the server (`appendonly yes` with `appendfsync always` survives a
 * Redis crash; without persistence a Redis restart forgets the ledger, and the next attempt then
 * relies on the lookup or on the API's 40900 duplicate answer). Entries expire after `ttlSeconds`.
 */
import type { Redis } from 'ioredis';
import { checkLedgerKey, parseLedgerEntry } from './ledger.js';
import type { UploadLedger } from './ledger.js';

export interface RedisLedgerOptions {
  /** An ioredis connection (the ledger does not close it). */
  redis: Redis;
  /** Key prefix; default `optimo-import:ledger:`. Give each account its own. */
  prefix?: string;
  /** Seconds an entry is kept after its last write; default 30 days. */
  ttlSeconds?: number;
}

export function createRedisLedger(options: RedisLedgerOptions): UploadLedger {
  const { redis } = options;
  if (typeof redis?.set !== 'function') throw new RangeError('[redis-ledger] option `redis` must be an ioredis connection');
  const prefix = options.prefix ?? 'optimo-import:ledger:';
  if (typeof prefix !== 'string') throw new RangeError(`[redis-ledger] option \`prefix\` must be a string, got ${typeof prefix}`);
  const ttlSeconds = options.ttlSeconds ?? 30 * 86_400;
  if (!Number.isInteger(ttlSeconds) || ttlSeconds < 1) throw new RangeError(`[redis-ledger] option \`ttlSeconds\` must be a whole number ≥ 1, got ${ttlSeconds}`);
  return {
    async read(key) {
      const redisKey = prefix + checkLedgerKey(key, 'redis-ledger');
      const text = await redis.get(redisKey);
      if (text === null) return undefined;
      let value: unknown;
      try {
        value = JSON.parse(text);
      } catch {
        throw new Error(`[redis-ledger] ${redisKey}: not JSON`);
      }
      return parseLedgerEntry(value, `[redis-ledger] ${redisKey}`);
    },
    async write(key, entry) {
      const redisKey = prefix + checkLedgerKey(key, 'redis-ledger');
      const checked = parseLedgerEntry(entry, '[redis-ledger] write');
      const reply = await redis.set(redisKey, JSON.stringify(checked), 'EX', ttlSeconds);
      if (reply !== 'OK') throw new Error(`[redis-ledger] SET ${redisKey} answered ${String(reply)}`);
    },
    async remove(key) {
      await redis.del(prefix + checkLedgerKey(key, 'redis-ledger'));
    },
  };
}
