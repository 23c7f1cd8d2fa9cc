/**
 * Faults, for real: `optimo-import` processes (the built bin) on a Redis of the test's own and the
 * sandbox over HTTPS in this process.
 *
 * - A worker killed with SIGKILL while its creates are stored but unanswered: another worker takes
 *   the jobs over once their locks lapse and settles them through the ledger (`sending` → a
 *   `workout.list` lookup), sending no second create.
 * - redis-server killed and started again mid-run (append-only file, fsync always): the workers
 *   and the migration that follows them reconnect and finish; every file is one workout.
 *   (A restart WITHOUT persistence loses the queue, the ledger and the results: a documented
 *   limitation, not tested here.)
 * - SIGTERM with a job in flight: the worker finishes it, then exits 0.
 * - The watch folder in queue mode: a `watch --no-work` process and a `work` process; a good FIT,
 *   a broken FIT and a zip of two go to done/ and failed/ (with the report); SIGTERM exits 0.
 */
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { buildFitActivity, buildZip } from '@optimo-import/fixtures';
import { afterEach, describe, expect, it } from 'vitest';
import { sha256Hex } from '../src/jobs/hash.js';
import { jobIdOf } from '../src/jobs/job-data.js';
import type { ImportJobData, ImportResult } from '../src/jobs/job-data.js';
import { REDIS_KEYS } from '../src/jobs/keys.js';
import { createImportQueue, enqueueImport } from '../src/jobs/queue.js';
import { parseResult } from '../src/jobs/result-store.js';
import { startKit } from './kit.js';
import type { Kit } from './kit.js';
import { createsOf, serverWorkouts, spawnCli, startPrivateRedis, stopEverything, waitFor, workerEnv, workoutBytes, writeWorkoutFiles } from './processes.js';
import type { PrivateRedis, TestFile } from './processes.js';

const ATHLETE = '1';
const ACCOUNT = 'default';

const kits: Kit[] = [];
afterEach(async () => {
  await stopEverything();
  await Promise.all(kits.splice(0).map((kit) => kit.close()));
});

async function kitWith(options: Parameters<typeof startKit>[0]): Promise<Kit> {
  const kit = await startKit({ timeZone: 'Europe/Lisbon', ...options });
  kits.push(kit);
  return kit;
}

/** Enqueues the files as `enqueueImport` does for any producer; returns their job ids. */
async function enqueueFiles(redis: PrivateRedis, files: readonly TestFile[]): Promise<string[]> {
  const queue = createImportQueue(redis.client);
  try {
    const ids: string[] = [];
    for (const file of files) {
      const data: ImportJobData = {
        v: 1,
        account: ACCOUNT,
        athleteId: ATHLETE,
        file: { kind: 'path', path: file.path },
        fileName: file.name,
        contentHash: sha256Hex(await readFile(file.path)),
        origin: 'migrate',
        submittedAt: Date.now(),
      };
      const { jobId, added } = await enqueueImport(queue, data);
      expect(added).toBe(true);
      ids.push(jobId);
    }
    return ids;
  } finally {
    await queue.close();
  }
}

async function resultsOf(redis: PrivateRedis, jobIds: readonly string[]): Promise<Array<ImportResult | undefined>> {
  return jobIds.length === 0 ? [] : (await redis.client.hmget(REDIS_KEYS.results, ...jobIds)).map((text) => parseResult(text));
}

async function runIdOf(redis: PrivateRedis): Promise<string> {
  return /run_id:(\w+)/.exec(await redis.client.info('server'))?.[1] ?? '?';
}

async function ledgerStates(redis: PrivateRedis): Promise<string[]> {
  const keys = (await redis.client.keys(`${REDIS_KEYS.ledgerPrefix}*`)).sort();
  const values = keys.length === 0 ? [] : await redis.client.mget(...keys);
  return values.map((text) => (JSON.parse(text ?? '{}') as { state?: string }).state ?? '?');
}

