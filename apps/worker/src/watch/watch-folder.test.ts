import { chmod, mkdir, mkdtemp, open, readdir, readFile, rm, stat, symlink, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { sha256Hex } from '../jobs/hash.js';
import { MAX_FILE_BYTES } from '../jobs/job-data.js';
import { parseAthleteMap } from './athlete-map.js';
import type { ErrorReport } from './error-report.js';
import { createEventLog } from './test-events.js';
import type { EventLog } from './test-events.js';
import { createTestRunner } from './test-runner.js';
import type { TestRunner } from './test-runner.js';
import { importFolderOnce, watchFolder } from './watch-folder.js';
import type { FolderWatcher, WatchFolderOptions } from './watch-folder.js';

const STABLE_MS = 120;
const POLL_MS = 20;

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function tempFolder(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'optimo-watch-'));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

async function put(path: string, content: string | Uint8Array): Promise<void> {
  await mkdir(join(path, '..'), { recursive: true });
  await writeFile(path, content);
}

/** Files under `dir`, relative, sorted (the watcher's own tree included). */
async function tree(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name).slice(dir.length + 1))
    .sort();
}

interface Started {
  dir: string;
  runner: TestRunner;
  log: EventLog;
  watcher: FolderWatcher;
}

async function start(dir: string, options: Partial<WatchFolderOptions> = {}, runner = createTestRunner()): Promise<Started> {
  const log = createEventLog();
  const watcher = await watchFolder({
    folder: dir,
    runner,
    account: 'riverside',
    stableMs: STABLE_MS,
    pollMs: POLL_MS,
    retryDelayMs: () => 30,
    onEvent: log.onEvent,
    ...options,
  });
  cleanups.push(() => watcher.close());
  await watcher.ready;
  return { dir, runner, log, watcher };
}

