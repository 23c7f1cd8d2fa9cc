/**
 * Hostile input end to end (issue 7, point 2): every hostile file goes through the real pipeline —
 * the embedded runner and a real BullMQ worker (the `work` command, on Redis database 15), the
 * watch folder and a migration — against the real sandbox over HTTPS. For each one:
 *
 * - a clear error naming the file and what is wrong (the job's `reason` and `code`; the watch
 *   folder's `failed/<name>.error.json`; the migration report);
 * - nothing lost: the file is still there, byte for byte (moved to `failed/` by the watch folder,
 *   never deleted, never overwritten);
 * - the worker still running: a good file after it is imported.
 *
 * The parser-level tests of the same inputs are in packages/parsers (src/containers.test.ts,
 * src/xml.test.ts, src/csv/bounds.test.ts, test/corpus-bad.test.ts, test/fuzz.test.ts); the
 * watch folder's own tests (a file still being written, links to folders) in src/watch. Redis
 * database 15: the bench's pipeline runs use 11, the other test files 12–14, and two workers for
 * different accounts on one database fail each other's jobs (cli-kit.ts).
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { chmod, lstat, mkdir, mkdtemp, readFile, readdir, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrateCommand } from '../src/commands/migrate-command.js';
import { resolveConfig } from '../src/config.js';
import type { ResolvedAccount } from '../src/config.js';
import { watchCommand } from '../src/commands/watch-command.js';
import { workCommand } from '../src/commands/work-command.js';
import { sha256Hex } from '../src/jobs/hash.js';
import { jobIdOf } from '../src/jobs/job-data.js';
import type { ImportJobData, ImportResult } from '../src/jobs/job-data.js';
import { createEmbeddedPipeline } from '../src/jobs/pipeline.js';
import type { EmbeddedPipeline } from '../src/jobs/pipeline.js';
import { createQueueRunner } from '../src/jobs/queue-runner.js';
import type { MigrationReport } from '../src/migrate/report.js';
import type { ErrorReport } from '../src/watch/error-report.js';
import { createEventLog } from '../src/watch/test-events.js';
import { watchFolder } from '../src/watch/watch-folder.js';
import { captureIo, cleanupAccount, connectRedis, freshAccount, parseCsv, QUIET, redisUrl, startSandboxKit, until, USAGE } from './cli-kit.js';
import type { SandboxKit } from './cli-kit.js';
import { brokenFitOf, goodFit, HOSTILE_CASES } from './hostile-files.js';
import type { HostileCase } from './hostile-files.js';
import { startKit } from './kit.js';
import type { Kit } from './kit.js';

const DB = 15;
const ATHLETE = '1';

async function sha256OfFile(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** What must still be true of the file afterwards: same size, same bytes (a 2 GiB sparse file: same size). */
async function fingerprintOf(path: string, unread = false): Promise<{ size: number; sha256?: string }> {
  const size = (await stat(path)).size;
  return unread ? { size } : { size, sha256: await sha256OfFile(path) };
}

/** A job for a file on disk. A file over the size cap gets a made-up hash: it must be refused before it is read. */
async function jobFor(path: string, account: string, unread = false): Promise<ImportJobData> {
  return {
    v: 1,
    account,
    athleteId: ATHLETE,
    file: { kind: 'path', path },
    fileName: path.split('/').pop() as string,
    contentHash: unread ? createHash('sha256').update(path).digest('hex') : await sha256OfFile(path),
    origin: 'migrate',
    submittedAt: Date.now(),
  };
}

function expectResult(result: ImportResult, c: HostileCase): void {
  expect(result.outcome, `${c.name}: ${result.reason ?? ''}`).toBe(c.outcome);
  if (c.outcome === 'imported') {
    expect(result.workoutIds.length).toBeGreaterThan(0);
    return;
  }
  expect(result.code).toBe(c.code);
  expect(result.reason).toMatch(c.reason as RegExp);
  expect(result.reason).toContain(c.name);
  if (c.outcome === 'partial') expect(result.workoutIds).toHaveLength(1);
  else expect(result.requests).toBe(0);
}