describe('a worker killed with SIGKILL mid-upload', () => {
  it('another worker takes its jobs over and settles them through the ledger: no file lost, none created twice', async () => {
    const began = Date.now();
    // Every answer is held 4 s after the request is handled (a create is stored at once).
    const kit = await kitWith({ faults: 'slow-after:1', faultsSeed: 11, slowAfterMs: 4000 });
    const redis = await startPrivateRedis();
    const files = await writeWorkoutFiles(join(kit.dir, 'files'), 3, 1000);
    const jobIds = await enqueueFiles(redis, files);
    const env = workerEnv(kit, redis);
    const args = ['work', '--concurrency', '3', '--lock-ms', '2000', '--json'];

    const a = spawnCli(args, { env, cwd: kit.dir, name: 'worker A' });
    const heldCreates = (): number => kit.requests.filter((entry) => entry.method === 'workout.create' && entry.faults.includes('slow-after')).length;
    await waitFor('the three creates stored, their answers not yet sent', () => heldCreates() === 3, { timeoutMs: 40_000, intervalMs: 20, detail: () => a.tail() });
    a.kill('SIGKILL');
    expect(await a.exit).toEqual({ code: null, signal: 'SIGKILL' });
    // A died before any answer came: the ledger says `sending` for each, the jobs are still active (locked by a dead worker).
    expect(await ledgerStates(redis)).toEqual(['sending', 'sending', 'sending']);
    const queue = createImportQueue(redis.client);
    expect(await queue.getJobCounts('active', 'completed')).toEqual({ active: 3, completed: 0 });
    const killedAt = Date.now();

    const b = spawnCli(args, { env, cwd: kit.dir, name: 'worker B' });
    await waitFor('B to settle the three jobs', async () => (await resultsOf(redis, jobIds)).every((result) => result !== undefined), { timeoutMs: 60_000, intervalMs: 100, detail: () => b.tail() });
    const tookOverMs = Date.now() - killedAt;
    const results = (await resultsOf(redis, jobIds)) as ImportResult[];
    for (const result of results) {
      expect(result.outcome, result.reason).toBe('imported');
      expect(['uploaded', 'already-uploaded']).toContain(result.entries[0]?.outcome);
      // B sent no create: its one request is the lookup that found A's workout.
      expect(result.requests).toBe(1);
    }
    const bResults = b.events.filter((event) => event.event === 'result');
    expect(bResults.map((event) => event.jobId).sort()).toEqual([...jobIds].sort());

    const log = [...kit.requests];
    expect(log.filter((entry) => entry.method === 'workout.create')).toHaveLength(3);
    expect(createsOf(log)).toHaveLength(3);
    expect(log.filter((entry) => entry.code === 40900)).toEqual([]);
    expect(log.filter((entry) => entry.method === 'workout.list')).toHaveLength(3);
    expect(await ledgerStates(redis)).toEqual(['created', 'created', 'created']);

    // Each job was taken over once (a stall, not a failed attempt) and completed.
    let takeovers = 0;
    for (const id of jobIds) {
      const job = await queue.getJob(id);
      expect(await job?.getState()).toBe('completed');
      expect(job?.attemptsMade).toBe(1);
      takeovers += job?.stalledCounter ?? 0;
    }
    expect(takeovers).toBe(3);

    const server = await serverWorkouts(kit);
    expect(server).toHaveLength(3);
    expect(server.map((workout) => String(workout.workoutId)).sort()).toEqual(results.map((result) => result.workoutIds[0]).sort());
    expect(server.map((workout) => workout.externalId).sort()).toEqual(results.map((result) => result.entries[0]?.externalId).sort());

    b.kill('SIGTERM');
    expect(await b.exit).toEqual({ code: 0, signal: null });
    await queue.close();
    console.log(`[faults] SIGKILL: 3 jobs, ${takeovers} takeovers, B settled them ${(tookOverMs / 1000).toFixed(1)} s after the kill (lock 2 s, answers held 4 s); ${(Date.now() - began) / 1000} s in all`);
  }, 120_000);
});

