/**
 * `optimo-import status` as data: the queue's jobs by state, the latest failed jobs and why, each
 * account's quota today, and each recent migration's progress and estimated finish. Reads Redis
 * only; writes nothing.
 *
 * An account's quota follows its local day, so its zone is needed: the configured `timeZone`,
 * else the one a worker learnt from `system.current` (`REDIS_KEYS.accountZone`), else the account
 * is reported as unknown until a worker has run.
 *
 * Migration hashes (`REDIS_KEYS.migration(id)`, ids in `REDIS_KEYS.migrations`) are read for:
 * `total`, `startedAt` (epoch ms; else the id's score in `migrations`), `account`, `athleteId`,
 * `requestsPerFile` (optional, the migrate command's estimate), and the counters the result store
 * keeps: `imported`, `duplicate`, `partial`, `failed`, `requests`, `updatedAt`. The finish estimate
 * is ./migration-estimate.ts; an account not synced today is taken to have its whole day left.
 */
import { createRedisLimiter } from '@optimo-import/uploader';
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { KEY_PREFIX, QUEUE_NAME } from '../jobs/job-data.js';
import type { FileOutcome, ImportJobData } from '../jobs/job-data.js';
import { redisKeysOf } from '../jobs/keys.js';
import { createRedisResultStore } from '../jobs/result-store.js';
import { estimateFinish } from './migration-estimate.js';
import type { MigrationEstimate } from './migration-estimate.js';

export interface StatusAccount {
  name: string;
  /** The configured zone; absent: the one a worker learnt. */
  timeZone?: string;
  /** The configured daily quota (the limit shown before the first sync). */
  dailyQuota?: number;
}

export interface GatherStatusOptions {
  redis: Redis;
  /** Default `KEY_PREFIX`. */
  prefix?: string;
  accounts: readonly StatusAccount[];
  /** Length of a test "day" (the sandbox's `--day-seconds`); default the real day. */
  daySeconds?: number;
  /** Failed jobs listed, newest first. Default 20. */
  failedLimit?: number;
  /** Migrations listed, newest first. Default 5. */
  migrationLimit?: number;
  /** Epoch ms. Default `Date.now`. */
  now?: () => number;
}

/** Jobs by state. `waiting` counts every job not started and not delayed, `prioritized` the part of them with a priority (all of this project's). */
export interface QueueCounts {
  waiting: number;
  prioritized: number;
  active: number;
  delayed: number;
  failed: number;
  /** Done: completed jobs BullMQ still keeps (30 days). */
  completed: number;
}

export interface FailedJob {
  jobId: string;
  fileName?: string;
  account?: string;
  /** The stored result's reason, else BullMQ's `failedReason`. */
  reason: string;
  /** The error code of the stored result. */
  code?: string;
  /** ISO 8601. */
  failedAt?: string;
  attemptsMade: number;
}

export interface AccountHold {
  /** ISO 8601: the account's jobs wait until then. */
  until: string;
  code?: string;
  reason?: string;
}

export interface KnownAccountQuota {
  account: string;
  timeZone: string;
  /** Where the zone came from: the config, or a worker (`system.current`). */
  zoneSource: 'config' | 'worker';
  /** False until a worker synced the count with the server today (then `used` and `left` are 0). */
  synced: boolean;
  used: number;
  limit: number;
  /** Kept for priority work. */
  reserve: number;
  /** Requests normal work may still send today (0 while draining or unsynced). */
  left: number;
  /** ISO 8601: the next reset. */
  resetAt: string;
  /** ISO 8601: a 429 holds every request until then. */
  drainUntil?: string;
  hold?: AccountHold;
}

export interface UnknownAccountQuota {
  account: string;
  /** Why the quota is not known. */
  unknown: string;
  hold?: AccountHold;
}

export type AccountQuota = KnownAccountQuota | UnknownAccountQuota;

export interface MigrationStatus {
  id: string;
  account?: string;
  athleteId?: string;
  /** Files in the migration. */
  total: number;
  /** Files finished (the four counters). */
  done: number;
  remaining: number;
  counts: Record<FileOutcome, number>;
  /** Requests its finished files cost. */
  requests: number;
  /** ISO 8601. */
  startedAt?: string;
  /** ISO 8601: the last file finished. */
  updatedAt?: string;
  finished: boolean;
  /** ISO 8601. */
  estimatedFinish?: string;
  estimate?: Omit<MigrationEstimate, 'finishAt'>;
}