/** How long each refusal took, per mode, printed at the end (docs/reliability.md's table). */
const timings: string[] = [];
afterAll(() => {
  if (timings.length > 0) console.log(`hostile input, time to the result:\n${timings.join('\n')}`);
});

describe('hostile input through the embedded pipeline, real sandbox', () => {
  let kit: Kit;
  let pipeline: EmbeddedPipeline;
  let dir: string;
  const paths = new Map<string, string>();
  let good = 0;

  beforeAll(async () => {
    kit = await startKit({ timeZone: 'Europe/Lisbon' });
    dir = join(kit.dir, 'hostile');
    await mkdir(dir, { recursive: true });
    for (const c of HOSTILE_CASES) paths.set(c.name, await c.write(dir));
    pipeline = await createEmbeddedPipeline(join(kit.dir, 'state'), { accounts: kit.accounts, concurrency: 2 });
  }, 120_000);
  afterAll(async () => {
    await pipeline?.close();
    await kit?.close();
  });

  it.each(HOSTILE_CASES.map((c) => [c.name, c] as const))('%s: a clear reason, the file untouched, the next file imported', async (_name, c) => {
    const path = paths.get(c.name) as string;
    const before = await fingerprintOf(path, c.unread);
    const started = performance.now();
    const { jobId } = await pipeline.runner.enqueue(await jobFor(path, 'default', c.unread));
    const result = await pipeline.runner.waitFor(jobId);
    timings.push(`  embedded  ${c.name}: ${result.outcome} ${result.code ?? ''} in ${Math.round(performance.now() - started)} ms`);
    expectResult(result, c);
    expect(await fingerprintOf(path, c.unread)).toEqual(before);

    // The worker is still running: a good file after it is imported.
    good += 1;
    const next = join(dir, `after-${good}.fit`);
    await writeFile(next, goodFit(good));
    const after = await pipeline.runner.waitFor((await pipeline.runner.enqueue(await jobFor(next, 'default'))).jobId);
    expect(after.outcome, after.reason).toBe('imported');
  });

  it('a zip entry named ../../x is never written anywhere: nothing appears outside the folder', async () => {
    expect(await readdir(join(dir, '..', '..')).then((names) => names.includes('escaped.fit'))).toBe(false);
    expect(await readdir(join(dir, '..')).then((names) => names.includes('escaped.fit'))).toBe(false);
  });
});

describe('hostile input through a real BullMQ worker (the work command, a 5 s job lock)', () => {
  // A job whose parse held the event loop past the lock would be seen as stalled and run again:
  // each one must fail once, at once, and never stall.
  const account = freshAccount('hostile');
  let kit: Kit;
  let redis: Redis;
  let dir: string;
  const stop = new AbortController();
  let working: Promise<number> | undefined;
  const run = captureIo();

  beforeAll(async () => {
    redis = connectRedis(DB);
    kit = await startKit({ timeZone: 'Europe/Lisbon', account });
    dir = join(kit.dir, 'hostile');
    await mkdir(dir, { recursive: true });
    working = workCommand(['--lock-ms', '5000', '--concurrency', '2', '--json'], run.io, { usage: USAGE, context: { env: { ...kit.env, REDIS_URL: redisUrl(DB) }, cwd: kit.dir }, signal: stop.signal });
    await until('the worker to be ready', () => run.out.some((line) => line.includes('"event":"ready"')), 20_000);
  }, 60_000);
  afterAll(async () => {
    stop.abort();
    await working;
    await cleanupAccount(redis, account);
    redis.disconnect();
    await kit?.close();
  });

  it('every hostile file fails once with its code (never retried, never stalled); the good file after each is imported', async () => {
    const runner = createQueueRunner({ redis });
    try {
      for (const [index, c] of HOSTILE_CASES.entries()) {
        const path = await c.write(dir);
        const before = await fingerprintOf(path, c.unread);
        const data = await jobFor(path, account, c.unread);
        const started = performance.now();
        const { jobId } = await runner.enqueue(data);
        const result = await runner.waitFor(jobId);
        timings.push(`  queue     ${c.name}: ${result.outcome} ${result.code ?? ''} in ${Math.round(performance.now() - started)} ms`);
        expectResult(result, c);
        const job = await runner.queue.getJob(jobIdOf(account, data.contentHash));
        if (c.outcome === 'failed') {
          await until(`${c.name}: the job to be failed`, async () => (await job?.getState()) === 'failed', 10_000);
          expect(job?.attemptsMade).toBe(1);
          expect(job?.failedReason?.startsWith(`${c.code}: `), job?.failedReason).toBe(true);
        }
        expect(job?.stalledCounter ?? 0).toBe(0);
        expect(await fingerprintOf(path, c.unread)).toEqual(before);
        if (c.heavy === true) await rm(path);

        const next = join(dir, `after-${index}.fit`);
        await writeFile(next, goodFit(100 + index));
        const after = await runner.waitFor((await runner.enqueue(await jobFor(next, account))).jobId);
        expect(after.outcome, after.reason).toBe('imported');
      }
    } finally {
      await runner.close();
    }
    const events = run.out.filter((line) => line.startsWith('{')).map((line) => JSON.parse(line) as { event: string });
    expect(events.filter((event) => event.event === 'retry' || event.event === 'error')).toEqual([]);
  }, 300_000);
});

