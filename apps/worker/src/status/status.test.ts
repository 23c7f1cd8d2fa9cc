import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRedisLimiter } from '@optimo-import/uploader';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createImportClient } from '../client/import-client.js';
import { connectTestRedis, createTestPrefix, deleteKeys, resultOf, startTestWorker } from '../client/test-redis.js';
import { jobIdOf } from '../jobs/job-data.js';
import type { ImportJobData } from '../jobs/job-data.js';
import { redisKeysOf } from '../jobs/keys.js';
import { createImportQueue } from '../jobs/queue.js';
import { formatDuration, formatStatus } from './format-status.js';
import { estimateFinish } from './migration-estimate.js';
import { gatherStatus, UNKNOWN_ZONE } from './status.js';
import type { ImportStatus, KnownAccountQuota } from './status.js';
import { statusCommand } from './status-command.js';

const prefix = createTestPrefix();
const keys = redisKeysOf(prefix);
const redis = connectTestRedis();
const queue = createImportQueue(redis, prefix);
/** Test quota days of 86,000 s (not the real day's 86,400: windows since the epoch): long enough that no test crosses a reset. */
const DAY_SECONDS = 86_000;
const HOUR = 3_600_000;
const now = Date.now();
const accounts = [{ name: 'acct-config', timeZone: 'Europe/Lisbon' }, { name: 'acct-worker' }, { name: 'acct-none' }];
let status: ImportStatus;
let folder: string;

beforeAll(async () => {
  folder = await mkdtemp(join(tmpdir(), 'status-'));
  const client = createImportClient({ redis, prefix });
  const submit = (fileName: string): Promise<string> => client.submit({ account: 'acct-config', athleteId: '42', file: randomBytes(48), fileName });
  const finished = [await submit('good-1.fit'), await submit('good-2.fit'), await submit('bad.fit'), await submit('lost.fit')];
  const worker = startTestWorker({
    prefix,
    decide: (data, jobId) => {
      if (data.fileName === 'lost.fit') return { store: false, fail: 'transient: gave up after 40 attempts' };
      if (data.fileName === 'bad.fit') return resultOf(data, jobId, { outcome: 'failed', workoutIds: [], entries: [], code: 'corrupt', reason: '[fit] byte 14: bad header' });
      return resultOf(data, jobId);
    },
  });
  try {
    await Promise.all(finished.map((jobId) => client.waitForResult(jobId, { timeoutMs: 20_000 })));
  } finally {
    await worker.close();
  }
  for (const name of ['wait-1.fit', 'wait-2.fit', 'wait-3.fit']) await submit(name);
  const hash = 'd'.repeat(64);
  const delayed: ImportJobData = { v: 1, account: 'acct-config', athleteId: '42', file: { kind: 'path', path: '/srv/d.fit' }, fileName: 'd.fit', contentHash: hash, origin: 'watch', submittedAt: now };
  await queue.add('import', delayed, { jobId: jobIdOf('acct-config', hash), delay: HOUR });
  await client.close();

  // acct-config: synced, 1000 used of 5000 (reserve 250), held; acct-worker: zone learnt, not synced.
  const limiter = createRedisLimiter({ redis, account: 'acct-config', timeZone: 'Europe/Lisbon', keyPrefix: keys.quotaPrefix, daySeconds: DAY_SECONDS });
  await limiter.acquire({ sync: true });
  const redisNow = Number((await redis.time())[0]) * 1000;
  const resetsInSeconds = Math.ceil(((Math.floor(redisNow / 1000 / DAY_SECONDS) + 1) * DAY_SECONDS * 1000 - redisNow) / 1000);
  await limiter.sync({ used: 1000, limit: 5000, resetsInSeconds });
  await limiter.close();
  await redis.hset(keys.accountZone, 'acct-worker', 'America/New_York');
  await redis.hset(keys.accountHold, 'acct-config', JSON.stringify({ until: now + HOUR, code: 'quota-spent', reason: 'the day is spent' }));
  await redis.hset(keys.accountHold, 'acct-worker', JSON.stringify({ until: now - HOUR, code: 'bad-token', reason: 'over' }));

  // m-run: paced by its rate; m-big: by the quota; m-done: finished.
  await redis.zadd(keys.migrations, now - 3 * HOUR, 'm-done', now - 2 * HOUR, 'm-run', now - HOUR, 'm-big');
  await redis.hset(keys.migration('m-run'), { total: 100, startedAt: now - 2 * HOUR, account: 'acct-config', athleteId: '42', imported: 20, duplicate: 5, failed: 5, requests: 60, updatedAt: now - 60_000 });
  await redis.hset(keys.migration('m-big'), { total: 10_000, account: 'acct-config', athleteId: '7', requestsPerFile: 1.5 });
  await redis.hset(keys.migration('m-done'), { total: 10, startedAt: now - 3 * HOUR, account: 'acct-gone', imported: 9, partial: 1, requests: 12, updatedAt: now - 2.5 * HOUR });

  status = await gatherStatus({ redis, prefix, accounts, daySeconds: DAY_SECONDS, now: () => now });
});

