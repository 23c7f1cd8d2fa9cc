import { appendFile, mkdtemp, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitUntilStable } from './stable-file.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'optimo-stable-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('waitUntilStable', () => {
  it('resolves only once the file has stopped growing for stableMs', async () => {
    const path = join(dir, 'growing.fit');
    await writeFile(path, 'a');
    let done = false;
    const waiting = waitUntilStable(path, { stableMs: 150, pollMs: 10 }).then((info) => {
      done = true;
      return info;
    });
    for (let i = 0; i < 6; i++) {
      await new Promise((resolve) => setTimeout(resolve, 40));
      expect(done).toBe(false);
      await appendFile(path, 'more');
    }
    const lastWrite = Date.now();
    const info = await waiting;
    expect(Date.now() - lastWrite).toBeGreaterThanOrEqual(140);
    expect(info.size).toBe(1 + 6 * 4);
  });

  it('takes a file last modified long ago as complete after one unchanged look', async () => {
    const path = join(dir, 'old.fit');
    await writeFile(path, 'old');
    const hourAgo = new Date(Date.now() - 3_600_000);
    await utimes(path, hourAgo, hourAgo);
    const started = Date.now();
    await waitUntilStable(path, { stableMs: 5000, pollMs: 10 });
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('rejects with ENOENT when the file goes away, and with the reason when aborted', async () => {
    await expect(waitUntilStable(join(dir, 'missing.fit'), { stableMs: 50, pollMs: 10 })).rejects.toMatchObject({ code: 'ENOENT' });
    const path = join(dir, 'waited.fit');
    await writeFile(path, 'x');
    const controller = new AbortController();
    const waiting = waitUntilStable(path, { stableMs: 60_000, pollMs: 10, signal: controller.signal });
    controller.abort(new Error('closed'));
    await expect(waiting).rejects.toThrow('closed');
  });
});