const exists = (path: string): Promise<boolean> =>
  lstat(path).then(
    () => true,
    () => false,
  );

describe('hostile input in the watch folder (embedded, real sandbox)', () => {
  let kit: SandboxKit;
  let env: Record<string, string>;
  let outside: string;

  beforeAll(async () => {
    kit = await startSandboxKit({ timeZone: 'Europe/Lisbon' });
    env = { ...kit.defaultEnv(), OPTIMO_STATE_DIR: join(kit.dir, 'state') };
    outside = await mkdtemp(join(tmpdir(), 'oi-outside-'));
  });
  afterAll(async () => {
    await kit?.close();
    await rm(outside, { recursive: true, force: true });
  });

  it('--once: each hostile file goes to failed/ with its .error.json (valid JSON, names escaped, mode of the file); links and undecodable names stay; good files are imported', async () => {
    const inbox = join(kit.dir, 'inbox');
    const drop = join(inbox, ATHLETE);
    await mkdir(drop, { recursive: true });
    const cases = HOSTILE_CASES.filter((c) => c.heavy !== true);
    const before = new Map<string, { size: number; sha256?: string }>();
    for (const c of cases) {
      const path = await c.write(drop);
      before.set(c.name, await fingerprintOf(path, c.unread));
    }
    // The report's mode follows the file's: 0o600 stays private, 0o640 lets the group read why.
    await chmod(join(drop, 'doctype.gpx'), 0o600);
    await chmod(join(drop, 'gzip-bomb.fit.gz'), 0o640);
    // Names: a newline, terminal escapes, a spreadsheet formula; a name that is not UTF-8.
    const names = { newline: 'two\nlines.fit', control: 'esc\u001b[31mred\u0007.fit', formula: '=HYPERLINK("x").fit' };
    await writeFile(join(drop, names.newline), goodFit(200));
    await writeFile(join(drop, names.control), brokenFitOf(210));
    await writeFile(join(drop, names.formula), brokenFitOf(211));
    const undecodable = Buffer.concat([Buffer.from(`${drop}/bad-`), Buffer.from([0xff, 0xfe]), Buffer.from('.fit')]);
    await writeFile(undecodable, goodFit(201));
    // A link to a good ride outside the folder: importing it would leak a file the folder does not hold.
    await writeFile(join(outside, 'secret.fit'), goodFit(202));
    await symlink(join(outside, 'secret.fit'), join(drop, 'link-outside.fit'));
    await writeFile(join(drop, 'good.fit'), goodFit(203));

    const run = captureIo();
    const code = await watchCommand([inbox, '--once', '--json'], run.io, { usage: USAGE, context: { env, cwd: kit.dir } });
    expect(code, run.text()).toBe(1);
    const events = run.out.map((line) => JSON.parse(line) as Record<string, unknown>); // every line is JSON
    const summary = events.at(-1);
    expect(summary).toMatchObject({ event: 'summary', left: 2 });

    for (const c of cases) {
      const moved = join(inbox, c.outcome === 'imported' ? 'done' : 'failed', ATHLETE, c.name);
      expect(await exists(join(drop, c.name)), c.name).toBe(false);
      expect(await fingerprintOf(moved, c.unread), c.name).toEqual(before.get(c.name));
      if (c.outcome === 'imported') continue;
      const report = JSON.parse(await readFile(`${moved}.error.json`, 'utf8')) as ErrorReport;
      expect(report).toMatchObject({ file: c.name, source: join(ATHLETE, c.name), outcome: c.outcome, code: c.code, athleteId: ATHLETE, account: 'default' });
      expect(report.reason).toMatch(c.reason as RegExp);
      const mode = (await stat(`${moved}.error.json`)).mode & 0o777;
      expect(mode & ~(0o600 | ((await stat(moved)).mode & 0o066))).toBe(0);
    }
    expect((await stat(join(inbox, 'failed', ATHLETE, 'doctype.gpx.error.json'))).mode & 0o777).toBe(0o600);
    expect((await stat(join(inbox, 'failed', ATHLETE, 'gzip-bomb.fit.gz.error.json'))).mode & 0o077).toBe(0o040);
    // The 2 GiB file was never hashed (so never queued), only moved.
    expect(events.filter((event) => event.type === 'queued' && event.file === join(ATHLETE, 'huge-2gib.fit'))).toEqual([]);

    // Names survive exactly, in the file system and in the JSON.
    expect(await exists(join(inbox, 'done', ATHLETE, names.newline))).toBe(true);
    for (const name of [names.control, names.formula]) {
      const report = JSON.parse(await readFile(join(inbox, 'failed', ATHLETE, `${name}.error.json`), 'utf8')) as ErrorReport;
      expect(report).toMatchObject({ file: name, source: join(ATHLETE, name), code: 'truncated' });
    }
    // The undecodable name: left in place, said once, escaped.
    expect((await readdir(drop, { encoding: 'buffer' })).some((raw) => raw.equals(undecodable.subarray(drop.length + 1)))).toBe(true);
    const nameErrors = events.filter((event) => event.type === 'error' && String(event.file).startsWith(join(ATHLETE, 'bad-')));
    expect(nameErrors).toEqual([expect.objectContaining({ code: 'unreadable', file: join(ATHLETE, 'bad-\\xff\\xfe.fit') })]);
    expect(String(nameErrors[0]?.message)).toMatch(/not valid UTF-8/);
    // The link: left in place, never followed; the file it points to untouched and not imported.
    expect((await lstat(join(drop, 'link-outside.fit'))).isSymbolicLink()).toBe(true);
    expect(Buffer.from(await readFile(join(outside, 'secret.fit'))).equals(Buffer.from(goodFit(202)))).toBe(true);
    expect(events.filter((event) => event.file === join(ATHLETE, 'link-outside.fit')).map((event) => event.type)).toEqual(['found', 'error']);
    expect(String(events.find((event) => event.type === 'error' && event.file === join(ATHLETE, 'link-outside.fit'))?.message)).toMatch(/symbolic link: links are never followed/);

    // Imported: the good file, the named one, the long-number CSV (2 rows), the FIT that claims 4 GiB, half the zip.
    expect(await exists(join(inbox, 'done', ATHLETE, 'good.fit'))).toBe(true);
    const server = await kit.workouts({ athleteId: ATHLETE });
    expect(server).toHaveLength(6);
    expect(kit.creates()).toBe(6);
  }, 120_000);

  it('prints file names with control characters escaped: no forged line, no terminal escape', async () => {
    const inbox = join(kit.dir, 'inbox-text');
    await mkdir(join(inbox, ATHLETE), { recursive: true });
    const name = 'evil\u001b[2J\nFAKE: imported everything.fit';
    await writeFile(join(inbox, ATHLETE, name), brokenFitOf(212));
    const run = captureIo();
    expect(await watchCommand([inbox, '--once'], run.io, { usage: USAGE, context: { env, cwd: kit.dir } })).toBe(1);
    const text = run.out.join('\n');
    expect(text).not.toContain('\u001b');
    expect(run.out.some((line) => line.split('\n').length > 1)).toBe(false);
    expect(run.out, run.out.join('\n')).toContain(`failed ${ATHLETE}/evil\\u001b[2J\\nFAKE: imported everything.fit: [fit] evil\\u001b[2J\\nFAKE: imported everything.fit byte 40: the file is cut short before any usable record or session [truncated]`);
    expect(await exists(join(inbox, 'failed', ATHLETE, name))).toBe(true);
  });

  it('watching: a file still being written is taken only when complete; a link dropped in is refused; the next good file is imported', async () => {
    const inbox = join(kit.dir, 'inbox-live');
    await mkdir(join(inbox, ATHLETE), { recursive: true });
    const stateDir = join(kit.dir, 'state-live');
    const pipeline = await createEmbeddedPipeline(stateDir, { accounts: await accountsOf(kit, env), concurrency: 2 });
    const log = createEventLog();
    const watcher = await watchFolder({ folder: inbox, runner: pipeline.runner, account: 'default', stableMs: 500, pollMs: 50, onEvent: log.onEvent });
    try {
      await watcher.ready;
      // A link dropped in while watching (a file system event, not the first scan).
      await writeFile(join(outside, 'live-secret.fit'), goodFit(300));
      await symlink(join(outside, 'live-secret.fit'), join(inbox, ATHLETE, 'live-link.fit'));
      const refused = await log.waitFor('error', (event) => event.file === join(ATHLETE, 'live-link.fit'), 10_000);
      expect(refused.message).toMatch(/symbolic link/);

      // A ride written in 8 pieces, 200 ms apart: nothing is queued until the last piece has been still for 500 ms.
      const ride = goodFit(301);
      const path = join(inbox, ATHLETE, 'slow-copy.fit');
      const pieces = 8;
      let lastWrite = 0;
      for (let i = 1; i <= pieces; i++) {
        await writeFile(path, ride.subarray(0, Math.ceil((ride.length * i) / pieces)));
        lastWrite = Date.now();
        expect(log.of('queued').filter((event) => event.file === join(ATHLETE, 'slow-copy.fit'))).toEqual([]);
        if (i < pieces) await new Promise((resolve) => setTimeout(resolve, 200));
      }
      const queued = await log.waitFor('queued', (event) => event.file === join(ATHLETE, 'slow-copy.fit'), 10_000);
      expect(Date.now() - lastWrite).toBeGreaterThanOrEqual(450);
      expect(queued.contentHash).toBe(sha256Hex(ride));
      const imported = await log.waitFor('imported', (event) => event.file === join(ATHLETE, 'slow-copy.fit'), 20_000);
      expect(imported.workoutIds).toHaveLength(1);
      await log.waitFor('moved', (event) => event.file === join(ATHLETE, 'slow-copy.fit'), 10_000);
      expect(Buffer.from(await readFile(join(inbox, 'done', ATHLETE, 'slow-copy.fit'))).equals(Buffer.from(ride))).toBe(true);

      // Still running: a hostile file dropped now fails, and the good one after it is imported.
      await writeFile(join(inbox, ATHLETE, 'live-empty.fit'), new Uint8Array(0));
      await log.waitFor('moved', (event) => event.file === join(ATHLETE, 'live-empty.fit') && event.folder === 'failed', 20_000);
      await writeFile(join(inbox, ATHLETE, 'live-good.fit'), goodFit(302));
      await log.waitFor('imported', (event) => event.file === join(ATHLETE, 'live-good.fit'), 20_000);
      expect(log.of('queued').map((event) => event.file)).not.toContain(join(ATHLETE, 'live-link.fit'));
      expect((await lstat(join(inbox, ATHLETE, 'live-link.fit'))).isSymbolicLink()).toBe(true);
    } finally {
      await watcher.close();
      await pipeline.close();
    }
  }, 60_000);
});

