/**
 * `optimo-import watch` as the command runs it (in-process, a fake environment, an AbortSignal for
 * Ctrl-C), in the embedded mode, end to end with the real sandbox over HTTPS: files dropped into
 * per-athlete subfolders (the sandbox's athletes 1, 2 and 3) are imported and moved to done/, bad
 * ones to failed/ with their .error.json, with `--once` and while watching.
 */
import { access, copyFile, mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { watchCommand } from '../src/commands/watch-command.js';
import type { ErrorReport } from '../src/watch/error-report.js';
import { brokenFit, captureIo, distinctRides, EXAMPLES, startSandboxKit, until, USAGE } from './cli-kit.js';
import type { SandboxKit } from './cli-kit.js';

const exists = (path: string): Promise<boolean> =>
  access(path).then(
    () => true,
    () => false,
  );

async function errorReport(path: string): Promise<ErrorReport> {
  return JSON.parse(await readFile(path, 'utf8')) as ErrorReport;
}

describe('watch in the embedded mode', () => {
  let kit: SandboxKit;
  let env: Record<string, string>;
  let inbox: string;

  beforeEach(async () => {
    kit = await startSandboxKit({ timeZone: 'Europe/Lisbon' });
    env = { ...kit.defaultEnv(), OPTIMO_STATE_DIR: join(kit.dir, 'state') };
    inbox = join(kit.dir, 'inbox');
    for (const athlete of ['1', '2', '3']) await mkdir(join(inbox, athlete), { recursive: true });
  });
  afterEach(async () => {
    await kit.close();
  });

  it('--once imports what is there into each subfolder\'s athlete, moves it to done/, the bad files to failed/ with their reports; exit 1', async () => {
    expect(await kit.athleteIds()).toEqual(['1', '2', '3']);
    await copyFile(join(EXAMPLES, 'morning-ride.fit'), join(inbox, '1', 'morning-ride.fit'));
    await copyFile(join(EXAMPLES, 'track-intervals.tcx'), join(inbox, '2', 'track-intervals.tcx'));
    await copyFile(join(EXAMPLES, 'club-export.zip'), join(inbox, '3', 'club-export.zip'));
    await writeFile(join(inbox, '3', 'broken.fit'), brokenFit());
    await copyFile(join(EXAMPLES, 'hill-hike.gpx'), join(inbox, 'loose.gpx'));

    const run = captureIo();
    const code = await watchCommand([inbox, '--once'], run.io, { usage: USAGE, context: { env, cwd: kit.dir } });
    expect(code, run.text()).toBe(1);
    expect(run.out.at(-1)).toBe('done: 3 imported, 2 failed, 0 left for the next run');

    for (const file of ['1/morning-ride.fit', '2/track-intervals.tcx', '3/club-export.zip']) {
      expect(await exists(join(inbox, 'done', file)), file).toBe(true);
      expect(await exists(join(inbox, file)), file).toBe(false);
    }
    const broken = await errorReport(join(inbox, 'failed', '3', 'broken.fit.error.json'));
    expect(await exists(join(inbox, 'failed', '3', 'broken.fit'))).toBe(true);
    expect(broken).toMatchObject({ file: 'broken.fit', source: join('3', 'broken.fit'), outcome: 'failed', code: 'truncated', athleteId: '3' });
    expect(broken.reason).toMatch(/broken\.fit/);
    const loose = await errorReport(join(inbox, 'failed', 'loose.gpx.error.json'));
    expect(await exists(join(inbox, 'failed', 'loose.gpx'))).toBe(true);
    expect(loose).toMatchObject({ file: 'loose.gpx', outcome: 'failed', code: 'no-athlete', jobId: null });
    expect(await readdir(join(inbox))).toEqual(expect.arrayContaining(['1', '2', '3', 'done', 'failed']));
    expect(await readdir(join(inbox, '1'))).toEqual([]);

    // Each athlete has the workouts of their own subfolder, and nothing else was created.
    const [one, two, three] = await Promise.all(['1', '2', '3'].map((athleteId) => kit.workouts({ athleteId })));
    expect(one?.map((workout) => workout.sourceFormat)).toEqual(['fit']);
    expect(two?.map((workout) => workout.sourceFormat)).toEqual(['tcx']);
    expect(three?.length).toBeGreaterThan(1);
    expect(kit.creates()).toBe((one?.length ?? 0) + (two?.length ?? 0) + (three?.length ?? 0));
    expect(run.text()).toMatch(/imported 1\/morning-ride\.fit → workout \d+/);
  });

  it('watching: files there at start and files dropped later are imported and moved; a bad one goes to failed/; the same bytes again are not sent again; Ctrl-C exits 0', async () => {
    const [first, second] = distinctRides(2);
    await writeFile(join(inbox, '3', 'already-there.fit'), first as Uint8Array);
    const stop = new AbortController();
    const run = captureIo();
    const watching = watchCommand([inbox], run.io, { usage: USAGE, context: { env, cwd: kit.dir }, signal: stop.signal });
    try {
      await until('the watcher to be ready', () => run.out.some((line) => line.startsWith(`watching ${inbox}`)), 15_000);
      expect(run.out).toContain(`watching ${inbox} (1 file(s) already there)`);
      await until('the file found at start to be imported', () => exists(join(inbox, 'done', '3', 'already-there.fit')), 20_000);

      await writeFile(join(inbox, '2', 'dropped.fit'), second as Uint8Array);
      await writeFile(join(inbox, '1', 'bad.fit'), brokenFit());
      await until('the dropped file to be imported', () => exists(join(inbox, 'done', '2', 'dropped.fit')), 20_000);
      await until('the bad file to be failed with its report', () => exists(join(inbox, 'failed', '1', 'bad.fit.error.json')), 20_000);
      expect(await exists(join(inbox, 'failed', '1', 'bad.fit'))).toBe(true);
      expect(await errorReport(join(inbox, 'failed', '1', 'bad.fit.error.json'))).toMatchObject({ code: 'truncated', athleteId: '1', outcome: 'failed' });
      const creates = kit.creates();
      expect(creates).toBe(2);

      // The same bytes under another name: the same job, already done; moved to done/ without a request.
      const requests = kit.requests.length;
      await writeFile(join(inbox, '2', 'copy.fit'), second as Uint8Array);
      await until('the copy to be moved to done/', () => exists(join(inbox, 'done', '2', 'copy.fit')), 20_000);
      expect(kit.requests.length).toBe(requests);
    } finally {
      stop.abort();
    }
    expect(await watching, run.text()).toBe(0);
    expect(run.text()).toContain('SIGTERM: stopping; files not finished stay in the folder');
    expect((await kit.workouts({ athleteId: '3' })).length).toBe(1);
    expect((await kit.workouts({ athleteId: '2' })).length).toBe(1);
    expect(await kit.workouts({ athleteId: '1' })).toEqual([]);
  });
});
