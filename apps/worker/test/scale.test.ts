/**
 * Scale, for real: three `optimo-import work` processes and a `migrate --no-work` of 300 files
 * against the sandbox over HTTPS with a quota of 100 requests a (shortened) day, on a Redis of
 * the test's own. In the end every file is exactly one workout on the server, no quota day saw
 * more than 100 counted requests, and jobs held for the quota waited as `delayed` jobs, never as
 * failures.
 *
 * The shared limiter paces each day's 95 requests (5% reserve) up to the day's last millisecond,
 * so on their own the workers never find the day spent: they wait for their turn inside the job,
 * and no 429 comes back. To see the hold path, another program of the same account spends what
 * is left of one day half way through; the workers meet the 429, hold the account until the
 * reset and put its jobs in `delayed`. Only that day sees 429 answers.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createClient, isUploadError } from '@optimo-import/uploader';
import { afterAll, describe, expect, it } from 'vitest';
import { sha256OfFile } from '../src/jobs/hash.js';
import { jobIdOf } from '../src/jobs/job-data.js';
import type { ImportResult } from '../src/jobs/job-data.js';
import { REDIS_KEYS } from '../src/jobs/keys.js';
import { createImportQueue } from '../src/jobs/queue.js';
import { parseResult } from '../src/jobs/result-store.js';
import { startKit } from './kit.js';
import type { Kit } from './kit.js';
import { countedPerWindow, createsOf, serverWorkouts, spawnCli, startPrivateRedis, stopEverything, waitFor, workerEnv, writeWorkoutFiles } from './processes.js';
import type { CliProcess } from './processes.js';

const QUOTA = 100;
/** 300 one-request uploads at 95 normal requests a day (5% reserve) take 4 quota days: about a minute. */
const DAY_SECONDS = 15;
const FILES = 300;
const WORKERS = 3;

const kits: Kit[] = [];
afterAll(async () => {
  await stopEverything();
  await Promise.all(kits.map((kit) => kit.close()));
});

