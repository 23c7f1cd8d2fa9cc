import { getEventListeners } from 'node:events';
import { describe, expect, it } from 'vitest';
import { sleep } from './sleep.js';

describe('sleep', () => {
  it('leaves no abort listener behind once it has slept (one per sleep was a leak over a long run)', async () => {
    const stop = new AbortController();
    for (let i = 0; i < 20; i++) await sleep(1, stop.signal);
    expect(getEventListeners(stop.signal, 'abort')).toHaveLength(0);
  });

  it('rejects with the reason when the signal aborts, and at once when it already has', async () => {
    const stop = new AbortController();
    const sleeping = sleep(60_000, stop.signal);
    stop.abort(new Error('stopped'));
    await expect(sleeping).rejects.toThrow('stopped');
    await expect(sleep(60_000, stop.signal)).rejects.toThrow('stopped');
    expect(getEventListeners(stop.signal, 'abort')).toHaveLength(0);
  });
});