describe('Redis restarted mid-run', () => {
  it('with persistence: the workers and the migration reconnect and finish, every file exactly one workout', async () => {
    const began = Date.now();
    const FILES = 30;
    // Answers held 500 ms, so that 30 files at 4 at once take a few seconds.
    const kit = await kitWith({ faults: 'slow-after:1', faultsSeed: 12, slowAfterMs: 500 });
    const redis = await startPrivateRedis({ persistent: true });
    const folder = join(kit.dir, 'files');
    const files = await writeWorkoutFiles(folder, FILES, 2000);
    const jobIds = await Promise.all(files.map(async (file) => jobIdOf(ACCOUNT, sha256Hex(await readFile(file.path)))));
    const env = workerEnv(kit, redis);
    const workers = [0, 1].map((i) => spawnCli(['work', '--concurrency', '2', '--json'], { env, cwd: kit.dir, name: `worker ${i + 1}` }));
    await Promise.all(workers.map((worker) => worker.waitForEvent('ready', (event) => event.event === 'ready', 30_000)));
    const migrate = spawnCli(['migrate', folder, '--athlete', ATHLETE, '--no-work', '--report', join(kit.dir, 'report')], { env, cwd: kit.dir, name: 'migrate' });

    const done = await waitFor('a quarter of the files settled', async () => {
      const count = await redis.client.hlen(REDIS_KEYS.results);
      return count >= FILES / 4 ? count : undefined;
    }, { timeoutMs: 60_000, intervalMs: 20, detail: () => [migrate, ...workers].map((p) => p.tail(10)).join('\n') });
    expect(done).toBeLessThan(FILES);
    const runBefore = await runIdOf(redis);
    const killedAt = Date.now();
    await redis.stop('SIGKILL');
    // Down for a second (the fault's length, not a wait for something): commands queue up in the clients meanwhile.
    await new Promise((resolve) => setTimeout(resolve, 1000));
    await redis.start();
    const restartedAt = Date.now();
    // The same data (append-only file, fsync always), a new server run: every limiter has to sync again.
    expect(await runIdOf(redis)).not.toBe(runBefore);
    expect(await redis.client.hlen(REDIS_KEYS.results)).toBeGreaterThanOrEqual(done);

    const exit = await Promise.race([
      migrate.exit,
      waitFor('the migration to end', () => migrate.exited(), { timeoutMs: 90_000, intervalMs: 200, detail: () => [migrate, ...workers].map((p) => p.tail(10)).join('\n') }).then(() => migrate.exit),
    ]);
    expect(exit, migrate.tail()).toEqual({ code: 0, signal: null });
    expect(workers.every((worker) => !worker.exited())).toBe(true);

    const results = await resultsOf(redis, jobIds);
    expect(results.filter((result) => result?.outcome !== 'imported').map((result) => `${result?.fileName}: ${result?.outcome} ${result?.reason ?? ''}`)).toEqual([]);
    const queue = createImportQueue(redis.client);
    expect(await queue.getJobCounts('completed', 'failed', 'active', 'wait', 'delayed', 'prioritized')).toEqual({ completed: FILES, failed: 0, active: 0, wait: 0, delayed: 0, prioritized: 0 });
    await queue.close();

    const log = [...kit.requests];
    expect(createsOf(log)).toHaveLength(FILES);
    expect(log.filter((entry) => entry.method === 'workout.create')).toHaveLength(FILES);
    expect(log.filter((entry) => entry.code === 40900)).toEqual([]);
    // The limiters saw the new run id and synced again before sending on.
    expect(log.filter((entry) => entry.method === 'system.current' && Date.parse(entry.time) >= killedAt).length).toBeGreaterThanOrEqual(1);
    const settled = results as ImportResult[];
    const server = await serverWorkouts(kit);
    expect(server).toHaveLength(FILES);
    expect(new Set(server.map((workout) => workout.externalId)).size).toBe(FILES);
    expect(server.map((workout) => String(workout.workoutId)).sort()).toEqual(settled.map((result) => result.workoutIds[0]).sort());

    for (const worker of workers) worker.kill('SIGTERM');
    expect(await Promise.all(workers.map((worker) => worker.exit))).toEqual([
      { code: 0, signal: null },
      { code: 0, signal: null },
    ]);
    const retried = settled.filter((result) => result.attempts > 1).length;
    const errors = workers.flatMap((worker) => worker.events.filter((event) => event.event === 'error' || event.event === 'retry'));
    console.log(
      `[faults] Redis restart: ${FILES} files, restarted after ${done} settled; finished ${((Date.now() - restartedAt) / 1000).toFixed(1)} s later; ` +
        `${retried} job(s) needed a second attempt, ${errors.length} worker error/retry line(s); ${(Date.now() - began) / 1000} s in all`,
    );
  }, 150_000);
});

describe('SIGTERM with a job in flight', () => {
  it('the worker finishes the job, then exits 0', async () => {
    const kit = await kitWith({ faults: 'slow-after:1', faultsSeed: 13, slowAfterMs: 2500 });
    const redis = await startPrivateRedis();
    const files = await writeWorkoutFiles(join(kit.dir, 'files'), 1, 3000);
    const [jobId] = await enqueueFiles(redis, files);
    const worker = spawnCli(['work', '--concurrency', '1', '--json'], { env: workerEnv(kit, redis), cwd: kit.dir, name: 'worker' });
    await waitFor('the create stored, its answer held', () => kit.requests.some((entry) => entry.method === 'workout.create'), { timeoutMs: 40_000, intervalMs: 20, detail: () => worker.tail() });
    expect(await resultsOf(redis, [jobId as string])).toEqual([undefined]);
    worker.kill('SIGTERM');
    expect(await worker.exit, worker.tail()).toEqual({ code: 0, signal: null });

    const order = worker.events.map((event) => event.event).filter((name) => name === 'stopping' || name === 'result' || name === 'stopped');
    expect(order).toEqual(['stopping', 'result', 'stopped']);
    const queue = createImportQueue(redis.client);
    const job = await queue.getJob(jobId as string);
    expect(await job?.getState()).toBe('completed');
    await queue.close();
    const [result] = await resultsOf(redis, [jobId as string]);
    expect(result?.outcome).toBe('imported');
    // Its requests: the limiter's first sync and the create (the zone probe before them is the worker's, not the job's).
    expect(kit.requests.map((entry) => entry.method)).toEqual(['system.current', 'system.current', 'workout.create']);
    expect(result?.requests).toBe(2);
    expect(createsOf(kit.requests)).toHaveLength(1);
    expect((await serverWorkouts(kit)).map((workout) => String(workout.workoutId))).toEqual(result?.workoutIds);
  }, 90_000);
});