/** The accounts the worker resolves from an environment (the embedded `default`). */
async function accountsOf(kit: SandboxKit, env: Record<string, string>): Promise<ResolvedAccount[]> {
  const config = await resolveConfig({ env, cwd: kit.dir });
  return config.accounts.filter((account) => config.selected.includes(account.name));
}

describe('hostile names and sizes in a migration (embedded, real sandbox)', () => {
  let kit: SandboxKit;
  afterAll(async () => kit?.close());

  it('the report stays valid JSON and CSV with every name exact or escaped; an undecodable name, a 2 GiB file and an empty one are reported, not lost', async () => {
    kit = await startSandboxKit({ timeZone: 'Europe/Lisbon' });
    const env = { ...kit.defaultEnv(), OPTIMO_STATE_DIR: join(kit.dir, 'state') };
    const folder = join(kit.dir, 'files');
    await mkdir(folder, { recursive: true });
    const names = { newline: 'two\nlines.fit', control: 'esc\u001b[31mred.fit', formula: '=HYPERLINK("x").fit', bidi: 'ride\u202egpx.exe.fit' };
    await writeFile(join(folder, names.newline), goodFit(400));
    await writeFile(join(folder, names.control), brokenFitOf(410));
    await writeFile(join(folder, names.formula), brokenFitOf(411));
    await writeFile(join(folder, names.bidi), goodFit(401));
    await writeFile(Buffer.concat([Buffer.from(`${folder}/bad-`), Buffer.from([0xc3, 0x28]), Buffer.from('.fit')]), goodFit(402));
    const big = (HOSTILE_CASES.find((c) => c.name === 'huge-2gib.fit') as HostileCase).write(folder);
    await big;
    await writeFile(join(folder, 'empty.fit'), new Uint8Array(0));

    const base = join(kit.dir, 'report');
    const run = captureIo();
    const code = await migrateCommand([folder, '--athlete', ATHLETE, '--report', base], run.io, { usage: USAGE, context: { env, cwd: kit.dir }, progress: QUIET, pollMs: 50 });
    expect(code, run.text()).toBe(1);
    const report = JSON.parse(await readFile(`${base}.json`, 'utf8')) as MigrationReport;
    const byName = new Map(report.files.map((file) => [file.fileName, file]));
    expect(byName.get(names.newline)).toMatchObject({ outcome: 'imported' });
    expect(byName.get(names.bidi)).toMatchObject({ outcome: 'imported' });
    expect(byName.get(names.control)).toMatchObject({ outcome: 'failed', code: 'truncated' });
    expect(byName.get(names.formula)).toMatchObject({ outcome: 'failed', code: 'truncated' });
    expect(byName.get('bad-\\xc3(.fit')).toMatchObject({ outcome: 'failed', code: 'unreadable', file: join(folder, 'bad-\\xc3(.fit') });
    expect(byName.get('bad-\\xc3(.fit')?.reason).toMatch(/not valid UTF-8/);
    expect(byName.get('huge-2gib.fit')).toMatchObject({ outcome: 'failed', code: 'too-large' });
    expect(byName.get('huge-2gib.fit')?.reason).toMatch(/is 2147483648 bytes; files over 268435456 bytes are not read/);
    expect(byName.get('empty.fit')).toMatchObject({ outcome: 'failed', code: 'no-data' });
    expect(report.files).toHaveLength(7);

    const rows = parseCsv(await readFile(`${base}.csv`, 'utf8'));
    expect(rows.map((row) => row.file?.split('/').pop())).toEqual(expect.arrayContaining([names.newline, names.control, names.bidi, 'bad-\\xc3(.fit']));
    expect(rows.find((row) => row.file?.endsWith('x").fit'))?.file).toBe(join(folder, names.formula));
    // The human lines: no terminal escape, no bidi override, no forged line.
    const text = run.out.join('\n');
    // eslint-disable-next-line no-control-regex
    expect(text).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f\u202a-\u202e]/);
    expect(run.out.every((line) => !line.includes('\n'))).toBe(true);
    expect(text).toContain('two\\nlines.fit');
    expect(text).toContain('ride\\u202egpx.exe.fit');
    // Nothing lost: every file still in the folder.
    expect((await readdir(folder)).length).toBe(7);
  }, 120_000);
});
