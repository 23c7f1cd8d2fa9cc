/**
 * The pipeline end to end, in both modes: real files (the repository's examples and fixture
 * builds) → parse → map → upload to the real sandbox over HTTPS; in queue mode through BullMQ on
 * the real Redis with a real worker.
 */
import { copyFile, mkdir, readdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { buildFitActivity, buildTcxBytes } from '@optimo-import/fixtures';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { sha256Hex } from '../src/jobs/hash.js';
import { jobIdOf } from '../src/jobs/job-data.js';
import type { ImportJobData, ImportResult } from '../src/jobs/job-data.js';
import { REDIS_KEYS } from '../src/jobs/keys.js';
import { createEmbeddedPipeline, createQueuePipeline } from '../src/jobs/pipeline.js';
import { createQueueRunner } from '../src/jobs/queue-runner.js';
import { createImportWorker } from '../src/jobs/queue-worker.js';
import { startKit } from './kit.js';
import type { Kit } from './kit.js';

const EXAMPLES = resolve(import.meta.dirname, '../../../examples');
const ATHLETE = '1';

async function jobFor(path: string, account: string, origin: ImportJobData['origin'] = 'migrate', migration?: string): Promise<ImportJobData> {
  const { readFile } = await import('node:fs/promises');
  const bytes = await readFile(path);
  return {
    v: 1,
    account,
    athleteId: ATHLETE,
    file: { kind: 'path', path },
    fileName: path.split('/').pop() as string,
    contentHash: sha256Hex(bytes),
    origin,
    submittedAt: Date.now(),
    ...(migration === undefined ? {} : { migration }),
  };
}

/** The examples, a FIT and a TCX of one ride, and a broken file, copied into a fresh folder. */
async function filesIn(dir: string): Promise<{ paths: string[]; ride: { fit: string; tcx: string }; bad: string }> {
  const folder = join(dir, 'files');
  await mkdir(folder, { recursive: true });
  const paths: string[] = [];
  for (const name of (await readdir(EXAMPLES)).sort()) {
    await copyFile(join(EXAMPLES, name), join(folder, name));
    paths.push(join(folder, name));
  }
  const start = Date.UTC(2023, 8, 3, 6, 30, 0);
  const fit = join(folder, 'sunday-ride.fit');
  const tcx = join(folder, 'sunday-ride.tcx');
  await writeFile(fit, buildFitActivity({ sport: 'cycling', startTime: start, durationSeconds: 1800 }));
  await writeFile(tcx, buildTcxBytes({ sport: 'Biking', startTime: start, durationSeconds: 1800 }));
  const bad = join(folder, 'broken.fit');
  await writeFile(bad, Buffer.concat([Buffer.from(buildFitActivity({ durationSeconds: 60 })).subarray(0, 40)]));
  return { paths: [...paths, fit, tcx, bad], ride: { fit, tcx }, bad };
}

function creates(kit: Kit): number {
  return kit.requests.filter((entry) => entry.method === 'workout.create' && entry.status === 200 && entry.code === null).length;
}

describe('embedded pipeline', () => {
  let kit: Kit;
  beforeAll(async () => {
    kit = await startKit({ timeZone: 'Europe/Lisbon' });
  });
  afterAll(async () => kit.close());

  it('imports every example, reports the FIT/TCX pair once and the broken file with its reason; a second run sends nothing', async () => {
    const { paths, ride, bad } = await filesIn(kit.dir);
    const stateDir = join(kit.dir, 'state');
    const run = async (): Promise<ImportResult[]> => {
      const pipeline = await createEmbeddedPipeline(stateDir, { accounts: kit.accounts, concurrency: 2 });
      try {
        const ids: string[] = [];
        for (const path of paths) ids.push((await pipeline.runner.enqueue(await jobFor(path, 'default'))).jobId);
        return await Promise.all(ids.map((id) => pipeline.runner.waitFor(id)));
      } finally {
        await pipeline.close();
      }
    };
    const first = await run();
    const byName = new Map(first.map((result) => [result.fileName, result]));
    const broken = byName.get('broken.fit');
    expect(broken?.outcome).toBe('failed');
    expect(broken?.code).toBe('truncated');
    expect(broken?.reason).toMatch(/broken\.fit/);
    const pair = [byName.get('sunday-ride.fit'), byName.get('sunday-ride.tcx')];
    expect(pair.map((result) => result?.outcome).sort()).toEqual(['duplicate', 'imported']);
    const duplicate = pair.find((result) => result?.outcome === 'duplicate');
    expect(duplicate?.entries[0]?.duplicateOf?.fileName).toMatch(/^sunday-ride\.(fit|tcx)$/);
    for (const result of first) {
      if (result.path === bad || result.path === ride.fit || result.path === ride.tcx) continue;
      expect(result.outcome, `${result.fileName}: ${result.reason ?? ''}`).toBe('imported');
      expect(result.workoutIds.length).toBeGreaterThan(0);
    }
    const uploaded = first.flatMap((result) => result.workoutIds);
    expect(new Set(uploaded).size).toBe(uploaded.length);
    const server = await kit.workouts(ATHLETE);
    expect(server.map((workout) => String(workout.workoutId)).sort()).toEqual([...uploaded].sort());
    const createsBefore = creates(kit);
    expect(createsBefore).toBe(uploaded.length);

    // The same files again: nothing is run again (the results file), nothing sent.
    const requestsBefore = kit.requests.length;
    const second = await run();
    expect(second.map((result) => result.outcome)).toEqual(first.map((result) => result.outcome));
    expect(kit.requests.length).toBe(requestsBefore);
  });
});

describe('queue pipeline (BullMQ on Redis)', () => {
  // A fresh account name per run: the ledger, the quota and the duplicate claims in Redis are per account.
  const ACCOUNT = `q${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
  let kit: Kit;
  let redis: Redis;
  beforeAll(async () => {
    kit = await startKit({ timeZone: 'Europe/Lisbon', account: ACCOUNT });
    redis = new Redis({ host: '127.0.0.1', port: 6379, maxRetriesPerRequest: null });
  });
  afterEach(async () => {
    const keys = [
      ...(await redis.keys(`${REDIS_KEYS.recordings(ACCOUNT, ATHLETE)}*`)),
      ...(await redis.keys(`${REDIS_KEYS.ledgerPrefix}${ACCOUNT}|*`)),
      `${REDIS_KEYS.quotaPrefix}${ACCOUNT}`,
    ];
    await redis.del(...keys);
    await redis.hdel(REDIS_KEYS.accountZone, ACCOUNT);
    await redis.hdel(REDIS_KEYS.accountHold, ACCOUNT);
  });
  afterAll(async () => {
    redis.disconnect();
    await kit.close();
  });

  it('one worker imports the files; a bad file fails at once without retries; the same file twice is one job', async () => {
    expect(kit.accounts.map((account) => account.name)).toEqual([ACCOUNT]);
    const { paths, bad } = await filesIn(kit.dir);
    const pipeline = createQueuePipeline(redis, { accounts: kit.accounts });
    const worker = createImportWorker({ connection: redis.duplicate(), deps: pipeline.deps, concurrency: 3 });
    const runner = createQueueRunner({ redis });
    const jobs: ImportJobData[] = [];
    try {
      for (const path of paths) jobs.push(await jobFor(path, ACCOUNT, 'migrate'));
      const enqueued = await Promise.all(jobs.map((job) => runner.enqueue(job)));
      expect(enqueued.every((entry) => entry.added)).toBe(true);
      const again = await runner.enqueue(jobs[0] as ImportJobData);
      expect(again).toEqual({ jobId: enqueued[0]?.jobId, added: false });
      const results = await Promise.all(enqueued.map((entry) => runner.waitFor(entry.jobId)));
      const failed = results.filter((result) => result.outcome === 'failed');
      expect(failed.map((result) => result.path)).toEqual([bad]);
      const badJob = await runner.queue.getJob(jobIdOf(ACCOUNT, (jobs.find((job) => job.file.kind === 'path' && job.file.path === bad) as ImportJobData).contentHash));
      expect(await badJob?.getState()).toBe('failed');
      expect(badJob?.attemptsMade).toBe(1);
      expect(badJob?.failedReason).toMatch(/^truncated: /);
      const uploaded = results.flatMap((result) => result.workoutIds);
      expect(new Set(uploaded).size).toBe(uploaded.length);
      expect(results.filter((result) => result.outcome === 'duplicate')).toHaveLength(1);
      expect(creates(kit)).toBe(uploaded.length);
    } finally {
      await worker.close();
      for (const job of jobs) {
        const id = jobIdOf(job.account, job.contentHash);
        await redis.hdel(REDIS_KEYS.results, id);
        await (await runner.queue.getJob(id))?.remove();
      }
      await runner.close();
      await pipeline.close();
    }
  });
});