describe('watchFolder', () => {
  it('finds the files dropped before it started, imports them and moves them to done/', async () => {
    const dir = await tempFolder();
    await put(join(dir, 'morning.fit'), 'ride 1');
    await put(join(dir, 'nested', 'deeper', 'evening.tcx'), 'ride 2');
    const { runner, watcher, log } = await start(dir, { athleteId: '10231' });
    expect(log.of('ready')[0]).toMatchObject({ type: 'ready', folder: dir, pending: 2 });
    await watcher.idle();
    expect(runner.enqueued.map((e) => e.data.fileName).sort()).toEqual(['evening.tcx', 'morning.fit']);
    expect(await tree(dir)).toEqual(['done/morning.fit', 'done/nested/deeper/evening.tcx']);
    expect(log.of('moved').map((e) => e.folder)).toEqual(['done', 'done']);
  });

  it('imports a file dropped while it runs, with the job data the pipeline expects', async () => {
    const dir = await tempFolder();
    const { runner, log } = await start(dir, { timeZone: 'Europe/Lisbon' });
    const path = join(dir, 'alice', 'ride.fit');
    await put(path, 'a good ride');
    const moved = await log.waitFor('moved');
    expect(moved).toMatchObject({ folder: 'done', file: join('alice', 'ride.fit'), to: join(dir, 'done', 'alice', 'ride.fit') });
    expect(await readFile(join(dir, 'done', 'alice', 'ride.fit'), 'utf8')).toBe('a good ride');
    expect(runner.enqueued).toHaveLength(1);
    const data = runner.enqueued[0]?.data;
    expect(data).toMatchObject({
      v: 1,
      account: 'riverside',
      athleteId: 'alice',
      file: { kind: 'path', path },
      fileName: 'ride.fit',
      contentHash: sha256Hex(Buffer.from('a good ride')),
      origin: 'watch',
      timeZone: 'Europe/Lisbon',
    });
    expect(typeof data?.submittedAt).toBe('number');
    const types = log.events.map((e) => e.type).filter((t) => t !== 'ready');
    expect(types).toEqual(['found', 'queued', 'imported', 'moved']);
  });

  it('moves a file that fails to failed/ with an error.json giving the reason', async () => {
    const dir = await tempFolder();
    const { log } = await start(dir);
    await put(join(dir, 'bob', 'broken.fit'), 'BAD bytes');
    const moved = await log.waitFor('moved');
    expect(moved.folder).toBe('failed');
    expect(moved.report).toBe(join(dir, 'failed', 'bob', 'broken.fit.error.json'));
    expect(await tree(dir)).toEqual(['failed/bob/broken.fit', 'failed/bob/broken.fit.error.json']);
    const report = JSON.parse(await readFile(join(dir, 'failed', 'bob', 'broken.fit.error.json'), 'utf8')) as ErrorReport;
    const contentHash = sha256Hex(Buffer.from('BAD bytes'));
    expect(report).toEqual({
      file: 'broken.fit',
      source: join('bob', 'broken.fit'),
      outcome: 'failed',
      reason: '[test] content starts with BAD',
      code: 'corrupt',
      jobId: `riverside@${contentHash}`,
      account: 'riverside',
      athleteId: 'bob',
      contentHash,
      entries: [{ entry: 'broken.fit', index: null, outcome: 'failed', reason: '[test] content starts with BAD', code: 'corrupt', workoutId: null, duplicateOf: null }],
      finishedAt: expect.any(String),
    });
    expect(log.of('failed')[0]).toMatchObject({ outcome: 'failed', code: 'corrupt', reason: '[test] content starts with BAD' });
  });

  it('moves a partial import to failed/, its report listing every entry', async () => {
    const dir = await tempFolder();
    const { log } = await start(dir, { athleteId: '7' });
    await put(join(dir, 'week.zip'), 'PARTIAL zip');
    await log.waitFor('moved');
    const report = JSON.parse(await readFile(join(dir, 'failed', 'week.zip.error.json'), 'utf8')) as ErrorReport;
    expect(report.outcome).toBe('partial');
    expect(report.reason).toBe('[test] b.fit is truncated');
    expect(report.code).toBe('truncated');
    expect(report.entries.map((e) => [e.entry, e.outcome, e.workoutId])).toEqual([
      ['week.zip!a.fit', 'uploaded', 'w-a'],
      ['week.zip!b.fit', 'failed', null],
    ]);
  });

  it('moves a duplicate to done/', async () => {
    const dir = await tempFolder();
    const { log } = await start(dir, { athleteId: '7' });
    await put(join(dir, 'again.fit'), 'DUP of last week');
    expect(await log.waitFor('imported')).toMatchObject({ outcome: 'duplicate' });
    await log.waitFor('moved');
    expect(await tree(dir)).toEqual(['done/again.fit']);
  });

  it('waits for a file copied slowly, and enqueues it once with the hash of its final content', async () => {
    const dir = await tempFolder();
    const { runner, log, watcher } = await start(dir, { athleteId: '7' });
    const path = join(dir, 'slow.fit');
    const chunks = Array.from({ length: 8 }, (_, i) => `chunk ${i} `.repeat(50));
    const handle = await open(path, 'w');
    for (const chunk of chunks) {
      await handle.write(chunk);
      await handle.sync();
      // Well under stableMs between chunks: the file never looks complete before the end.
      await new Promise((resolve) => setTimeout(resolve, STABLE_MS / 3));
      expect(runner.calls).toBe(0);
    }
    await handle.close();
    await log.waitFor('moved');
    await watcher.idle();
    expect(runner.enqueued).toHaveLength(1);
    expect(runner.enqueued[0]?.data.contentHash).toBe(sha256Hex(Buffer.from(chunks.join(''))));
    expect(log.of('imported')).toHaveLength(1);
    expect(await tree(dir)).toEqual(['done/slow.fit']);
  });

  it('takes the athlete from the subfolder, or from --athlete for the whole tree', async () => {
    const bySubfolder = await tempFolder();
    await put(join(bySubfolder, 'alice', 'a.fit'), 'a');
    await put(join(bySubfolder, 'bob', '2024', 'b.fit'), 'b');
    const one = await start(bySubfolder);
    await one.watcher.idle();
    expect(Object.fromEntries(one.runner.enqueued.map((e) => [e.data.fileName, e.data.athleteId]))).toEqual({ 'a.fit': 'alice', 'b.fit': 'bob' });
    expect(await tree(bySubfolder)).toEqual(['done/alice/a.fit', 'done/bob/2024/b.fit']);

    const byFlag = await tempFolder();
    await put(join(byFlag, 'alice', 'a.fit'), 'a');
    await put(join(byFlag, 'root.fit'), 'r');
    const two = await start(byFlag, { athleteId: '10231' });
    await two.watcher.idle();
    expect(two.runner.enqueued.map((e) => e.data.athleteId)).toEqual(['10231', '10231']);
  });

  it('takes the athlete (and account) from the map; --athlete covers what the map does not name', async () => {
    const dir = await tempFolder();
    const athleteMap = parseAthleteMap({ alice: '1001', bob: { athleteId: '2002', account: 'club' } }, '/etc/athletes.json');
    await put(join(dir, 'alice', 'a.fit'), 'a');
    await put(join(dir, 'bob', 'b.fit'), 'b');
    await put(join(dir, 'carol', 'c.fit'), 'c');
    await put(join(dir, 'root.fit'), 'r');
    const { runner, watcher, log } = await start(dir, { athleteMap });
    await watcher.idle();
    expect(runner.enqueued.map((e) => [e.data.fileName, e.data.account, e.data.athleteId]).sort()).toEqual([
      ['a.fit', 'riverside', '1001'],
      ['b.fit', 'club', '2002'],
    ]);
    expect(await tree(dir)).toEqual([
      'done/alice/a.fit',
      'done/bob/b.fit',
      'failed/carol/c.fit',
      'failed/carol/c.fit.error.json',
      'failed/root.fit',
      'failed/root.fit.error.json',
    ]);
    const carol = JSON.parse(await readFile(join(dir, 'failed', 'carol', 'c.fit.error.json'), 'utf8')) as ErrorReport;
    expect(carol).toMatchObject({ code: 'no-athlete', jobId: null, athleteId: null, account: 'riverside' });
    expect(carol.reason).toContain('"carol"');
    expect(carol.reason).toContain('/etc/athletes.json');
    expect(log.of('failed').map((e) => e.code)).toEqual(['no-athlete', 'no-athlete']);

    const withDefault = await tempFolder();
    await put(join(withDefault, 'alice', 'a.fit'), 'a');
    await put(join(withDefault, 'carol', 'c.fit'), 'c');
    const second = await start(withDefault, { athleteMap, athleteId: '99' });
    await second.watcher.idle();
    expect(second.runner.enqueued.map((e) => [e.data.fileName, e.data.athleteId]).sort()).toEqual([
      ['a.fit', '1001'],
      ['c.fit', '99'],
    ]);
  });

  it('fails a file directly in the folder when no athlete is known, saying so', async () => {
    const dir = await tempFolder();
    await put(join(dir, 'orphan.fit'), 'no one');
    const { runner, watcher, log } = await start(dir);
    await watcher.idle();
    expect(runner.calls).toBe(0);
    expect(await tree(dir)).toEqual(['failed/orphan.fit', 'failed/orphan.fit.error.json']);
    const report = JSON.parse(await readFile(join(dir, 'failed', 'orphan.fit.error.json'), 'utf8')) as ErrorReport;
    expect(report).toMatchObject({ file: 'orphan.fit', source: 'orphan.fit', outcome: 'failed', code: 'no-athlete', jobId: null, entries: [] });
    expect(report.reason).toMatch(/no athlete is known for a file directly in the watched folder: start the watcher with --athlete ID/);
    expect(log.of('failed')[0]?.reason).toBe(report.reason);
  });

  it('never overwrites in done/ or failed/: a taken name becomes "name (1)"', async () => {
    const dir = await tempFolder();
    await put(join(dir, 'done', 'alice', 'ride.fit'), 'the first ride');
    await put(join(dir, 'failed', 'alice', 'bad.fit'), 'an old failure');
    await put(join(dir, 'failed', 'alice', 'bad (1).fit.error.json'), '{"an": "orphan report"}');
    await put(join(dir, 'alice', 'ride.fit'), 'the second ride');
    await put(join(dir, 'alice', 'bad.fit'), 'BAD new failure');
    const { watcher, log } = await start(dir);
    await watcher.idle();
    await put(join(dir, 'alice', 'ride.fit'), 'the third ride');
    await log.waitFor('moved', (e) => e.to === join(dir, 'done', 'alice', 'ride (2).fit'));
    expect(await readFile(join(dir, 'done', 'alice', 'ride.fit'), 'utf8')).toBe('the first ride');
    expect(await readFile(join(dir, 'done', 'alice', 'ride (1).fit'), 'utf8')).toBe('the second ride');
    expect(await readFile(join(dir, 'done', 'alice', 'ride (2).fit'), 'utf8')).toBe('the third ride');
    expect(await readFile(join(dir, 'failed', 'alice', 'bad.fit'), 'utf8')).toBe('an old failure');
    expect(await readFile(join(dir, 'failed', 'alice', 'bad (1).fit.error.json'), 'utf8')).toBe('{"an": "orphan report"}');
    // (1) is skipped because its report name is taken: a file and its report always share a number.
    expect(await readFile(join(dir, 'failed', 'alice', 'bad (2).fit'), 'utf8')).toBe('BAD new failure');
    const report = JSON.parse(await readFile(join(dir, 'failed', 'alice', 'bad (2).fit.error.json'), 'utf8')) as ErrorReport;
    expect(report.file).toBe('bad (2).fit');
  });

  it('enqueues the same content dropped twice as one job, and moves both files', async () => {
    const dir = await tempFolder();
    const { runner, log, watcher } = await start(dir, { athleteId: '7' });
    await put(join(dir, 'ride.fit'), 'same bytes');
    await log.waitFor('moved');
    await put(join(dir, 'copy of ride.fit'), 'same bytes');
    await log.waitFor('moved', (e) => e.file === 'copy of ride.fit');
    await watcher.idle();
    expect(runner.enqueued.map((e) => e.added)).toEqual([true, false]);
    const ids = log.of('queued').map((e) => e.jobId);
    expect(ids).toHaveLength(2);
    expect(ids[0]).toBe(ids[1]);
    expect(await tree(dir)).toEqual(['done/copy of ride.fit', 'done/ride.fit']);
  });

  it('leaves ignored names alone: hidden, partial downloads, temporary files, reports, done/ and failed/ trees', async () => {
    const dir = await tempFolder();
    const ignored = [
      '.hidden.fit',
      'ride.fit.part',
      'ride.fit.crdownload',
      'ride.fit.tmp',
      '~$notes.fit',
      '.~lock.ride.fit#',
      'old.fit.error.json',
      'done/x.fit',
      'failed/y.fit',
      'alice/done/z.fit',
      'alice/.sync/w.fit',
      'Thumbs.db',
    ];
    for (const name of ignored) await put(join(dir, name), 'BAD would fail');
    const { runner, watcher, log } = await start(dir, { athleteId: '7' });
    await watcher.idle();
    for (const name of ['later.fit.part', 'alice/done/later.fit', '.later.fit']) await put(join(dir, name), 'BAD would fail');
    // A real file dropped after the ignored ones: once it is done, the ignored ones had their chance.
    await put(join(dir, 'real.fit'), 'good');
    await log.waitFor('moved');
    await watcher.idle();
    expect(runner.enqueued.map((e) => e.data.fileName)).toEqual(['real.fit']);
    expect(await tree(dir)).toEqual([...ignored, 'later.fit.part', 'alice/done/later.fit', '.later.fit', 'done/real.fit'].sort());
  });

  it('keeps the file in place when the runner fails, and tries again', async () => {
    const dir = await tempFolder();
    const runner = createTestRunner();
    runner.failNext(2);
    const { log, watcher } = await start(dir, { athleteId: '7' }, runner);
    await put(join(dir, 'ride.fit'), 'good');
    const first = await log.waitFor('runner-error');
    expect(first).toMatchObject({ attempt: 1, retryInMs: 30, file: 'ride.fit' });
    expect(first.message).toContain('Redis is down');
    expect(await tree(dir)).toEqual(['ride.fit']);
    await watcher.idle();
    expect(log.of('runner-error').map((e) => e.attempt)).toEqual([1, 2]);
    expect(log.of('found')).toHaveLength(1);
    expect(runner.calls).toBe(3);
    expect(log.of('failed')).toEqual([]);
    expect(await tree(dir)).toEqual(['done/ride.fit']);
  });

  it('close() stops waiting and leaves unfinished files where they are; a restart finishes them as the same job', async () => {
    const dir = await tempFolder();
    const runner = createTestRunner();
    runner.hold();
    const first = await start(dir, { athleteId: '7' }, runner);
    await put(join(dir, 'waiting.fit'), 'good');
    await put(join(dir, 'copying.fit'), 'partial');
    await first.log.waitFor('queued', (e) => e.file === 'waiting.fit');
    await first.watcher.close();
    expect(runner.aborted).toBeGreaterThanOrEqual(1);
    expect(await tree(dir)).toEqual(['copying.fit', 'waiting.fit']);
    expect(first.log.of('moved')).toEqual([]);
    await first.watcher.idle(); // resolves once closed

    runner.release();
    const second = await start(dir, { athleteId: '7' }, runner);
    await second.watcher.idle();
    expect(runner.enqueued.filter((e) => e.data.fileName === 'waiting.fit').map((e) => e.added)).toEqual([true, false]);
    expect(await tree(dir)).toEqual(['done/copying.fit', 'done/waiting.fit']);
  });

  it('takes up at most `concurrency` files at once; the rest wait their turn', async () => {
    const dir = await tempFolder();
    for (const name of ['a.fit', 'b.fit', 'c.fit', 'd.fit', 'e.fit']) await put(join(dir, name), `ride ${name}`);
    const runner = createTestRunner();
    runner.hold();
    const { log, watcher } = await start(dir, { athleteId: '7', concurrency: 2 }, runner);
    // Two files (whichever the scan gives first) take both slots while their results are awaited.
    await log.waitFor('queued', () => log.of('queued').length >= 2);
    // The other three are not even looked at meanwhile.
    await new Promise((resolve) => setTimeout(resolve, STABLE_MS * 2));
    expect(log.of('found')).toHaveLength(2);
    expect(runner.calls).toBe(2);
    runner.release();
    await watcher.idle();
    expect(log.of('moved')).toHaveLength(5);
    expect(log.of('found').map((e) => e.file).sort()).toEqual(['a.fit', 'b.fit', 'c.fit', 'd.fit', 'e.fit']);
  });

  it('refuses a file over MAX_FILE_BYTES without reading it', async () => {
    const dir = await tempFolder();
    const path = join(dir, 'huge.fit');
    await writeFile(path, '');
    await truncate(path, MAX_FILE_BYTES + 1); // sparse: no disk used
    const { runner, watcher } = await start(dir, { athleteId: '7' });
    await watcher.idle();
    expect(runner.calls).toBe(0);
    const report = JSON.parse(await readFile(join(dir, 'failed', 'huge.fit.error.json'), 'utf8')) as ErrorReport;
    expect(report).toMatchObject({ code: 'too-large', athleteId: '7', jobId: null });
    expect(report.reason).toContain(`${MAX_FILE_BYTES + 1} bytes, over the cap`);
    expect((await stat(join(dir, 'failed', 'huge.fit'))).size).toBe(MAX_FILE_BYTES + 1);
  });

  it.skipIf(process.getuid?.() === 0)('moves a file it cannot read to failed/ with the reason', async () => {
    const dir = await tempFolder();
    const path = join(dir, 'locked.fit');
    await put(path, 'secret');
    await chmod(path, 0o000);
    cleanups.push(async () => {
      await chmod(join(dir, 'failed', 'locked.fit'), 0o600).catch(() => undefined);
    });
    const { runner, watcher } = await start(dir, { athleteId: '7' });
    await watcher.idle();
    expect(runner.calls).toBe(0);
    const report = JSON.parse(await readFile(join(dir, 'failed', 'locked.fit.error.json'), 'utf8')) as ErrorReport;
    expect(report.code).toBe('unreadable');
    expect(report.reason).toMatch(/^cannot read the file: .*EACCES/);
  });

  it('leaves a link to a folder alone, and says so once', async () => {
    const dir = await tempFolder();
    const elsewhere = await tempFolder();
    await put(join(elsewhere, 'inside.fit'), 'good');
    await symlink(elsewhere, join(dir, 'linked'));
    const { runner, watcher, log } = await start(dir, { athleteId: '7' });
    await watcher.idle();
    expect(runner.calls).toBe(0);
    expect(log.of('error')).toMatchObject([{ code: 'unreadable', file: 'linked' }]);
    expect(log.of('error')[0]?.message).toContain('not a regular file');
    expect(await readdir(dir)).toEqual(['linked']);
    expect(await readdir(elsewhere)).toEqual(['inside.fit']);
  });

  it('takes up a file replaced while its result was awaited again, and imports the new content', async () => {
    const dir = await tempFolder();
    const runner = createTestRunner();
    runner.hold();
    const { log, watcher } = await start(dir, { athleteId: '7' }, runner);
    const path = join(dir, 'ride.fit');
    await put(path, 'first version');
    await log.waitFor('queued');
    await writeFile(path, 'second, longer version');
    runner.release();
    await log.waitFor('moved');
    await watcher.idle();
    expect(runner.enqueued.map((e) => e.data.contentHash)).toEqual([sha256Hex(Buffer.from('first version')), sha256Hex(Buffer.from('second, longer version'))]);
    expect(log.of('moved')).toHaveLength(1);
    expect(await readFile(join(dir, 'done', 'ride.fit'), 'utf8')).toBe('second, longer version');
  });

  it('closes when its signal is aborted', async () => {
    const dir = await tempFolder();
    const controller = new AbortController();
    const runner = createTestRunner();
    runner.hold();
    const { log, watcher } = await start(dir, { athleteId: '7', signal: controller.signal }, runner);
    await put(join(dir, 'ride.fit'), 'good');
    await log.waitFor('queued');
    controller.abort();
    await watcher.idle();
    await watcher.close();
    expect(runner.aborted).toBe(1);
    expect(await tree(dir)).toEqual(['ride.fit']);
  });

  it('can be closed before it is ready', async () => {
    const dir = await tempFolder();
    await put(join(dir, 'ride.fit'), 'good');
    const runner = createTestRunner();
    const watcher = await watchFolder({ folder: dir, runner, account: 'riverside', athleteId: '7', stableMs: STABLE_MS, pollMs: POLL_MS });
    const idle = watcher.idle();
    await watcher.close();
    await watcher.ready;
    await idle;
    expect(runner.calls).toBe(0);
    expect(await tree(dir)).toEqual(['ride.fit']);
  });

  it('rejects bad options with one message naming each', async () => {
    const dir = await tempFolder();
    const runner = createTestRunner();
    await expect(watchFolder({ folder: dir, runner, account: 'bad account!', stableMs: -1, concurrency: 0 })).rejects.toThrow(
      /^\[watch\] bad options:\n {2}account: .*\n {2}stableMs: .*\n {2}concurrency: /,
    );
    await expect(watchFolder({ folder: join(dir, 'nope'), runner, account: 'a' })).rejects.toMatchObject({ code: 'not-found', message: `[watch] ${join(dir, 'nope')}: no such folder to watch` });
    await put(join(dir, 'file'), 'x');
    await expect(watchFolder({ folder: join(dir, 'file'), runner, account: 'a' })).rejects.toMatchObject({ code: 'not-a-folder' });
    await expect(watchFolder({ folder: dir, runner, account: 'a', timeZone: 'Mars/Olympus' })).rejects.toThrow('timeZone: "Mars/Olympus" is not an IANA time zone');
  });
});