describe('the watch folder, end to end in queue mode', () => {
  it('a watch process and a work process: a FIT and a zip of two to done/, a broken file to failed/ with its report; SIGTERM exits 0', async () => {
    const kit = await kitWith({});
    const redis = await startPrivateRedis();
    const inbox = join(kit.dir, 'inbox');
    await mkdir(inbox);
    const env = workerEnv(kit, redis);
    const worker = spawnCli(['work', '--concurrency', '2', '--json'], { env, cwd: kit.dir, name: 'worker' });
    const watcher = spawnCli(['watch', inbox, '--athlete', ATHLETE, '--no-work', '--json'], { env, cwd: kit.dir, name: 'watch' });
    await worker.waitForEvent('ready', (event) => event.event === 'ready', 30_000);
    await watcher.waitForEvent('ready', (event) => event.type === 'ready', 30_000);

    const good = workoutBytes(4000, 'fit');
    const zip = buildZip([
      { name: 'morning.fit', bytes: workoutBytes(4001, 'fit') },
      { name: 'evening.gpx', bytes: workoutBytes(4002, 'gpx') },
    ]);
    const broken = buildFitActivity({ durationSeconds: 60, startTime: Date.UTC(2023, 5, 1, 7) }).subarray(0, 40);
    await writeFile(join(inbox, 'ride.fit'), good);
    await writeFile(join(inbox, 'two.zip'), zip);
    await writeFile(join(inbox, 'broken.fit'), broken);

    const listing = async (): Promise<string[]> => {
      const out: string[] = [];
      for (const sub of ['', 'done', 'failed']) {
        const names = await readdir(join(inbox, sub)).catch(() => [] as string[]);
        out.push(...names.map((name) => join(sub, name)));
      }
      return out.sort();
    };
    const expected = ['done', 'done/ride.fit', 'done/two.zip', 'failed', 'failed/broken.fit', 'failed/broken.fit.error.json'];
    await waitFor('the three files moved', async () => JSON.stringify(await listing()) === JSON.stringify(expected), {
      timeoutMs: 60_000,
      intervalMs: 100,
      detail: () => `${watcher.tail()}\n${worker.tail()}`,
    });

    const report = JSON.parse(await readFile(join(inbox, 'failed', 'broken.fit.error.json'), 'utf8')) as Record<string, unknown>;
    expect(report).toMatchObject({
      file: 'broken.fit',
      source: 'broken.fit',
      outcome: 'failed',
      code: 'truncated',
      jobId: jobIdOf(ACCOUNT, sha256Hex(broken)),
      account: ACCOUNT,
      athleteId: ATHLETE,
      contentHash: sha256Hex(broken),
    });
    expect(report.reason).toMatch(/broken\.fit/);
    expect(report.reason).toMatch(/cut short/);

    const [ride, two, bad] = await resultsOf(redis, [jobIdOf(ACCOUNT, sha256Hex(good)), jobIdOf(ACCOUNT, sha256Hex(zip)), jobIdOf(ACCOUNT, sha256Hex(broken))]);
    expect(ride?.outcome).toBe('imported');
    expect(ride?.origin).toBe('watch');
    expect(two?.outcome).toBe('imported');
    expect(two?.entries.map((entry) => [entry.entry, entry.outcome])).toEqual([
      ['two.zip!morning.fit', 'uploaded'],
      ['two.zip!evening.gpx', 'uploaded'],
    ]);
    expect(bad?.outcome).toBe('failed');
    const queue = createImportQueue(redis.client);
    const badJob = await queue.getJob(bad?.jobId as string);
    expect(await badJob?.getState()).toBe('failed');
    expect(badJob?.attemptsMade).toBe(1);
    await queue.close();

    const server = await serverWorkouts(kit);
    expect(server.map((workout) => String(workout.workoutId)).sort()).toEqual([...(ride?.workoutIds ?? []), ...(two?.workoutIds ?? [])].sort());
    expect(server).toHaveLength(3);
    expect(createsOf(kit.requests)).toHaveLength(3);
    const moved = watcher.events.filter((event) => event.type === 'moved').map((event) => [event.file, event.folder]);
    expect(moved.sort()).toEqual([
      ['broken.fit', 'failed'],
      ['ride.fit', 'done'],
      ['two.zip', 'done'],
    ]);

    watcher.kill('SIGTERM');
    expect(await watcher.exit, watcher.tail()).toEqual({ code: 0, signal: null });
    worker.kill('SIGTERM');
    expect(await worker.exit, worker.tail()).toEqual({ code: 0, signal: null });
  }, 120_000);
});
