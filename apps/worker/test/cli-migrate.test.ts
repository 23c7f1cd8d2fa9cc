/**
 * `optimo-import migrate` as the command runs it (in-process, a fake environment, an AbortSignal
 * for Ctrl-C) against the real sandbox over HTTPS, in both modes: embedded (no Redis, state in a
 * temp folder) and queue (BullMQ on the real Redis, this process working as one more worker).
 */
import { cp, mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import type { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { migrateCommand, migrationIdOf } from '../src/commands/migrate-command.js';
import { workCommand } from '../src/commands/work-command.js';
import type { MigrationReport, ReportFile } from '../src/migrate/report.js';
import { statusCommand } from '../src/status/status-command.js';
import type { ImportStatus } from '../src/status/status.js';
import { captureIo, cleanupAccount, connectRedis, distinctRides, EXAMPLES, freshAccount, migrationFolder, parseCsv, QUIET, redisUrl, startSandboxKit, until, USAGE } from './cli-kit.js';
import type { SandboxKit } from './cli-kit.js';

/** This file's Redis database (see cli-kit.ts: a worker fails jobs of accounts it does not know). */
const DB = 13;
const ATHLETE = '1';

async function readReport(base: string): Promise<{ json: MigrationReport; csv: Array<Record<string, string>> }> {
  const json = JSON.parse(await readFile(`${base}.json`, 'utf8')) as MigrationReport;
  const csv = parseCsv(await readFile(`${base}.csv`, 'utf8'));
  return { json, csv };
}

function byName(report: MigrationReport): Map<string, ReportFile> {
  return new Map(report.files.map((file) => [file.fileName, file]));
}

function sorted(values: Iterable<string | undefined>): string[] {
  return [...values].filter((value): value is string => value !== undefined).sort();
}

describe.each(['embedded', 'queue'] as const)('migrate in the %s mode', (mode) => {
  let kit: SandboxKit;
  let redis: Redis | undefined;
  const used: string[] = [];

  beforeAll(() => {
    if (mode === 'queue') redis = connectRedis(DB);
  });
  afterAll(() => {
    redis?.disconnect();
  });
  afterEach(async () => {
    for (const account of used.splice(0)) if (redis !== undefined) await cleanupAccount(redis, account);
    await kit?.close();
  });

  /** A fresh sandbox (Europe/Lisbon) and the environment of this mode. */
  async function setup(options: Parameters<typeof startSandboxKit>[0] = {}): Promise<{ env: Record<string, string>; account: string }> {
    kit = await startSandboxKit({ timeZone: 'Europe/Lisbon', ...options });
    if (mode === 'embedded') return { env: { ...kit.defaultEnv(), OPTIMO_STATE_DIR: join(kit.dir, 'state') }, account: 'default' };
    const account = freshAccount('mig');
    used.push(account);
    const { env } = await kit.writeConfig({ [account]: undefined });
    return { env: { ...env, REDIS_URL: redisUrl(DB) }, account };
  }

  it('imports a folder: the report (JSON and CSV) holds every file, the server ids, the duplicate pair and the bad file; exit 1; a second run sends nothing', async () => {
    const { env, account } = await setup();
    const { folder, files } = await migrationFolder(kit.dir);
    const reportBase = join(kit.dir, 'report');
    const run = captureIo();
    const drawn: string[] = [];
    const terminal = { write: (chunk: string) => drawn.push(chunk), isTTY: true, columns: 200 };
    const code = await migrateCommand([folder, '--athlete', ATHLETE, '--report', reportBase], run.io, { usage: USAGE, context: { env, cwd: kit.dir }, progress: terminal, pollMs: 50 });
    expect(code, run.text()).toBe(1);
    expect(run.text()).toContain(`report: ${reportBase}.json and ${reportBase}.csv`);
    // The live progress bar, redrawn in place; its last state: everything settled, the quota used today.
    const n = files.length;
    expect(drawn.join('')).toMatch(new RegExp(`\\[█+\\] 100%  ${n}/${n} files · 1 failed · 1 duplicate · 0 waiting · quota [1-9]\\d*/5,000 today · nothing left\\n$`));

    const { json, csv } = await readReport(reportBase);
    expect(json).toMatchObject({ version: 1, migration: migrationIdOf(account, ATHLETE, [folder]), account, athleteId: ATHLETE, dryRun: false, complete: true });
    expect(json.finishedAt).toBeDefined();
    expect(json.interruptedAt).toBeUndefined();
    expect(json.files.map((file) => file.file)).toEqual(files);

    const rows = byName(json);
    const broken = rows.get('broken.fit');
    expect(broken).toMatchObject({ outcome: 'failed', code: 'truncated', workoutIds: [], requests: 0 });
    expect(broken?.reason).toMatch(/broken\.fit/);
    const pair = [rows.get('sunday-ride.fit'), rows.get('sunday-ride.tcx')];
    expect(pair.map((file) => file?.outcome).sort()).toEqual(['duplicate', 'imported']);
    const original = pair.find((file) => file?.outcome === 'imported') as ReportFile;
    const duplicate = pair.find((file) => file?.outcome === 'duplicate') as ReportFile;
    expect(original.workoutIds).toHaveLength(1);
    expect(duplicate.workoutIds).toEqual([]);
    expect(duplicate.requests).toBe(0);
    expect(duplicate.duplicateOf).toMatchObject({ file: original.file, fileName: original.fileName, workoutId: original.workoutIds[0] });
    expect(duplicate.entries[0]?.duplicateOf?.workoutId).toBe(original.workoutIds[0]);
    for (const file of json.files) {
      if (file === broken || file === duplicate) continue;
      expect(file.outcome, `${file.fileName}: ${file.reason ?? ''}`).toBe('imported');
      expect(file.workoutIds.length).toBeGreaterThan(0);
      expect(file.requests).toBeGreaterThanOrEqual(file.workoutIds.length);
      expect(file.jobId).toBe(`${account}@${file.contentHash}`);
      expect(file.attempts).toBe(1);
    }

    // The ids in the report are the server's, each workout once.
    const uploaded = json.files.flatMap((file) => file.workoutIds);
    expect(new Set(uploaded).size).toBe(uploaded.length);
    const server = await kit.workouts({ athleteId: ATHLETE });
    expect(sorted(server.map((workout) => workout.workoutId))).toEqual(sorted(uploaded));
    const sentIds = json.files.flatMap((file) => file.entries.filter((entry) => entry.outcome === 'uploaded').map((entry) => entry.externalId));
    expect(sorted(server.map((workout) => workout.externalId))).toEqual(sorted(sentIds));
    expect(kit.creates()).toBe(uploaded.length);
    expect(kit.requests.filter((entry) => entry.code === 40900)).toEqual([]);
    expect(json.totals).toMatchObject({
      files: files.length,
      imported: files.length - 2,
      duplicate: 1,
      failed: 1,
      partial: 0,
      waiting: 0,
      workouts: uploaded.length,
      requests: json.files.reduce((sum, file) => sum + file.requests, 0),
    });

    // The CSV: one row per workout (a file-only row for the broken file), the same ids and outcomes.
    expect(sorted(csv.map((row) => row.workout_id).filter((id) => id !== ''))).toEqual(sorted(uploaded));
    expect(new Set(csv.map((row) => row.file))).toEqual(new Set(files));
    expect(csv.filter((row) => row.file === broken?.file)).toEqual([expect.objectContaining({ file_outcome: 'failed', outcome: 'failed', code: 'truncated', workout_id: '' })]);
    expect(csv.filter((row) => row.file === duplicate.file)).toEqual([
      expect.objectContaining({ file_outcome: 'duplicate', outcome: 'duplicate', duplicate_of: original.file, duplicate_of_workout_id: original.workoutIds[0], requests: '0' }),
    ]);
    expect(csv.reduce((sum, row) => sum + Number(row.requests), 0)).toBe(json.totals.requests);
    for (const row of csv) expect(row.job_id).toBe(rows.get(basename(row.file as string))?.jobId);

    // The same command again: every file is settled, nothing is sent, the report says the same.
    const before = kit.requests.length;
    const again = captureIo();
    expect(await migrateCommand([folder, '--athlete', ATHLETE, '--report', reportBase], again.io, { usage: USAGE, context: { env, cwd: kit.dir }, progress: QUIET, pollMs: 50 }), again.text()).toBe(1);
    expect(kit.requests.length).toBe(before);
    const second = (await readReport(reportBase)).json;
    expect(second.files.map((file) => [file.fileName, file.outcome, file.workoutIds])).toEqual(json.files.map((file) => [file.fileName, file.outcome, file.workoutIds]));
  });

  it('--dry-run reports outcomes and the requests each file would cost, and sends nothing', async () => {
    const { env, account } = await setup();
    const { folder, files } = await migrationFolder(kit.dir);
    const reportBase = join(kit.dir, 'dry');
    const run = captureIo();
    const code = await migrateCommand([folder, '--athlete', ATHLETE, '--dry-run', '--report', reportBase], run.io, { usage: USAGE, context: { env, cwd: kit.dir }, progress: QUIET });
    expect(code, run.text()).toBe(1);
    expect(kit.requests).toEqual([]);
    const { json, csv } = await readReport(reportBase);
    expect(json.dryRun).toBe(true);
    expect(json.complete).toBe(true);
    expect(json.files.map((file) => file.file)).toEqual(files);
    const rows = byName(json);
    expect(rows.get('broken.fit')).toMatchObject({ outcome: 'would-fail', code: 'truncated', requests: 0 });
    expect([rows.get('sunday-ride.fit')?.outcome, rows.get('sunday-ride.tcx')?.outcome]).toEqual(['would-import', 'duplicate']);
    expect(rows.get('sunday-ride.tcx')?.requests).toBe(0);
    for (const file of json.files) {
      if (file.outcome !== 'would-import') continue;
      expect(file.requests, file.fileName).toBeGreaterThanOrEqual(file.entries.filter((entry) => entry.outcome === 'would-import').length);
      expect(file.requests, file.fileName).toBeGreaterThan(0);
      expect(file.workoutIds).toEqual([]);
    }
    expect(json.totals).toMatchObject({ files: files.length, imported: files.length - 2, duplicate: 1, failed: 1, waiting: 0, dailyLimit: 5000 });
    expect(json.totals.requests).toBe(json.files.reduce((sum, file) => sum + file.requests, 0));
    expect(json.totals.quotaDays).toBeGreaterThan(0);
    expect(csv.reduce((sum, row) => sum + Number(row.requests), 0)).toBe(json.totals.requests);
    // No state: nothing queued, nothing in the state folder.
    if (mode === 'queue') expect(await (redis as Redis).keys(`optimo-import:*${account}*`)).toEqual([]);
    else await expect(readdir(join(kit.dir, 'state'))).rejects.toThrow(/ENOENT/);
  });

  it('Ctrl-C stops the run (exit 130, a report of what is done and what waits); the same command again finishes it, each workout created once', async () => {
    // Every answer held 150 ms and one file at a time: the run is still going when the first workout is created.
    const { env } = await setup({ faults: 'slow-after:1', slowAfterMs: 150 });
    const folder = join(kit.dir, 'rides');
    await mkdir(folder);
    const rides = distinctRides(10);
    for (const [index, bytes] of rides.entries()) await writeFile(join(folder, `ride-${String(index).padStart(2, '0')}.fit`), bytes);
    const reportBase = join(kit.dir, 'report');
    const args = [folder, '--athlete', ATHLETE, '--report', reportBase, '--concurrency', '1'];

    const stop = new AbortController();
    const unlisten = kit.onRequest((entry) => {
      if (entry.method === 'workout.create' && entry.status === 200) stop.abort();
    });
    const first = captureIo();
    const code = await migrateCommand(args, first.io, { usage: USAGE, context: { env, cwd: kit.dir }, progress: QUIET, pollMs: 50, signal: stop.signal });
    unlisten();
    expect(code, first.text()).toBe(130);
    expect(first.text()).toContain('run the same command again');
    const { json: interrupted, csv: interruptedCsv } = await readReport(reportBase);
    expect(interrupted.complete).toBe(false);
    expect(interrupted.interruptedAt).toBeDefined();
    expect(interrupted.finishedAt).toBeUndefined();
    expect(interrupted.files).toHaveLength(rides.length);
    expect(interrupted.totals.waiting).toBeGreaterThan(0);
    expect(interrupted.totals.imported + interrupted.totals.waiting).toBe(rides.length);
    for (const file of interrupted.files) expect(['imported', 'waiting']).toContain(file.outcome);
    expect(interruptedCsv.filter((row) => row.file_outcome === 'waiting').map((row) => row.file)).toEqual(interrupted.files.filter((file) => file.outcome === 'waiting').map((file) => file.file));
    // The file in flight was finished before the command returned ("finishing the files in flight").
    expect(interrupted.totals.imported, first.text()).toBeGreaterThan(0);
    const createsFirst = kit.creates();
    expect(createsFirst).toBeGreaterThan(0);
    expect(createsFirst).toBeLessThan(rides.length);

    const second = captureIo();
    expect(await migrateCommand(args, second.io, { usage: USAGE, context: { env, cwd: kit.dir }, progress: QUIET, pollMs: 50 }), second.text()).toBe(0);
    const done = (await readReport(reportBase)).json;
    expect(done.complete).toBe(true);
    expect(done.totals).toMatchObject({ files: rides.length, imported: rides.length, waiting: 0, failed: 0 });
    // What the first run finished kept its workout; nothing was created twice.
    for (const file of interrupted.files.filter((row) => row.outcome === 'imported')) {
      expect(done.files.find((row) => row.file === file.file)?.workoutIds).toEqual(file.workoutIds);
    }
    const server = await kit.workouts({ athleteId: ATHLETE });
    expect(server).toHaveLength(rides.length);
    expect(new Set(server.map((workout) => workout.externalId)).size).toBe(rides.length);
    expect(sorted(server.map((workout) => workout.workoutId))).toEqual(sorted(done.files.flatMap((file) => file.workoutIds)));
    expect(kit.creates()).toBe(rides.length);
    expect(kit.requests.filter((entry) => entry.code === 40900)).toEqual([]);
  });

  if (mode === 'embedded') {
    it('--no-work is a usage error without a queue (exit 2)', async () => {
      const { env } = await setup();
      const run = captureIo();
      const code = await migrateCommand([EXAMPLES, '--athlete', ATHLETE, '--no-work'], run.io, { usage: USAGE, context: { env, cwd: kit.dir }, progress: QUIET });
      expect(code).toBe(2);
      expect(run.err.join('\n')).toMatch(/--no-work needs the queue/);
      expect(kit.requests).toEqual([]);
    });
  }

  if (mode === 'queue') {
    it('--no-work: the files are queued, a separate `work` process works them, the migration finishes', async () => {
      const { env, account } = await setup();
      const folder = join(kit.dir, 'rides');
      await mkdir(folder);
      const rides = distinctRides(4);
      for (const [index, bytes] of rides.entries()) await writeFile(join(folder, `ride-${index}.fit`), bytes);
      const stopWorker = new AbortController();
      const work = captureIo();
      const worker = workCommand(['--concurrency', '2'], work.io, { usage: USAGE, context: { env, cwd: kit.dir }, signal: stopWorker.signal });
      try {
        await until('the worker to be ready', () => work.out.some((line) => line.startsWith('worker ready')), 10_000);
        const run = captureIo();
        const reportBase = join(kit.dir, 'report');
        const code = await migrateCommand([folder, '--athlete', ATHLETE, '--report', reportBase, '--no-work'], run.io, { usage: USAGE, context: { env, cwd: kit.dir }, progress: QUIET, pollMs: 50 });
        expect(code, `${run.text()}\n${work.text()}`).toBe(0);
        expect(run.text()).toContain('the `work` processes do the work');
        const { json } = await readReport(reportBase);
        expect(json.totals).toMatchObject({ files: rides.length, imported: rides.length, waiting: 0 });
        // The worker did the work: it printed a result for every file.
        for (let index = 0; index < rides.length; index += 1) expect(work.text()).toContain(`ride-${index}.fit`);
        expect(kit.creates(kit.sandbox.accounts[0]?.name)).toBe(rides.length);
        expect(json.account).toBe(account);
      } finally {
        stopWorker.abort();
        expect(await worker).toBe(0);
      }
      expect(work.out.at(-1)).toBe('worker stopped');
    });

    it('status --json shows the finished migration with its counts, the failed file and the account quota', async () => {
      const { env, account } = await setup();
      const { folder, files } = await migrationFolder(kit.dir);
      const reportBase = join(kit.dir, 'report');
      expect(await migrateCommand([folder, '--athlete', ATHLETE, '--report', reportBase], captureIo().io, { usage: USAGE, context: { env, cwd: kit.dir }, progress: QUIET, pollMs: 50 })).toBe(1);
      const { json } = await readReport(reportBase);

      const out = captureIo();
      expect(await statusCommand(['--json'], out.io, { usage: USAGE, context: { env, cwd: kit.dir } }), out.text()).toBe(0);
      const status = JSON.parse(out.out.join('\n')) as ImportStatus;
      const migration = status.migrations.find((entry) => entry.id === json.migration);
      expect(migration).toMatchObject({
        account,
        athleteId: ATHLETE,
        total: files.length,
        done: files.length,
        remaining: 0,
        finished: true,
        counts: { imported: files.length - 2, duplicate: 1, partial: 0, failed: 1 },
        requests: json.totals.requests,
      });
      expect(migration?.estimatedFinish).toBeUndefined();
      const broken = json.files.find((file) => file.fileName === 'broken.fit');
      expect(status.failed).toContainEqual(expect.objectContaining({ jobId: broken?.jobId, fileName: 'broken.fit', account, code: 'truncated' }));
      expect(status.queue.failed).toBeGreaterThanOrEqual(1);
      expect(status.queue.completed).toBeGreaterThanOrEqual(files.length - 1);
      const quota = status.accounts.find((entry) => entry.account === account);
      expect(quota).toMatchObject({ account, timeZone: 'Europe/Lisbon', zoneSource: 'worker', synced: true, limit: 5000 });
      expect(quota !== undefined && 'used' in quota ? quota.used : 0).toBeGreaterThanOrEqual(json.totals.requests);

      const text = captureIo();
      expect(await statusCommand([], text.io, { usage: USAGE, context: { env, cwd: kit.dir } })).toBe(0);
      expect(text.text()).toContain(json.migration);
    });
  }
});

describe('migrate --sandbox (the README command: `optimo-import migrate examples --sandbox --athlete 1`)', () => {
  it('imports the examples into a sandbox started in the process, with no account configured; exit 0', async () => {
    const cwd = await mkdtemp(join(tmpdir(), 'oi-cli-sandbox-'));
    try {
      await cp(EXAMPLES, join(cwd, 'examples'), { recursive: true });
      const run = captureIo();
      const code = await migrateCommand(['examples', '--sandbox', '--athlete', '1'], run.io, { usage: USAGE, context: { env: {}, cwd }, progress: QUIET, pollMs: 50 });
      expect(code, run.text()).toBe(0);
      expect(run.text()).toMatch(/sandbox started in this process: https:\/\/127\.0\.0\.1:\d+\//);
      const names = (await readdir(cwd)).sort();
      const reportJson = names.find((name) => /^optimo-import-report-m-[0-9a-f]{16}\.json$/.test(name));
      expect(names).toContain(reportJson?.replace(/\.json$/, '.csv'));
      const report = JSON.parse(await readFile(join(cwd, reportJson as string), 'utf8')) as MigrationReport;
      const examples = (await readdir(EXAMPLES)).length;
      expect(report.complete).toBe(true);
      expect(report.account).toBe('default');
      expect(report.totals).toMatchObject({ files: examples, imported: examples, failed: 0, waiting: 0 });
      for (const file of report.files) expect(file.workoutIds.length, file.fileName).toBeGreaterThan(0);
      // The sandbox's state lived in a temp folder that went with it: nothing left here but the examples and the report.
      expect(names.filter((name) => name !== 'examples' && !name.startsWith('optimo-import-report-'))).toEqual([]);
    } finally {
      await rm(cwd, { recursive: true, force: true });
    }
  });
});