describe('importFolderOnce', () => {
  it('imports every file present and resolves when all are settled', async () => {
    const dir = await tempFolder();
    await put(join(dir, 'alice', 'a.fit'), 'good a');
    await put(join(dir, 'alice', 'b.fit'), 'BAD b');
    await put(join(dir, 'bob', 'c.fit'), 'good c');
    await put(join(dir, 'root.fit'), 'no athlete');
    const runner = createTestRunner();
    const log = createEventLog();
    const summary = await importFolderOnce({ folder: dir, runner, account: 'riverside', stableMs: STABLE_MS, pollMs: POLL_MS, onEvent: log.onEvent });
    expect(summary).toEqual({ done: 2, failed: 2, left: 0 });
    expect(await tree(dir)).toEqual([
      'done/alice/a.fit',
      'done/bob/c.fit',
      'failed/alice/b.fit',
      'failed/alice/b.fit.error.json',
      'failed/root.fit',
      'failed/root.fit.error.json',
    ]);
  });

  it('leaves the files in place when the runner fails, for the next run', async () => {
    const dir = await tempFolder();
    await put(join(dir, 'a.fit'), 'good a');
    const runner = createTestRunner();
    runner.failNext(5);
    const summary = await importFolderOnce({ folder: dir, runner, account: 'riverside', athleteId: '7', stableMs: STABLE_MS, pollMs: POLL_MS });
    expect(summary).toEqual({ done: 0, failed: 0, left: 1 });
    expect(runner.calls).toBe(1);
    expect(await tree(dir)).toEqual(['a.fit']);
  });
});