export interface ImportStatus {
  /** ISO 8601. */
  generatedAt: string;
  queue: QueueCounts;
  failed: FailedJob[];
  accounts: AccountQuota[];
  migrations: MigrationStatus[];
}

export const UNKNOWN_ZONE = 'unknown until a worker has run (no time zone configured, and no worker has learnt it from the API yet)';
const FILE_OUTCOMES: readonly FileOutcome[] = ['imported', 'duplicate', 'partial', 'failed'];
const DAY_SECONDS = 86_400;

/** The counts of `QueueCounts` (also for the worker's `optimo_import_jobs` gauge). */
export async function readQueueCounts(queue: Pick<Queue, 'getJobCounts'>): Promise<QueueCounts> {
  const counts = await queue.getJobCounts('waiting', 'prioritized', 'waiting-children', 'active', 'delayed', 'failed', 'completed');
  const n = (key: string): number => counts[key] ?? 0;
  return {
    waiting: n('waiting') + n('prioritized') + n('waiting-children'),
    prioritized: n('prioritized'),
    active: n('active'),
    delayed: n('delayed'),
    failed: n('failed'),
    completed: n('completed'),
  };
}

const iso = (ms: number | undefined): string | undefined => (ms === undefined || !Number.isFinite(ms) || ms <= 0 ? undefined : new Date(ms).toISOString());

function numberOf(text: string | undefined): number | undefined {
  if (text === undefined || text === '') return undefined;
  const value = Number(text);
  return Number.isFinite(value) ? value : undefined;
}

function holdOf(text: string | null | undefined, now: number): AccountHold | undefined {
  if (text === null || text === undefined) return undefined;
  try {
    const hold = JSON.parse(text) as { until?: unknown; code?: unknown; reason?: unknown };
    if (typeof hold.until !== 'number' || hold.until <= now) return undefined;
    return {
      until: new Date(hold.until).toISOString(),
      ...(typeof hold.code === 'string' ? { code: hold.code } : {}),
      ...(typeof hold.reason === 'string' ? { reason: hold.reason } : {}),
    };
  } catch {
    return { until: 'unknown', reason: `unreadable hold: ${text.slice(0, 200)}` };
  }
}

export async function gatherStatus(options: GatherStatusOptions): Promise<ImportStatus> {
  const { redis, accounts } = options;
  const prefix = options.prefix ?? KEY_PREFIX;
  const keys = redisKeysOf(prefix);
  const now = (options.now ?? Date.now)();
  const daySeconds = options.daySeconds ?? DAY_SECONDS;
  const failedLimit = options.failedLimit ?? 20;
  const migrationLimit = options.migrationLimit ?? 5;
  const queue = new Queue<ImportJobData, unknown, string>(QUEUE_NAME, { connection: redis, prefix, skipMetasUpdate: true });
  try {
    const counts = await readQueueCounts(queue);
    const failed = await readFailed(queue, createRedisResultStore(redis, prefix), failedLimit);
    const quotas = await readQuotas(redis, keys, accounts, daySeconds, now);
    const migrations = await readMigrations(redis, keys, migrationLimit, quotas, daySeconds, now);
    return { generatedAt: new Date(now).toISOString(), queue: counts, failed, accounts: quotas, migrations };
  } finally {
    await queue.close();
  }
}

async function readFailed(queue: Queue<ImportJobData, unknown, string>, results: ReturnType<typeof createRedisResultStore>, limit: number): Promise<FailedJob[]> {
  if (limit <= 0) return [];
  const jobs = (await queue.getFailed(0, limit - 1)).filter((job) => typeof job?.id === 'string');
  const stored = await results.readMany(jobs.map((job) => job.id as string));
  return jobs.map((job, i) => {
    const result = stored[i];
    const data = (job.data ?? {}) as Partial<ImportJobData>;
    const fileName = result?.fileName ?? (typeof data.fileName === 'string' ? data.fileName : undefined);
    const account = result?.account ?? (typeof data.account === 'string' ? data.account : undefined);
    const failedAt = iso(job.finishedOn);
    const reason = result?.reason ?? (job.failedReason || 'no reason recorded');
    return {
      jobId: job.id as string,
      ...(fileName === undefined ? {} : { fileName }),
      ...(account === undefined ? {} : { account }),
      reason,
      ...(result?.code === undefined ? {} : { code: result.code }),
      ...(failedAt === undefined ? {} : { failedAt }),
      attemptsMade: job.attemptsMade ?? 0,
    };
  });
}

