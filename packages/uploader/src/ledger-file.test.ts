import { mkdtemp, readFile, rm, writeFile, appendFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createFileLedger } from './ledger-file.js';
import type { FileLedger } from './ledger-file.js';
import { testLedgerConformance } from './test-ledger-conformance.js';

const folder = await mkdtemp(join(tmpdir(), 'optimo-file-ledger-'));
let n = 0;
const nextFile = (): string => join(folder, `nested/ledger-${(n += 1)}.jsonl`);
const opened: FileLedger[] = [];
afterAll(async () => {
  await Promise.all(opened.map((ledger) => ledger.close()));
  await rm(folder, { recursive: true, force: true });
});

describe('file ledger', () => {
  testLedgerConformance(() => {
    const ledger = createFileLedger({ file: nextFile() });
    opened.push(ledger);
    return ledger;
  });

  it('survives a reopen: the file is the truth', async () => {
    const file = nextFile();
    const first = createFileLedger({ file });
    await first.write('a', { state: 'sending', at: 1, sampleCount: 5 });
    await first.write('a', { state: 'created', at: 2, sampleCount: 5, workoutId: '7', samplesStored: 5 });
    await first.write('b', { state: 'sending', at: 3, sampleCount: 0 });
    await first.remove('b');
    await first.close();
    const lines = (await readFile(file, 'utf8')).trim().split('\n');
    expect(lines).toHaveLength(4);
    expect(JSON.parse(lines[3]!)).toEqual({ key: 'b', removed: true });
    const second = createFileLedger({ file });
    expect(await second.read('a')).toEqual({ state: 'created', at: 2, sampleCount: 5, workoutId: '7', samplesStored: 5 });
    expect(await second.read('b')).toBeUndefined();
    await second.close();
  });

  it('a crash in the middle of a line: the cut line is dropped and cut off before the next append', async () => {
    const file = nextFile();
    const first = createFileLedger({ file });
    await first.write('a', { state: 'sending', at: 1, sampleCount: 5 });
    await first.close();
    await appendFile(file, '{"key":"b","entry":{"state":"sen');
    const second = createFileLedger({ file });
    expect(await second.read('b')).toBeUndefined();
    await second.write('c', { state: 'sending', at: 2, sampleCount: 1 });
    await second.close();
    const text = await readFile(file, 'utf8');
    expect(text.split('\n').filter(Boolean).map((line) => JSON.parse(line) as { key: string }).map((record) => record.key)).toEqual(['a', 'c']);
  });

  it('a damaged line elsewhere is an error that names the line', async () => {
    const file = nextFile();
    const ledger = createFileLedger({ file });
    await ledger.write('a', { state: 'sending', at: 1, sampleCount: 5 });
    await ledger.close();
    await writeFile(file, `garbage\n${await readFile(file, 'utf8')}`);
    const damaged = createFileLedger({ file });
    await expect(damaged.read('a')).rejects.toThrow(/line 1: not JSON/);
    await damaged.close();
  });

  it('compacts by atomic rename once the file is mostly stale', async () => {
    const file = nextFile();
    const ledger = createFileLedger({ file, compactAfterLines: 10 });
    for (let i = 0; i < 9; i += 1) await ledger.write('hot', { state: 'created', at: i, sampleCount: 9, workoutId: '1', samplesStored: i });
    await ledger.write('cold', { state: 'sending', at: 0, sampleCount: 1 });
    const lines = (await readFile(file, 'utf8')).trim().split('\n');
    expect(lines).toHaveLength(2);
    expect(await ledger.read('hot')).toMatchObject({ samplesStored: 8 });
    await ledger.write('later', { state: 'sending', at: 0, sampleCount: 1 });
    expect((await readFile(file, 'utf8')).trim().split('\n')).toHaveLength(3);
    await ledger.close();
  });

  it('refuses bad options', () => {
    expect(() => createFileLedger({ file: '' })).toThrow('[file-ledger] option `file` must be a path');
    expect(() => createFileLedger({ file: 'x', compactAfterLines: 0 })).toThrow('[file-ledger] option `compactAfterLines`');
  });
});