afterAll(async () => {
  await queue.close();
  await deleteKeys(redis, prefix);
  await redis.quit();
  if (folder) await rm(folder, { recursive: true, force: true });
});

describe('gatherStatus', () => {
  it('counts the jobs by state', () => {
    expect(status.queue).toEqual({ waiting: 3, prioritized: 3, active: 0, delayed: 1, failed: 2, completed: 2 });
    expect(status.generatedAt).toBe(new Date(now).toISOString());
  });

  it('lists failed jobs with the stored reason, else BullMQ’s', () => {
    const byName = new Map(status.failed.map((job) => [job.fileName, job]));
    expect(status.failed).toHaveLength(2);
    expect(byName.get('bad.fit')).toMatchObject({ account: 'acct-config', reason: '[fit] byte 14: bad header', code: 'corrupt', attemptsMade: 1 });
    expect(byName.get('lost.fit')).toMatchObject({ account: 'acct-config', reason: 'transient: gave up after 40 attempts', attemptsMade: 1 });
    expect(byName.get('lost.fit')?.code).toBeUndefined();
    for (const job of status.failed) expect(Date.parse(job.failedAt ?? '')).toBeGreaterThan(now - 60_000);
  });

  it('reads each account’s quota with its configured or learnt zone', () => {
    const [configured, learnt, none] = status.accounts;
    expect(configured).toMatchObject({ account: 'acct-config', timeZone: 'Europe/Lisbon', zoneSource: 'config', synced: true, used: 1000, limit: 5000, reserve: 250, left: 3750 });
    expect(configured).toMatchObject({ hold: { until: new Date(now + HOUR).toISOString(), code: 'quota-spent', reason: 'the day is spent' } });
    const resetAt = Date.parse((configured as KnownAccountQuota).resetAt);
    expect(resetAt % (DAY_SECONDS * 1000)).toBe(0);
    expect(resetAt).toBeGreaterThan(now);
    expect(learnt).toMatchObject({ account: 'acct-worker', timeZone: 'America/New_York', zoneSource: 'worker', synced: false, used: 0, left: 0, limit: 5000 });
    expect(learnt).not.toHaveProperty('hold');
    expect(none).toEqual({ account: 'acct-none', unknown: UNKNOWN_ZONE });
  });

  it('reports migrations newest first with counts and an estimated finish', () => {
    expect(status.migrations.map((migration) => migration.id)).toEqual(['m-big', 'm-run', 'm-done']);
    const [big, run, done] = status.migrations;
    expect(run).toMatchObject({
      account: 'acct-config',
      athleteId: '42',
      total: 100,
      done: 30,
      remaining: 70,
      counts: { imported: 20, duplicate: 5, partial: 0, failed: 5 },
      requests: 60,
      finished: false,
      startedAt: new Date(now - 2 * HOUR).toISOString(),
      // 70 files at the 30 files / 2 h so far; its 140 requests fit in today's 3750 with time to spare.
      estimatedFinish: new Date(now + (70 * 2 * HOUR) / 30).toISOString(),
      estimate: { by: 'rate', requestsPerFile: 2, remainingRequests: 140 },
    });
    // 15000 requests: 3750 left today, then 11250 at 4750 a day.
    const resetAt = Date.parse((status.accounts[0] as KnownAccountQuota).resetAt);
    expect(big).toMatchObject({ total: 10_000, done: 0, remaining: 10_000, estimate: { by: 'quota', requestsPerFile: 1.5, remainingRequests: 15_000 } });
    expect(Date.parse(big?.estimatedFinish ?? '')).toBe(Math.round(resetAt + (11_250 / 4750) * DAY_SECONDS * 1000));
    expect(big?.startedAt).toBe(new Date(now - HOUR).toISOString());
    expect(done).toMatchObject({ finished: true, done: 10, remaining: 0, counts: { imported: 9, partial: 1, duplicate: 0, failed: 0 } });
    expect(done).not.toHaveProperty('estimatedFinish');
  });

  it('answers for an empty prefix without writing anything', async () => {
    const empty = createTestPrefix();
    const nothing = await gatherStatus({ redis, prefix: empty, accounts: [] });
    expect(nothing).toMatchObject({ queue: { waiting: 0, active: 0, delayed: 0, failed: 0, completed: 0 }, failed: [], accounts: [], migrations: [] });
    expect(await deleteKeys(redis, empty)).toBe(0);
  });
});

