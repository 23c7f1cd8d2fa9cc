/**
 * A fake clock for the limiter tests: time moves only when a test moves it, and `settle` runs a
 * pending acquire to its end by jumping to each wake-up the limiter asks for. No real sleeps.
 */
import type { Clock } from './options.js';

export interface FakeClock extends Clock {
  set(epochMs: number): void;
  /** Jumps to the earliest pending wake-up and fires it; false when nothing sleeps. */
  runNext(): boolean;
  /** Resolves once something sleeps on this clock (at once if something already does). */
  whenSleeping(): Promise<void>;
  /** How many sleeps are pending. */
  sleeping(): number;
}

interface Sleeper {
  wakeAt: number;
  resolve: () => void;
}

export function createFakeClock(start: number): FakeClock {
  let now = start;
  const sleepers: Sleeper[] = [];
  let watchers: Array<() => void> = [];
  return {
    now: () => now,
    set(epochMs) {
      now = epochMs;
    },
    sleep(ms, signal) {
      return new Promise<void>((resolve, reject) => {
        if (signal?.aborted) {
          reject(signal.reason);
          return;
        }
        const sleeper: Sleeper = {
          wakeAt: now + Math.max(0, ms),
          resolve: () => {
            signal?.removeEventListener('abort', onAbort);
            resolve();
          },
        };
        const onAbort = (): void => {
          const index = sleepers.indexOf(sleeper);
          if (index >= 0) sleepers.splice(index, 1);
          reject(signal?.reason);
        };
        signal?.addEventListener('abort', onAbort, { once: true });
        sleepers.push(sleeper);
        const waiting = watchers;
        watchers = [];
        for (const watcher of waiting) watcher();
      });
    },
    runNext() {
      if (sleepers.length === 0) return false;
      sleepers.sort((a, b) => a.wakeAt - b.wakeAt);
      const first = sleepers.shift() as Sleeper;
      now = Math.max(now, first.wakeAt);
      first.resolve();
      return true;
    },
    whenSleeping() {
      if (sleepers.length > 0) return Promise.resolve();
      return new Promise<void>((resolve) => watchers.push(resolve));
    },
    sleeping: () => sleepers.length,
  };
}

const macrotask = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/**
 * Awaits `promise`, moving the fake clock to each wake-up while it is pending (what a real clock
 * would do, without waiting). Only one task may sleep on the clock at a time for the jumps to be
 * in order: run concurrent acquires through `settleAll`.
 */
export async function settle<T>(clock: FakeClock, promise: Promise<T>): Promise<T> {
  let done = false;
  const finished = promise.then(
    () => {
      done = true;
    },
    () => {
      done = true;
    },
  );
  for (;;) {
    await Promise.race([finished, clock.whenSleeping()]);
    if (done) return promise;
    clock.runNext();
    await macrotask();
  }
}

/** Awaits every promise (memory limiter only: it needs no I/O between wake-ups), jumping the clock while all pending ones sleep. */
export async function settleAll<T>(clock: FakeClock, promises: Array<Promise<T>>): Promise<PromiseSettledResult<T>[]> {
  const all = Promise.allSettled(promises);
  let done = false;
  void all.then(() => {
    done = true;
  });
  for (;;) {
    await macrotask();
    if (done) return all;
    if (!clock.runNext()) await Promise.race([all, clock.whenSleeping()]);
  }
}

/** Runs an acquire-like call to its end and says how long (fake ms) it waited. */
export async function timed<T>(clock: FakeClock, run: () => Promise<T>): Promise<{ value: T; waitedMs: number }> {
  const start = clock.now();
  const value = await settle(clock, run());
  return { value, waitedMs: clock.now() - start };
}
