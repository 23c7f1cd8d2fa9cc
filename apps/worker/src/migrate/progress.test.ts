import { describe, expect, it } from 'vitest';
import { createProgress } from './progress.js';
import type { ProgressState, ProgressStream } from './progress.js';

const MIDNIGHT = Date.UTC(2026, 9, 20);
const HOUR = 3_600_000;

function fakeStream(isTTY: boolean, columns?: number): ProgressStream & { chunks: string[] } {
  const chunks: string[] = [];
  return { isTTY, columns, chunks, write: (chunk: string) => chunks.push(chunk) };
}

function fakeClock(start = MIDNIGHT): { now: () => number; advance: (ms: number) => void } {
  let t = start;
  return { now: () => t, advance: (ms) => (t += ms) };
}

const state = (over: Partial<ProgressState> = {}): ProgressState => ({
  done: 0,
  failed: 0,
  duplicate: 0,
  waiting: 20_000,
  quotaUsed: 0,
  quotaLimit: 5000,
  quotaResetAt: MIDNIGHT + 24 * HOUR,
  ...over,
});

describe('createProgress on a terminal', () => {
  it('redraws one line in place with a bar, counts, quota and the time left in days when the quota decides', () => {
    const stream = fakeStream(true, 200);
    const clock = fakeClock();
    const progress = createProgress({ stream, total: 20_000, now: clock.now });
    progress.update(state());
    clock.advance(60_000);
    // 600 files in a minute: 10 a second, far faster than 5000 requests a day allow.
    progress.update(state({ done: 600, failed: 3, duplicate: 7, waiting: 19_400, active: 4, quotaUsed: 660, requestsPerFile: 1.1 }));
    const last = stream.chunks.at(-1) as string;
    expect(last.startsWith('\r\x1b[2K[')).toBe(true);
    expect(last).not.toContain('\n');
    expect(last).toContain('3%  600/20,000 files · 3 failed · 7 duplicates · 19,400 waiting (4 active) · quota 660/5,000 today · ~4 days left (quota)');
    expect(progress.estimate()?.limitedBy).toBe('quota');
    expect(progress.lastLine().length).toBeLessThan(200);
  });

  it('never draws wider than the terminal: the bar goes first, then the text is cut', () => {
    for (const columns of [160, 100, 60, 30]) {
      const stream = fakeStream(true, columns);
      const progress = createProgress({ stream, total: 20_000, now: fakeClock().now });
      progress.update(state({ done: 10_000, waiting: 10_000, quotaUsed: 4870 }));
      expect(progress.lastLine().length).toBeLessThanOrEqual(columns - 1);
      expect(progress.lastLine().includes('█')).toBe(columns >= 160);
    }
  });

  it('redraws at most every redrawMs, always the last update, and stop() leaves the line with a newline', () => {
    const stream = fakeStream(true, 200);
    const clock = fakeClock();
    const progress = createProgress({ stream, total: 3, now: clock.now, redrawMs: 100 });
    progress.update(state({ waiting: 3 }));
    clock.advance(10);
    progress.update(state({ done: 1, waiting: 2 }));
    expect(stream.chunks).toHaveLength(1);
    clock.advance(100);
    progress.update(state({ done: 2, waiting: 1 }));
    expect(stream.chunks).toHaveLength(2);
    clock.advance(1);
    progress.update(state({ done: 3, waiting: 0 })); // the last file is always drawn
    expect(stream.chunks).toHaveLength(3);
    expect(stream.chunks.at(-1)).toContain('100%  3/3 files');
    expect(stream.chunks.at(-1)).toContain('nothing left');
    progress.stop();
    expect(stream.chunks.at(-1)).toBe('\n');
    progress.update(state({ done: 3, waiting: 0 }));
    progress.stop();
    expect(stream.chunks.at(-1)).toBe('\n');
  });

  it('log() prints a line above the progress line and draws it again', () => {
    const stream = fakeStream(true, 200);
    const progress = createProgress({ stream, total: 2, now: fakeClock().now });
    progress.log('before any update');
    expect(stream.chunks).toEqual(['before any update\n']);
    progress.update(state({ waiting: 2 }));
    progress.log('a.fit  failed  corrupt');
    expect(stream.chunks.at(-1)).toBe(`\r\x1b[2Ka.fit  failed  corrupt\n${progress.lastLine()}`);
  });

  it('says when the quota is spent and when it resumes', () => {
    const stream = fakeStream(true, 250);
    const clock = fakeClock(MIDNIGHT + 21 * HOUR);
    const progress = createProgress({ stream, total: 20_000, now: clock.now });
    progress.update(state({ done: 4400, waiting: 15_600, quotaUsed: 4400 }));
    clock.advance(60_000);
    progress.update(state({ done: 5000, waiting: 15_000, quotaUsed: 5000 }));
    // 15,000 requests: three more quota days after the reset in 3 h.
    expect(progress.lastLine()).toContain('quota spent: resumes in 2 h 59 min, ~2 days left (quota)');
    expect(progress.estimate()?.finishAt).toBe(MIDNIGHT + 3 * 24 * HOUR + 500_000);
  });

  it('before any rate is measured and within today\'s quota, the time left is being measured', () => {
    const progress = createProgress({ stream: fakeStream(true, 250), total: 10, now: fakeClock().now });
    progress.update(state({ waiting: 10 }));
    expect(progress.lastLine()).toContain('time left: measuring');
  });
});

