/**
 * Holds and priorities of the queue, with a real BullMQ worker on the real Redis and the real
 * sandbox holding two accounts: a revoked token or a spent quota delays that account's jobs (they
 * do not fail, and the other account's jobs go on) until the token file holds the new token or
 * the quota resets; files from the watch folder overtake a running migration.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { resolveConfig } from '../src/config.js';
import type { ResolvedAccount } from '../src/config.js';
import { sha256Hex } from '../src/jobs/hash.js';
import { jobIdOf } from '../src/jobs/job-data.js';
import type { ImportJobData, ImportResult } from '../src/jobs/job-data.js';
import { REDIS_KEYS } from '../src/jobs/keys.js';
import { createQueuePipeline } from '../src/jobs/pipeline.js';
import { createQueueRunner } from '../src/jobs/queue-runner.js';
import { createImportWorker } from '../src/jobs/queue-worker.js';
import { cleanupAccount, connectRedis, distinctRides, freshAccount, startSandboxKit, until } from './cli-kit.js';
import type { SandboxKit } from './cli-kit.js';

/** This file's Redis database (see cli-kit.ts). */
const DB = 14;
const TOKEN_HOLD_MS = 3000;

/** Two sandbox accounts, one admin and one athlete each. */
function twoClubs(quotaA = 5000): unknown {
  return {
    accounts: [
      { name: 'club-a', timeZone: 'Europe/Lisbon', quota: quotaA, staff: [{ username: 'ana', role: 'admin' }], athletes: [{ firstName: 'Alice', lastName: 'Alves' }] },
      { name: 'club-b', timeZone: 'UTC', staff: [{ username: 'bea', role: 'admin' }], athletes: [{ firstName: 'Bruno', lastName: 'Bike' }] },
    ],
  };
}

interface Hold {
  until: number;
  code: string;
  reason: string;
}

async function holdOf(redis: Redis, account: string): Promise<Hold | undefined> {
  const text = await redis.hget(REDIS_KEYS.accountHold, account);
  return text === null ? undefined : (JSON.parse(text) as Hold);
}