async function readQuotas(redis: Redis, keys: ReturnType<typeof redisKeysOf>, accounts: readonly StatusAccount[], daySeconds: number, now: number): Promise<AccountQuota[]> {
  if (accounts.length === 0) return [];
  const names = accounts.map((account) => account.name);
  const learnt = await redis.hmget(keys.accountZone, ...names);
  const holds = await redis.hmget(keys.accountHold, ...names);
  const out: AccountQuota[] = [];
  for (const [i, account] of accounts.entries()) {
    const hold = holdOf(holds[i], now);
    const withHold = hold === undefined ? {} : { hold };
    const timeZone = account.timeZone ?? learnt[i] ?? undefined;
    if (timeZone === undefined || timeZone === null) {
      out.push({ account: account.name, unknown: UNKNOWN_ZONE, ...withHold });
      continue;
    }
    try {
      const limiter = createRedisLimiter({
        redis,
        account: account.name,
        timeZone,
        keyPrefix: keys.quotaPrefix,
        daySeconds,
        ...(account.dailyQuota === undefined ? {} : { dailyQuota: account.dailyQuota }),
      });
      const status = await limiter.status();
      await limiter.close();
      const drainUntil = iso(status.drainUntil);
      out.push({
        account: account.name,
        timeZone,
        zoneSource: account.timeZone === undefined ? 'worker' : 'config',
        synced: status.synced,
        used: status.usedToday,
        limit: status.limit,
        reserve: status.reserve,
        left: status.available,
        resetAt: new Date(status.resetAt).toISOString(),
        ...(drainUntil === undefined ? {} : { drainUntil }),
        ...withHold,
      });
    } catch (error) {
      out.push({ account: account.name, unknown: `the quota could not be read: ${(error as Error)?.message ?? String(error)}`, ...withHold });
    }
  }
  return out;
}

async function readMigrations(
  redis: Redis,
  keys: ReturnType<typeof redisKeysOf>,
  limit: number,
  quotas: readonly AccountQuota[],
  daySeconds: number,
  now: number,
): Promise<MigrationStatus[]> {
  if (limit <= 0) return [];
  const listed = await redis.zrevrange(keys.migrations, 0, limit - 1, 'WITHSCORES');
  const out: MigrationStatus[] = [];
  for (let i = 0; i + 1 < listed.length; i += 2) {
    const id = listed[i] as string;
    const fields = await redis.hgetall(keys.migration(id));
    const count = (name: string): number => Math.max(0, numberOf(fields[name]) ?? 0);
    const counts = Object.fromEntries(FILE_OUTCOMES.map((outcome) => [outcome, count(outcome)])) as Record<FileOutcome, number>;
    const done = FILE_OUTCOMES.reduce((sum, outcome) => sum + counts[outcome], 0);
    const total = count('total');
    const remaining = Math.max(0, total - done);
    const requests = count('requests');
    const startedAt = numberOf(fields.startedAt) ?? numberOf(listed[i + 1]);
    const updatedAt = numberOf(fields.updatedAt);
    const finished = total > 0 && remaining === 0;
    const planned = numberOf(fields.requestsPerFile);
    const requestsPerFile = done > 0 ? requests / done : planned !== undefined && planned >= 0 ? planned : 1;
    const quota = quotas.find((candidate): candidate is KnownAccountQuota => candidate.account === fields.account && 'timeZone' in candidate);
    const estimate = finished
      ? undefined
      : estimateFinish({
          now,
          remaining,
          requestsPerFile,
          ...(quota === undefined
            ? {}
            : { quota: { left: quota.synced ? quota.left : quota.limit - quota.reserve, allowance: quota.limit - quota.reserve, resetAt: Date.parse(quota.resetAt) } }),
          ...(startedAt === undefined ? {} : { progress: { done, startedAt } }),
          dayMs: daySeconds * 1000,
        });
    const started = iso(startedAt);
    const updated = iso(updatedAt);
    out.push({
      id,
      ...(fields.account === undefined ? {} : { account: fields.account }),
      ...(fields.athleteId === undefined ? {} : { athleteId: fields.athleteId }),
      total,
      done,
      remaining,
      counts,
      requests,
      ...(started === undefined ? {} : { startedAt: started }),
      ...(updated === undefined ? {} : { updatedAt: updated }),
      finished,
      ...(estimate === undefined
        ? {}
        : {
            estimatedFinish: new Date(estimate.finishAt).toISOString(),
            estimate: { by: estimate.by, requestsPerFile: Math.round(estimate.requestsPerFile * 100) / 100, remainingRequests: estimate.remainingRequests },
          }),
    });
  }
  return out;
}
