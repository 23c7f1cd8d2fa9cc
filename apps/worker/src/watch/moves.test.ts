import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { moveWithoutOverwrite, numberedName } from './moves.js';
import type { MoveFs } from './moves.js';

const dirs: string[] = [];
afterEach(async () => {
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

async function setup(): Promise<{ inbox: string; done: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'optimo-moves-'));
  dirs.push(dir);
  await mkdir(join(dir, 'inbox'));
  return { inbox: join(dir, 'inbox'), done: join(dir, 'done', 'alice') };
}

function errno(code: string): Error {
  return Object.assign(new Error(`${code}: simulated`), { code });
}

describe('numberedName', () => {
  it.each([
    ['ride.fit', 1, 'ride (1).fit'],
    ['ride.fit', 12, 'ride (12).fit'],
    ['ride.fit', 0, 'ride.fit'],
    ['ride.fit.gz', 2, 'ride (2).fit.gz'],
    ['archive.gz', 1, 'archive (1).gz'],
    ['2024.05.01 ride.tcx', 1, '2024.05.01 ride (1).tcx'],
    ['README', 3, 'README (3)'],
  ])('%s, %i → %s', (name, n, expected) => expect(numberedName(name, n)).toBe(expected));
});

describe('moveWithoutOverwrite', () => {
  it('moves under the first free name, never touching the files already there', async () => {
    const { inbox, done } = await setup();
    await mkdir(done, { recursive: true });
    await writeFile(join(done, 'ride.fit'), 'zero');
    await writeFile(join(done, 'ride (1).fit'), 'one');
    for (const content of ['two', 'three']) {
      await writeFile(join(inbox, 'ride.fit'), content);
      await moveWithoutOverwrite(join(inbox, 'ride.fit'), done);
    }
    expect((await readdir(done)).sort()).toEqual(['ride (1).fit', 'ride (2).fit', 'ride (3).fit', 'ride.fit']);
    expect(await readFile(join(done, 'ride.fit'), 'utf8')).toBe('zero');
    expect(await readFile(join(done, 'ride (1).fit'), 'utf8')).toBe('one');
    expect(await readFile(join(done, 'ride (2).fit'), 'utf8')).toBe('two');
    expect(await readFile(join(done, 'ride (3).fit'), 'utf8')).toBe('three');
    expect(await readdir(inbox)).toEqual([]);
  });

  it('skips a number whose sidecar name is taken', async () => {
    const { inbox, done } = await setup();
    await mkdir(done, { recursive: true });
    await writeFile(join(done, 'bad.fit.error.json'), '{}');
    await writeFile(join(inbox, 'bad.fit'), 'x');
    expect(await moveWithoutOverwrite(join(inbox, 'bad.fit'), done, { sidecar: '.error.json' })).toBe(join(done, 'bad (1).fit'));
  });

  it('falls back to rename where hard links are not supported, still never overwriting', async () => {
    const { inbox, done } = await setup();
    await mkdir(done, { recursive: true });
    await writeFile(join(done, 'ride.fit'), 'old');
    await writeFile(join(inbox, 'ride.fit'), 'new');
    const fs: Partial<MoveFs> = { link: () => Promise.reject(errno('EPERM')) };
    expect(await moveWithoutOverwrite(join(inbox, 'ride.fit'), done, { fs })).toBe(join(done, 'ride (1).fit'));
    expect(await readFile(join(done, 'ride.fit'), 'utf8')).toBe('old');
    expect(await readFile(join(done, 'ride (1).fit'), 'utf8')).toBe('new');
  });

  it('copies across file systems (EXDEV), checks the copy, then removes the source', async () => {
    const { inbox, done } = await setup();
    await mkdir(done, { recursive: true });
    await writeFile(join(done, 'ride.fit'), 'old');
    await writeFile(join(inbox, 'ride.fit'), 'new bytes');
    const exdev = (): Promise<void> => Promise.reject(errno('EXDEV'));
    expect(await moveWithoutOverwrite(join(inbox, 'ride.fit'), done, { fs: { link: exdev, rename: exdev } })).toBe(join(done, 'ride (1).fit'));
    expect(await readFile(join(done, 'ride (1).fit'), 'utf8')).toBe('new bytes');
    expect(await readFile(join(done, 'ride.fit'), 'utf8')).toBe('old');
    expect(await readdir(inbox)).toEqual([]);
  });

  it('keeps the source when the copy does not check out', async () => {
    const { inbox, done } = await setup();
    await writeFile(join(inbox, 'ride.fit'), 'the whole file');
    const exdev = (): Promise<void> => Promise.reject(errno('EXDEV'));
    const shortCopy = async (_from: string, to: string): Promise<void> => writeFile(to, 'the wh', { flag: 'wx' });
    await expect(moveWithoutOverwrite(join(inbox, 'ride.fit'), done, { fs: { link: exdev, copyFile: shortCopy } })).rejects.toMatchObject({
      code: 'move-failed',
      message: expect.stringMatching(/has 6 bytes, the file 14; the file was left in place$/),
    });
    expect(await readFile(join(inbox, 'ride.fit'), 'utf8')).toBe('the whole file');
    expect(await readdir(done)).toEqual([]);
  });

  it('fails with the file named when the source is missing', async () => {
    const { inbox, done } = await setup();
    await expect(moveWithoutOverwrite(join(inbox, 'gone.fit'), done)).rejects.toMatchObject({ code: 'move-failed', message: expect.stringContaining(`[watch] ${join(inbox, 'gone.fit')}: cannot move it to ${done}`) });
  });
});
