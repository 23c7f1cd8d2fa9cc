import { expect, it } from 'vitest';
import { isFinished } from './ledger.js';
import type { LedgerEntry, UploadLedger } from './ledger.js';

/** What every ledger does; each implementation runs it in a few lines (like unstorage's driver tests). */
export function testLedgerConformance(make: () => Promise<UploadLedger> | UploadLedger): void {
  const sending: LedgerEntry = { state: 'sending', at: 1_780_000_000_000, sampleCount: 300 };
  const created: LedgerEntry = { state: 'created', at: 1_780_000_001_000, sampleCount: 300, workoutId: '8812', samplesStored: 120 };

  it('reads back what it wrote; the last write wins', async () => {
    const ledger = await make();
    expect(await ledger.read('fit:1:2')).toBeUndefined();
    await ledger.write('fit:1:2', sending);
    expect(await ledger.read('fit:1:2')).toEqual(sending);
    await ledger.write('fit:1:2', created);
    expect(await ledger.read('fit:1:2')).toEqual(created);
    expect(isFinished(created)).toBe(false);
    await ledger.write('fit:1:2', { ...created, samplesStored: 300 });
    expect(isFinished(await ledger.read('fit:1:2'))).toBe(true);
  });

  it('keeps keys apart and forgets a removed one', async () => {
    const ledger = await make();
    await ledger.write('sha256:aa', sending);
    await ledger.write('sha256:bb #1 ✓', created);
    await ledger.remove('sha256:aa');
    await ledger.remove('never-written');
    expect(await ledger.read('sha256:aa')).toBeUndefined();
    expect(await ledger.read('sha256:bb #1 ✓')).toEqual(created);
  });

  it('refuses entries and keys it could not read back', async () => {
    const ledger = await make();
    await expect(ledger.write('k', { state: 'created', at: 1, sampleCount: 1 } as LedgerEntry)).rejects.toThrow('a created entry needs `workoutId`');
    await expect(ledger.write('k', { state: 'done', at: 1, sampleCount: 1 } as unknown as LedgerEntry)).rejects.toThrow("state must be 'sending' or 'created'");
    await expect(async () => ledger.write('a\nb', sending)).rejects.toThrow('without line breaks');
  });

  it('keeps order under concurrent writes to one key', async () => {
    const ledger = await make();
    await Promise.all(Array.from({ length: 20 }, (_, i) => ledger.write('busy', { ...created, samplesStored: i })));
    expect((await ledger.read('busy'))?.samplesStored).toBe(19);
  });
}