describe('holds and priorities on the queue', () => {
  let redis: Redis;
  let kit: SandboxKit | undefined;
  const used: string[] = [];
  const closers: Array<() => Promise<void>> = [];

  beforeAll(() => {
    redis = connectRedis(DB);
  });
  afterAll(() => {
    redis.disconnect();
  });
  afterEach(async () => {
    for (const close of closers.splice(0).reverse()) await close();
    for (const account of used.splice(0)) await cleanupAccount(redis, account);
    await kit?.close();
    kit = undefined;
  });

  /** Config for worker accounts named fresh, each → a sandbox account; resolved as the worker does. */
  async function configure(sandboxAccounts: Record<string, string>): Promise<{ names: Record<string, string>; accounts: ResolvedAccount[]; tokenFiles: Record<string, string> }> {
    const active = kit as SandboxKit;
    const names = Object.fromEntries(Object.keys(sandboxAccounts).map((key) => [key, freshAccount(`h${key}`)]));
    used.push(...Object.values(names));
    const { env, tokenFiles } = await active.writeConfig(Object.fromEntries(Object.entries(sandboxAccounts).map(([key, sandboxName]) => [names[key] as string, sandboxName])));
    const config = await resolveConfig({ env, cwd: active.dir });
    return { names, accounts: config.accounts, tokenFiles };
  }

  /** A BullMQ worker (and a runner to enqueue with) over `accounts`; every result and log line recorded in order. */
  function startWorker(accounts: ResolvedAccount[], options: { concurrency: number; daySeconds?: number }) {
    const pipeline = createQueuePipeline(redis, { accounts, ...(options.daySeconds === undefined ? {} : { daySeconds: options.daySeconds }) });
    const connection = redis.duplicate();
    const finished: ImportResult[] = [];
    const logs: Array<Record<string, unknown>> = [];
    const worker = createImportWorker({
      connection,
      deps: { ...pipeline.deps, tokenHoldMs: TOKEN_HOLD_MS },
      concurrency: options.concurrency,
      hooks: { onResult: (result) => finished.push(result), onLog: (line) => logs.push(line) },
    });
    const runner = createQueueRunner({ redis, pollMs: 50 });
    closers.push(async () => {
      await worker.close();
      await runner.close();
      await pipeline.close();
      connection.disconnect();
    });
    return { worker, runner, finished, logs };
  }

  /** Jobs for `count` distinct rides of `account`'s athlete, written to files. */
  async function jobsFor(account: string, athleteId: string, rides: Uint8Array[], origin: ImportJobData['origin'] = 'migrate'): Promise<ImportJobData[]> {
    const folder = join((kit as SandboxKit).dir, `${account}-${origin}`);
    await mkdir(folder, { recursive: true });
    const jobs: ImportJobData[] = [];
    for (const [index, bytes] of rides.entries()) {
      const path = join(folder, `ride-${index}.fit`);
      await writeFile(path, bytes);
      jobs.push({ v: 1, account, athleteId, file: { kind: 'path', path }, fileName: `ride-${index}.fit`, contentHash: sha256Hex(bytes), origin, submittedAt: Date.now() });
    }
    return jobs;
  }

  const idOf = (job: ImportJobData): string => jobIdOf(job.account, job.contentHash);

  it('a revoked token holds that account\'s jobs (delayed, not failed) while the other account\'s complete; the new token in the token file lets them finish', async () => {
    kit = await startSandboxKit({ seed: twoClubs() });
    const [athleteA] = await kit.athleteIds('club-a');
    const [athleteB] = await kit.athleteIds('club-b');
    const { names, accounts, tokenFiles } = await configure({ a: 'club-a', b: 'club-b' });
    const a = names.a as string;
    const b = names.b as string;
    const { runner, finished, logs } = startWorker(accounts, { concurrency: 2 });
    const jobsA = await jobsFor(a, athleteA as string, distinctRides(4, Date.UTC(2022, 1, 1, 7)));
    const jobsB = await jobsFor(b, athleteB as string, distinctRides(4, Date.UTC(2022, 2, 1, 7)));

    // One file each while the token works: the account's runtime is built with it.
    for (const job of [jobsA[0], jobsB[0]] as ImportJobData[]) await runner.enqueue(job);
    for (const job of [jobsA[0], jobsB[0]] as ImportJobData[]) expect((await runner.waitFor(idOf(job))).outcome).toBe('imported');

    // The admin changes their password: the old token answers 401 from now on.
    const newToken = kit.sandbox.rotateToken('ana', { account: 'club-a' });
    const heldA = jobsA.slice(1);
    for (const job of [...heldA, ...jobsB.slice(1)]) await runner.enqueue(job);
    const doneB = await Promise.all(jobsB.slice(1).map((job) => runner.waitFor(idOf(job))));
    expect(doneB.map((result) => result.outcome)).toEqual(['imported', 'imported', 'imported']);
    const hold = await until('the account to be held for its token', async () => {
      const found = await holdOf(redis, a);
      return found?.code === 'bad-token' ? found : undefined;
    });
    expect(hold.until).toBeGreaterThan(Date.now() - TOKEN_HOLD_MS);
    expect(hold.until).toBeLessThanOrEqual(Date.now() + TOKEN_HOLD_MS);
    expect(hold.reason).toMatch(/refused the token/);
    await until('every held job to be delayed', async () => {
      const states = await Promise.all(heldA.map(async (job) => (await runner.queue.getJob(idOf(job)))?.getState()));
      return states.every((state) => state === 'delayed');
    });
    expect(await runner.queue.getJobCounts('failed')).toEqual({ failed: 0 });
    expect(await Promise.all(heldA.map((job) => runner.result(idOf(job))))).toEqual([undefined, undefined, undefined]);
    expect(await holdOf(redis, b)).toBeUndefined();
    expect(logs.some((line) => line.event === 'hold' && line.account === a && line.code === 'bad-token')).toBe(true);

    // The new token goes into the token file: the held jobs go on once the hold ends.
    await writeFile(tokenFiles[a] as string, `${newToken}\n`);
    const doneA = await Promise.all(heldA.map((job) => runner.waitFor(idOf(job))));
    expect(doneA.map((result) => result.outcome)).toEqual(['imported', 'imported', 'imported']);
    for (const job of heldA) expect(await (await runner.queue.getJob(idOf(job)))?.getState()).toBe('completed');
    expect(await runner.queue.getJobCounts('failed')).toEqual({ failed: 0 });
    expect(kit.creates('club-a')).toBe(4);
    expect(kit.creates('club-b')).toBe(4);
    // The other account never waited for it: its files finished before the held ones.
    const heldIds = new Set(heldA.map(idOf));
    const lastB = finished.map((result) => result.account).lastIndexOf(b);
    expect(lastB).toBeLessThan(finished.findIndex((result) => heldIds.has(result.jobId)));
    expect(await readFile(tokenFiles[a] as string, 'utf8')).toContain(newToken);
  });

  it('a token refused before the account was ever used (no runtime yet) holds its jobs too, and the new token file lets them finish', async () => {
    kit = await startSandboxKit({ seed: twoClubs() });
    const [athleteA] = await kit.athleteIds('club-a');
    const [athleteB] = await kit.athleteIds('club-b');
    const { names, accounts, tokenFiles } = await configure({ a: 'club-a', b: 'club-b' });
    const a = names.a as string;
    const b = names.b as string;
    const newToken = kit.sandbox.rotateToken('ana', { account: 'club-a' });
    const { runner } = startWorker(accounts, { concurrency: 2 });
    const jobsA = await jobsFor(a, athleteA as string, distinctRides(2, Date.UTC(2022, 3, 1, 7)));
    const jobsB = await jobsFor(b, athleteB as string, distinctRides(2, Date.UTC(2022, 4, 1, 7)));
    for (const job of [...jobsA, ...jobsB]) await runner.enqueue(job);

    expect((await Promise.all(jobsB.map((job) => runner.waitFor(idOf(job))))).map((result) => result.outcome)).toEqual(['imported', 'imported']);
    await until('the account to be held for its token', async () => (await holdOf(redis, a))?.code === 'bad-token');
    await until('its jobs to be delayed', async () => {
      const states = await Promise.all(jobsA.map(async (job) => (await runner.queue.getJob(idOf(job)))?.getState()));
      return states.every((state) => state === 'delayed');
    });
    expect(await runner.queue.getJobCounts('failed')).toEqual({ failed: 0 });

    await writeFile(tokenFiles[a] as string, `${newToken}\n`);
    expect((await Promise.all(jobsA.map((job) => runner.waitFor(idOf(job))))).map((result) => result.outcome)).toEqual(['imported', 'imported']);
    expect(await runner.queue.getJobCounts('failed')).toEqual({ failed: 0 });
    expect(kit.creates('club-a')).toBe(2);
  });

  it('a spent quota holds the account\'s jobs until the reset (delayed, none failed) while the other account\'s complete; then they finish', async () => {
    // club-a: 8 requests a "day" of 10 s (7 for normal work: 5 % kept in reserve), and 8 files to send.
    const DAY_SECONDS = 10;
    kit = await startSandboxKit({ seed: twoClubs(8), daySeconds: DAY_SECONDS });
    const [athleteA] = await kit.athleteIds('club-a');
    const [athleteB] = await kit.athleteIds('club-b');
    const { names, accounts } = await configure({ a: 'club-a', b: 'club-b' });
    const a = names.a as string;
    const b = names.b as string;
    const jobsA = await jobsFor(a, athleteA as string, distinctRides(8, Date.UTC(2022, 5, 1, 7)));
    const jobsB = await jobsFor(b, athleteB as string, distinctRides(3, Date.UTC(2022, 6, 1, 7)));
    // Start at the beginning of a quota day, so that the first day cannot hold all of club-a's files.
    const dayMs = DAY_SECONDS * 1000;
    await until('a fresh quota day', () => Date.now() % dayMs < 500, dayMs + 1000, 10);
    const { runner, finished, logs } = startWorker(accounts, { concurrency: 2, daySeconds: DAY_SECONDS });
    for (const job of jobsA) await runner.enqueue(job);
    for (const job of jobsB) await runner.enqueue(job);

    const hold = await until('the account to be held for its quota', async () => {
      const found = await holdOf(redis, a);
      return found?.code === 'quota-spent' ? found : undefined;
    });
    expect(hold.until).toBeGreaterThan(Date.now());
    expect(hold.until).toBeLessThanOrEqual(Math.ceil(Date.now() / dayMs) * dayMs + 1000);
    await until('a held job to be delayed', async () => {
      const states = await Promise.all(jobsA.map(async (job) => (await runner.queue.getJob(idOf(job)))?.getState()));
      return states.includes('delayed');
    });
    const doneB = await Promise.all(jobsB.map((job) => runner.waitFor(idOf(job))));
    expect(doneB.map((result) => result.outcome)).toEqual(['imported', 'imported', 'imported']);
    // club-b finished while club-a still had files waiting for the reset.
    const doneABeforeB = finished.filter((result) => result.account === a).length;
    expect(doneABeforeB).toBeLessThan(jobsA.length);

    const doneA = await Promise.all(jobsA.map((job) => runner.waitFor(idOf(job))));
    expect(doneA.every((result) => result.outcome === 'imported')).toBe(true);
    expect(await runner.queue.getJobCounts('failed')).toEqual({ failed: 0 });
    expect(logs.filter((line) => line.event === 'hold' && line.account === a).every((line) => line.code === 'quota-spent')).toBe(true);
    expect(kit.creates('club-a')).toBe(jobsA.length);
    // The limiter kept club-a inside its quota (the server never answered 429), and club-b was refused nothing.
    expect(kit.requests.filter((entry) => entry.status === 429)).toEqual([]);
    expect(kit.requests.filter((entry) => entry.account === 'club-b' && entry.code !== null)).toEqual([]);
    expect(finished.filter((result) => result.account === b)).toHaveLength(jobsB.length);
  }, 60_000);

  it('a watch-folder file overtakes a running migration (concurrency 1: it is the next job done)', async () => {
    // Every answer held 150 ms: the migration is still running when the watched file comes.
    kit = await startSandboxKit({ faults: 'slow-after:1', slowAfterMs: 150 });
    const { names, accounts } = await configure({ m: 'demo' });
    const account = names.m as string;
    const { worker, runner, finished } = startWorker(accounts, { concurrency: 1 });
    const migration = await jobsFor(account, '1', distinctRides(12, Date.UTC(2022, 7, 1, 7)), 'migrate');
    const [watched] = await jobsFor(account, '2', distinctRides(1, Date.UTC(2023, 0, 1, 7)), 'watch');
    const started = new Promise<void>((resolve) => worker.worker.once('active', () => resolve()));
    for (const job of migration) await runner.enqueue(job);
    await started;
    const doneBefore = finished.length;
    await runner.enqueue(watched as ImportJobData);
    await Promise.all([...migration, watched as ImportJobData].map((job) => runner.waitFor(idOf(job))));

    const order = finished.map((result) => result.origin);
    const watchAt = order.indexOf('watch');
    // Done before it: what was done when it came, the job in flight then, and at most one more taken meanwhile.
    expect(watchAt - doneBefore).toBeLessThanOrEqual(2);
    expect(order.slice(watchAt + 1).filter((origin) => origin === 'migrate').length).toBeGreaterThanOrEqual(migration.length - 3);
    expect(finished.every((result) => result.outcome === 'imported')).toBe(true);
  });
});