describe('estimateFinish', () => {
  it('follows the worked example: 3000 requests, 1000 left with 10 h to the reset, 4750 a day', () => {
    const day = 24 * HOUR;
    const estimate = estimateFinish({ now: 0, remaining: 3000, requestsPerFile: 1, quota: { left: 1000, allowance: 4750, resetAt: 10 * HOUR }, dayMs: day });
    expect(estimate).toEqual({ finishAt: Math.round(10 * HOUR + (2000 / 4750) * day), by: 'quota', requestsPerFile: 1, remainingRequests: 3000 });
    expect(estimateFinish({ now: 0, remaining: 500, requestsPerFile: 1, quota: { left: 1000, allowance: 4750, resetAt: 10 * HOUR }, dayMs: day })?.finishAt).toBe(5 * HOUR);
    expect(estimateFinish({ now: 0, remaining: 0, requestsPerFile: 1, dayMs: day })).toBeUndefined();
    expect(estimateFinish({ now: 0, remaining: 10, requestsPerFile: 1, dayMs: day })).toBeUndefined();
  });
});

describe('formatStatus', () => {
  it('prints one line per fact', () => {
    const lines = formatStatus(status);
    expect(lines[0]).toBe('queue: 3 waiting, 0 active, 1 delayed, 2 failed, 2 done');
    expect(lines[1]).toBe('failed (latest 2):');
    expect(lines.some((line) => /^ {2}\d{4}-\d\d-\d\d \d\d:\d\dZ {2}acct-config {2}bad\.fit {2}corrupt: \[fit\] byte 14: bad header$/.test(line))).toBe(true);
    expect(lines.some((line) => line.endsWith('acct-config  lost.fit  transient: gave up after 40 attempts'))).toBe(true);
    expect(lines).toContain('quota today:');
    expect(lines.find((line) => line.startsWith('  acct-config'))).toMatch(/^ {2}acct-config \(Europe\/Lisbon\): 1000 used of 5000, 3750 left \(250 kept for priority work\), resets .*Z \(in .*\)$/);
    expect(lines).toContain('    held until ' + `${new Date(now + HOUR).toISOString().slice(0, 16).replace('T', ' ')}Z (in 1 h): quota-spent: the day is spent`);
    expect(lines.find((line) => line.startsWith('  acct-worker'))).toMatch(/^ {2}acct-worker \(America\/New_York, learnt by a worker\): not synced with the server today/);
    expect(lines).toContain(`  acct-none: ${UNKNOWN_ZONE}`);
    expect(lines).toContain('migrations:');
    expect(lines).toContain('  m-run acct-config → athlete 42: 30 of 100 files done (20 imported, 5 duplicate, 0 partial, 5 failed), 70 to go');
    expect(lines.find((line) => line.includes('estimated finish') && line.includes('by the pace so far'))).toContain('(in 4 h 40 min;');
    expect(lines.find((line) => line.includes('by the quota'))).toContain('1.5 requests a file, 15000 requests to go');
    expect(lines).toContain('  m-done acct-gone: 10 of 10 files done (9 imported, 0 duplicate, 1 partial, 0 failed), finished');
  });

  it('escapes control characters of a failed file name and its reason', () => {
    const [first] = status.failed;
    if (!first) throw new Error('no failed job');
    const lines = formatStatus({ ...status, failed: [{ ...first, fileName: 'bad\nforged line\u001b[2J.fit', reason: 'one\ntwo' }] });
    expect(lines.find((line) => line.includes('forged'))).toContain('bad\\nforged line\\u001b[2J.fit  corrupt: one\\ntwo');
    for (const line of lines) expect(['\n', '\u001b'].filter((c) => line.includes(c))).toEqual([]);
  });

  it('formats durations', () => {
    expect([40_000, 12 * 60_000, 5 * HOUR + 20 * 60_000, 3 * 24 * HOUR + 2 * HOUR, 2 * HOUR].map(formatDuration)).toEqual(['40 s', '12 min', '5 h 20 min', '3 d 2 h', '2 h']);
  });
});