describe('createProgress in a log', () => {
  it('prints plain lines, at most one every intervalMs (10 s by default), and the final state at stop', () => {
    const stream = fakeStream(false);
    const clock = fakeClock();
    const progress = createProgress({ stream, total: 100, now: clock.now });
    for (let done = 0; done <= 50; done++) {
      progress.update(state({ done, waiting: 100 - done }));
      clock.advance(500); // 2 files a second: one line every 20 updates
    }
    expect(stream.chunks).toHaveLength(3);
    for (const chunk of stream.chunks) {
      expect(chunk).toMatch(/^progress: \d+\/100 files \(\d+%\) · 0 failed · 0 duplicates · \d+ waiting · quota 0\/5,000 today · .+\n$/);
      expect(chunk).not.toContain('\r');
      expect(chunk).not.toContain('\x1b');
    }
    expect(stream.chunks[0]).toContain('0/100 files (0%)');
    expect(stream.chunks[1]).toContain('20/100 files (20%)');
    expect(stream.chunks[2]).toMatch(/40\/100 files \(40%\).*· 30 s left\n$/);
    progress.stop();
    expect(stream.chunks).toHaveLength(4);
    expect(stream.chunks[3]).toContain('50/100 files (50%)');
    progress.stop();
    expect(stream.chunks).toHaveLength(4);
  });

  it('stop() prints nothing more when the last state was already printed', () => {
    const stream = fakeStream(false);
    const clock = fakeClock();
    const progress = createProgress({ stream, total: 1, now: clock.now, intervalMs: 1000 });
    progress.update(state({ done: 1, waiting: 0 }));
    clock.advance(5000);
    progress.stop();
    expect(stream.chunks).toHaveLength(1);
  });

  it('measures the rate over a recent window, so a pause for the quota does not hide a fast rate', () => {
    const stream = fakeStream(false);
    const clock = fakeClock(MIDNIGHT + 23 * HOUR);
    const progress = createProgress({ stream, total: 1000, now: clock.now, rateWindowMs: 60_000 });
    progress.update(state({ done: 0, waiting: 1000, quotaUsed: 4000 }));
    clock.advance(10 * HOUR); // held by the quota overnight: no progress
    progress.update(state({ done: 0, waiting: 1000, quotaUsed: 0, quotaResetAt: MIDNIGHT + 48 * HOUR }));
    clock.advance(30_000);
    progress.update(state({ done: 300, waiting: 700, quotaUsed: 300, quotaResetAt: MIDNIGHT + 48 * HOUR }));
    // 10 files a second over the last 30 s: 70 s left.
    expect(progress.lastLine()).toContain('1 min left');
    expect(progress.estimate()).toMatchObject({ limitedBy: 'rate' });
  });
});

describe('createProgress options', () => {
  it('rejects bad options at construction with one message form', () => {
    const stream = fakeStream(false);
    expect(() => createProgress({ stream, total: -1 })).toThrow('[progress] option `total` must be a whole number ≥ 0, got -1');
    expect(() => createProgress({ stream, total: 1.5 })).toThrow('[progress] option `total`');
    expect(() => createProgress({ stream, total: 1, intervalMs: Number.NaN })).toThrow('[progress] option `intervalMs` must be a finite number ≥ 0, got NaN');
    expect(() => createProgress({ stream: {} as ProgressStream, total: 1 })).toThrow('[progress] option `stream` must be a writable stream');
  });

  it('without a known limit, the quota is shown as a count and the time left comes from the rate', () => {
    const clock = fakeClock();
    const progress = createProgress({ stream: fakeStream(false), total: 100, now: clock.now });
    progress.update(state({ waiting: 100, quotaLimit: 0 }));
    clock.advance(10_000);
    progress.update(state({ done: 10, waiting: 90, quotaUsed: 10, quotaLimit: 0 }));
    // 90 files at 1 a second: 90 s, shown to the nearest minute.
    expect(progress.lastLine()).toContain('· 10 requests today · 2 min left');
    expect(progress.estimate()).toMatchObject({ limitedBy: 'rate' });
  });

  it('an empty migration is complete at once', () => {
    const progress = createProgress({ stream: fakeStream(true, 120), total: 0, now: fakeClock().now });
    progress.update(state({ waiting: 0 }));
    expect(progress.lastLine()).toContain('100%  0/0 files');
  });
});
