import { describe, expect, it } from 'vitest';
import { fingerprintOf } from '@optimo-import/workout';
import { createRecordingIndex } from './recording-index.js';
import type { RecordingClaim } from './recording-index.js';

const T = Date.UTC(2026, 9, 3, 6, 30);
const claim = (file: string, startTime: number, seconds: number): RecordingClaim => ({ fingerprint: fingerprintOf(startTime, seconds), file, fileName: file, entry: file, index: 0 });

describe('createRecordingIndex', () => {
  it('finds the same recording within sameRecording\'s tolerances (5 s start, 2% or 10 s duration)', () => {
    const index = createRecordingIndex();
    index.add(claim('ride.fit', T, 3600));
    expect(index.find(fingerprintOf(T, 3600))?.file).toBe('ride.fit');
    expect(index.find(fingerprintOf(T + 5000, 3600))?.file).toBe('ride.fit');
    expect(index.find(fingerprintOf(T - 5000, 3600 + 72))?.file).toBe('ride.fit');
    expect(index.find(fingerprintOf(T + 6000, 3600))).toBeUndefined();
    expect(index.find(fingerprintOf(T, 3600 + 75))).toBeUndefined(); // 75 s > 2% of 3675 s
    expect(index.find(fingerprintOf(T, 400))).toBeUndefined();
    expect(index.size).toBe(1);
  });

  it('the earliest claim wins when several match', () => {
    const index = createRecordingIndex();
    index.add(claim('b.tcx', T + 3000, 3600));
    index.add(claim('a.fit', T, 3600));
    expect(index.find(fingerprintOf(T + 1000, 3600))?.file).toBe('b.tcx');
  });

  it('fingerprints that do not parse match only themselves', () => {
    const index = createRecordingIndex();
    index.add({ fingerprint: 'odd', file: 'x', fileName: 'x', entry: 'x', index: 0 });
    expect(index.find('odd')?.file).toBe('x');
    expect(index.find('odder')).toBeUndefined();
  });

  it('stays fast with 20,000 recordings', () => {
    const index = createRecordingIndex();
    const t0 = performance.now();
    for (let i = 0; i < 20_000; i++) {
      const fp = fingerprintOf(T + i * 3_600_000, 3600);
      if (!index.find(fp)) index.add({ fingerprint: fp, file: `f${i}`, fileName: `f${i}`, entry: `f${i}`, index: 0 });
    }
    expect(index.size).toBe(20_000);
    expect(performance.now() - t0).toBeLessThan(2000);
  });
});
