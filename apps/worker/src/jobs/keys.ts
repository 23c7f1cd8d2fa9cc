/**
 * Every Redis key this project keeps besides BullMQ's own (`optimo-import:imports:*`), in one place.
 * Documented for other languages in docs/job-format.md.
 */
import { KEY_PREFIX } from './job-data.js';

/** The keys under one prefix (`KEY_PREFIX` in production; tests use a prefix of their own). */
export function redisKeysOf(prefix: string) {
  return {
    /** Hash: job id → the job's final `ImportResult` as JSON. */
    results: `${prefix}:results`,
    /** String (binary): the bytes of a file submitted without a shared path. */
    file: (jobId: string): string => `${prefix}:file:${jobId}`,
    /** Sorted set per account and athlete: start second → recordings claimed (cross-file duplicates). */
    recordings: (account: string, athleteId: string): string => `${prefix}:recordings:${account}:${athleteId}`,
    /** Hash: a migration's totals and counters (`total`, `startedAt`, and one counter per file outcome). */
    migration: (id: string): string => `${prefix}:migration:${id}`,
    /** Hash: the job ids of a migration that reached a final outcome (idempotent counting). */
    migrationFinished: (id: string): string => `${prefix}:migration:${id}:finished`,
    /** Sorted set: migration ids by start time (epoch ms). */
    migrations: `${prefix}:migrations`,
    /** Upload ledger prefix (uploader's Redis ledger). */
    ledgerPrefix: `${prefix}:ledger:`,
    /** Quota limiter prefix (uploader's Redis limiter). */
    quotaPrefix: `${prefix}:quota:`,
    /** Hash: per account, epoch ms until which its jobs wait (spent quota, refused token) and why. */
    accountHold: `${prefix}:hold`,
    /** Hash: account → its IANA zone, as the workers learnt it from `system.current` (for `status`). */
    accountZone: `${prefix}:zone`,
  } as const;
}

export type RedisKeys = ReturnType<typeof redisKeysOf>;

export const REDIS_KEYS: RedisKeys = redisKeysOf(KEY_PREFIX);
