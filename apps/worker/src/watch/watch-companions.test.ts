/**
 * The watch folder and Polar companions: `x.hrm` and `x.gpx` are moved only once both results are
 * known (each job must find the other file in place), the day file `.pdd` is never taken up.
 */
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { ImportJobData, ImportResult } from '../jobs/job-data.js';
import type { ImportRunner } from '../jobs/runner.js';
import { createEventLog } from './test-events.js';
import { createTestRunner } from './test-runner.js';
import { importFolderOnce, watchFolder } from './watch-folder.js';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function inbox(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'optimo-watch-polar-'));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  await mkdir(join(dir, 'ana'));
  await writeFile(join(dir, 'ana', '24050101.hrm'), 'hrm');
  await writeFile(join(dir, 'ana', '24050101.GPX'), 'gpx');
  await writeFile(join(dir, 'ana', '20240501.pdd'), 'day');
  await writeFile(join(dir, 'ana', 'other.fit'), 'fit');
  return dir;
}

/** The test runner, with the results of the jobs whose file name matches `held` kept back until `release()`. */
function holdingRunner(held: RegExp): ImportRunner & { enqueued: ImportJobData[]; release(): void } {
  const inner = createTestRunner();
  const enqueued: ImportJobData[] = [];
  const heldJobs = new Set<string>();
  let release!: () => void;
  const released = new Promise<void>((resolve) => {
    release = resolve;
  });
  return {
    ...inner,
    enqueued,
    release,
    async enqueue(data) {
      enqueued.push(data);
      const out = await inner.enqueue(data);
      if (held.test(data.fileName)) heldJobs.add(out.jobId);
      return out;
    },
    async waitFor(jobId, signal): Promise<ImportResult> {
      const result = await inner.waitFor(jobId, signal);
      if (heldJobs.has(jobId)) await released;
      return result;
    },
  };
}

describe('watch folder: Polar companions', () => {
  it("an .hrm whose result is known waits in place until its .gpx's result is known; then both are moved", async () => {
    const dir = await inbox();
    const runner = holdingRunner(/\.gpx$/i);
    const log = createEventLog();
    const watcher = await watchFolder({ folder: dir, runner, account: 'riverside', stableMs: 50, pollMs: 10, rescanMs: 0, onEvent: log.onEvent });
    cleanups.push(() => watcher.close());
    cleanups.push(async () => runner.release()); // before the close, should an expectation fail
    await watcher.ready;
    await log.waitFor('moved', (event) => event.file === join('ana', 'other.fit'));
    // The HRM's job is done, but the GPX's is not: the HRM must stay for it.
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(runner.enqueued.map((data) => data.fileName).sort()).toEqual(['24050101.GPX', '24050101.hrm', 'other.fit']);
    expect(log.of('moved').map((event) => event.file)).toEqual([join('ana', 'other.fit')]);
    expect((await readdir(join(dir, 'ana'))).sort()).toEqual(['20240501.pdd', '24050101.GPX', '24050101.hrm']);
    runner.release();
    await watcher.idle();
    expect(log.of('moved').map((event) => event.file).slice(1)).toEqual([join('ana', '24050101.GPX'), join('ana', '24050101.hrm')]);
    expect((await readdir(join(dir, 'done', 'ana'))).sort()).toEqual(['24050101.GPX', '24050101.hrm', 'other.fit']);
    // The day file is never a job and stays where it was.
    expect(await readdir(join(dir, 'ana'))).toEqual(['20240501.pdd']);
    expect(log.events.some((event) => 'file' in event && event.file === join('ana', '20240501.pdd'))).toBe(false);
  });

  it('--once finishes a pair whatever order the results come in', async () => {
    for (const held of [/\.hrm$/i, /\.gpx$/i]) {
      const dir = await inbox();
      const runner = holdingRunner(held);
      setTimeout(() => runner.release(), 200);
      const summary = await importFolderOnce({ folder: dir, runner, account: 'riverside', athleteId: '7', stableMs: 20, pollMs: 10 });
      expect(summary).toEqual({ done: 3, failed: 0, left: 0 });
      expect(await readdir(join(dir, 'ana'))).toEqual(['20240501.pdd']);
    }
  });
});