describe('statusCommand', () => {
  async function run(args: string[], env: Record<string, string>): Promise<{ code: number; out: string[]; err: string[] }> {
    const out: string[] = [];
    const err: string[] = [];
    const code = await statusCommand(args, { out: (line) => out.push(line), err: (line) => err.push(line) }, { usage: 'usage text', context: { env, cwd: folder }, prefix, now: () => now, connectTimeoutMs: 1000 });
    return { code, out, err };
  }
  const env = { OPTIMO_ENDPOINT: 'https://optimo.example.test', OPTIMO_TOKEN: 'status-test-token', OPTIMO_TIME_ZONE: 'Europe/Lisbon', REDIS_URL: 'redis://127.0.0.1:6379', OPTIMO_DAY_SECONDS: String(DAY_SECONDS) };

  it('prints the status as text, and as JSON with --json', async () => {
    const text = await run([], env);
    expect(text.err).toEqual([]);
    expect(text.code).toBe(0);
    expect(text.out[0]).toBe('queue: 3 waiting, 0 active, 1 delayed, 2 failed, 2 done');
    expect(text.out).toContain('quota today:');
    expect(text.out.find((line) => line.startsWith('  default'))).toMatch(/^ {2}default \(Europe\/Lisbon\): not synced/);

    const json = await run(['--json'], env);
    expect(json.code).toBe(0);
    expect(json.out).toHaveLength(1);
    const parsed = JSON.parse(json.out[0] ?? '') as ImportStatus;
    expect(parsed.queue).toEqual(status.queue);
    expect(parsed.migrations.find((migration) => migration.id === 'm-run')).toEqual(status.migrations.find((migration) => migration.id === 'm-run'));
    // acct-config is not configured here: no quota to estimate m-big by, and no file finished yet.
    expect(parsed.migrations.find((migration) => migration.id === 'm-big')).not.toHaveProperty('estimatedFinish');
    expect(parsed.accounts).toEqual([expect.objectContaining({ account: 'default', timeZone: 'Europe/Lisbon', zoneSource: 'config' })]);
    expect(json.out[0]).not.toContain('status-test-token');
  });

  it('needs no account: then it shows the queue and the migrations only', async () => {
    const bare = await run([], { REDIS_URL: 'redis://127.0.0.1:6379' });
    expect(bare.code).toBe(0);
    expect(bare.out[0]).toBe('queue: 3 waiting, 0 active, 1 delayed, 2 failed, 2 done');
    expect(bare.out).not.toContain('quota today:');
    expect(bare.out).toContain('migrations:');
  });

  it('exits 1 when Redis is unreachable, 2 on usage and config errors', async () => {
    const down = await run([], { ...env, REDIS_URL: 'redis://127.0.0.1:1' });
    expect(down.code).toBe(1);
    expect(down.err.join('\n')).toMatch(/^optimo-import status: Redis at redis:\/\/127\.0\.0\.1:1 is unreachable: /);
    expect((await run(['--bogus'], env)).code).toBe(2);
    expect((await run(['extra'], env)).code).toBe(2);
    const badDay = await run([], { ...env, OPTIMO_DAY_SECONDS: '5' });
    expect(badDay).toMatchObject({ code: 2, err: ['optimo-import status: OPTIMO_DAY_SECONDS must be a whole number of seconds from 10 to 86400, got "5"'] });
    const badConfig = await run([], { ...env, OPTIMO_ENDPOINT: 'http://plain.example.test' });
    expect(badConfig.code).toBe(2);
    expect(badConfig.err[0]).toMatch(/^optimo-import status: .*OPTIMO_ENDPOINT/);
    const token = await run(['--token=secret-value'], env);
    expect(token.code).toBe(2);
    expect(token.err.join('\n')).not.toContain('secret-value');
    expect((await run(['--help'], env)).out).toEqual(['usage text']);
  });
});