describe('three worker processes, 300 files, a quota of 100 a day', () => {
  it('imports every file exactly once, never passes 100 counted requests a day, and holds jobs as delayed, never failed', async () => {
    const began = Date.now();
    const kit = await startKit({ quota: QUOTA, daySeconds: DAY_SECONDS, timeZone: 'Europe/Lisbon' });
    kits.push(kit);
    const redis = await startPrivateRedis();
    const files = await writeWorkoutFiles(join(kit.dir, 'files'), FILES);
    const jobIds = await Promise.all(files.map(async (file) => jobIdOf('default', await sha256OfFile(file.path))));
    expect(new Set(jobIds).size).toBe(FILES);
    const env = workerEnv(kit, redis, { OPTIMO_DAY_SECONDS: String(DAY_SECONDS) });

    const workers: CliProcess[] = [];
    for (let i = 0; i < WORKERS; i += 1) workers.push(spawnCli(['work', '--concurrency', '4', '--json'], { env, cwd: kit.dir, name: `worker ${i + 1}` }));
    await Promise.all(workers.map((worker) => worker.waitForEvent('ready', (event) => event.event === 'ready', 30_000)));

    // The whole batch as one migration, through the real command; it follows the work and exits.
    const migrate = spawnCli(['migrate', join(kit.dir, 'files'), '--athlete', '1', '--no-work', '--report', join(kit.dir, 'report')], { env, cwd: kit.dir, name: 'migrate' });

    // Watch the queue while it runs: held jobs must show up as delayed, and nothing may fail.
    const queue = createImportQueue(redis.client);
    let maxDelayed = 0;
    let everFailed = 0;
    const sampling = (async () => {
      while (!migrate.exited()) {
        const counts = await queue.getJobCounts('delayed', 'failed');
        maxDelayed = Math.max(maxDelayed, counts.delayed ?? 0);
        everFailed = Math.max(everFailed, counts.failed ?? 0);
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    })();

    // Half way, at the start of a quota day, another program of the account spends that day (until
    // the server says 429), leaving the workers most of the day to run into it.
    const dayMs = DAY_SECONDS * 1000;
    await waitFor('a third of the files imported', async () => (await redis.client.hlen(REDIS_KEYS.results)) >= FILES / 3, { timeoutMs: 90_000, intervalMs: 100 });
    const nextDay = (Math.floor(Date.now() / dayMs) + 1) * dayMs;
    await waitFor('the next quota day', () => Date.now() >= nextDay, { timeoutMs: dayMs + 1000, intervalMs: 10 });
    const spentWindows = await spendTheDay(kit);

    const exit = await Promise.race([
      migrate.exit,
      waitFor('the migration to end', () => migrate.exited(), { timeoutMs: 150_000, intervalMs: 500, detail: () => [migrate, ...workers].map((p) => p.tail(8)).join('\n') }).then(() => migrate.exit),
    ]);
    await sampling;
    const ranMs = Date.now() - began;
    expect(exit, migrate.tail()).toEqual({ code: 0, signal: null });
    expect(migrate.out.join('\n')).toMatch(new RegExp(`migration m-[0-9a-f]{16}: ${FILES} file\\(s\\)`));
    const report = JSON.parse(await readFile(join(kit.dir, 'report.json'), 'utf8')) as { complete: boolean; totals: Record<string, number> };
    expect(report.complete).toBe(true);
    expect(report.totals).toMatchObject({ files: FILES, imported: FILES, duplicate: 0, partial: 0, failed: 0, waiting: 0, workouts: FILES });

    // Every job completed with the outcome imported; none failed, ever.
    expect(everFailed).toBe(0);
    const counts = await queue.getJobCounts('completed', 'failed', 'delayed', 'active', 'wait', 'prioritized');
    expect(counts).toMatchObject({ completed: FILES, failed: 0, delayed: 0, active: 0, wait: 0, prioritized: 0 });
    const results = (await redis.client.hmget(REDIS_KEYS.results, ...jobIds)).map((text) => parseResult(text));
    expect(results.every((result) => result !== undefined)).toBe(true);
    const settled = results as ImportResult[];
    expect(settled.filter((result) => result.outcome !== 'imported').map((result) => `${result.fileName}: ${result.outcome} ${result.reason ?? ''}`)).toEqual([]);
    for (const result of settled) {
      expect(result.entries).toHaveLength(1);
      expect(result.entries[0]?.outcome).toBe('uploaded');
      expect(result.workoutIds).toHaveLength(1);
    }

    // The quota: the server's own count per day window, from its request log.
    const log = [...kit.requests];
    const perWindow = countedPerWindow(log, DAY_SECONDS);
    const windows = [...perWindow.entries()].sort(([a], [b]) => a - b);
    expect(windows.length).toBeGreaterThanOrEqual(Math.ceil(FILES / (QUOTA - 5)));
    for (const [, count] of windows) expect(count).toBeLessThanOrEqual(QUOTA);
    const windowOf = (time: string): number => Math.floor(Date.parse(time) / (DAY_SECONDS * 1000));
    const refused = log.filter((entry) => entry.status === 429);
    expect(refused.length).toBeGreaterThan(0); // the spender's last request, at least
    expect(refused.filter((entry) => !spentWindows.has(windowOf(entry.time)))).toEqual([]);
    expect(log.filter((entry) => entry.status !== 200 && entry.status !== 429)).toEqual([]);

    // Exactly one create per file: as many stored creates as files, no 40900 (a second create of one external id).
    expect(createsOf(log)).toHaveLength(FILES);
    expect(log.filter((entry) => entry.method === 'workout.create')).toHaveLength(FILES);
    expect(log.filter((entry) => entry.code === 40900)).toEqual([]);

    // Jobs held for the quota waited as delayed jobs: the workers said so, and the queue showed them.
    const holds = workers.flatMap((worker) => worker.events.filter((event) => event.event === 'hold'));
    expect(holds.length).toBeGreaterThan(0);
    expect(holds.every((event) => event.code === 'quota-spent')).toBe(true);
    // Held until a quota day's reset: a window's start, or up to a second after it (Retry-After is
    // whole seconds, rounded up), plus the answer's way back; the spent day's reset among them.
    const heldUntil = holds.map((hold) => Date.parse(String(hold.until)));
    for (const until of heldUntil) expect(until - Math.floor(until / dayMs) * dayMs, new Date(until).toISOString()).toBeLessThanOrEqual(2500);
    expect(heldUntil.some((until) => spentWindows.has(Math.floor(until / dayMs) - 1))).toBe(true);
    expect(maxDelayed).toBeGreaterThan(0);
    const resultEvents = workers.flatMap((worker) => worker.events.filter((event) => event.event === 'result'));
    expect(resultEvents).toHaveLength(FILES);
    expect(workers.every((worker) => worker.events.some((event) => event.event === 'result'))).toBe(true);

    // On the server (listed in a fresh quota day): 300 workouts, 300 external ids, the ones the results name.
    const server = await serverWorkouts(kit, DAY_SECONDS * 2000);
    expect(server).toHaveLength(FILES);
    const externalIds = server.map((workout) => workout.externalId);
    expect(new Set(externalIds).size).toBe(FILES);
    expect([...externalIds].sort()).toEqual(settled.map((result) => result.entries[0]?.externalId).sort());
    expect(server.map((workout) => String(workout.workoutId)).sort()).toEqual(settled.map((result) => result.workoutIds[0]).sort());

    // SIGTERM: every worker stops and exits 0.
    for (const worker of workers) worker.kill('SIGTERM');
    const exits = await Promise.all(workers.map((worker) => worker.exit));
    expect(exits).toEqual(workers.map(() => ({ code: 0, signal: null })));
    await queue.close();

    const attempts = settled.map((result) => result.attempts);
    console.log(
      `[scale] ${FILES} files, ${WORKERS} workers, quota ${QUOTA}/${DAY_SECONDS} s day: ran ${(ranMs / 1000).toFixed(1)} s; ` +
        `counted requests per day window ${windows.map(([, count]) => count).join(', ')}; ` +
        `429s ${refused.length} (day spent by another program in window(s) ${[...spentWindows].join(', ')}); holds ${holds.length}, most delayed at once ${maxDelayed}; attempts > 1: ${attempts.filter((n) => n > 1).length}; ` +
        `results per worker ${workers.map((worker) => worker.events.filter((event) => event.event === 'result').length).join('/')}`,
    );
  }, 180_000);
});

/** Another program of the same account spends what is left of today: requests until the server answers 429. Returns the windows it sent in. */
async function spendTheDay(kit: Kit): Promise<Set<number>> {
  const client = createClient({ endpoint: kit.sandbox.url, token: kit.sandbox.accounts[0]?.tokens.admin as string, ca: kit.sandbox.certPem, account: 'another-program', retry: { retries: 0 } });
  const windows = new Set<number>();
  try {
    for (let sent = 0; sent <= QUOTA; sent += 1) {
      windows.add(Math.floor(Date.now() / (DAY_SECONDS * 1000)));
      try {
        await client.system();
      } catch (error) {
        windows.add(Math.floor(Date.now() / (DAY_SECONDS * 1000)));
        if (isUploadError(error) && error.code === 'quota-spent') return windows;
        throw error;
      }
    }
    throw new Error(`${QUOTA + 1} requests went through in one day`);
  } finally {
    client.close();
  }
}
