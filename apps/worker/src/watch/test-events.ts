/**
 * Records a watcher's events for tests and lets a test wait for one (no fixed sleeps).
 */
import type { WatchEvent } from './watch-events.js';

export interface EventLog {
  readonly events: WatchEvent[];
  onEvent(event: WatchEvent): void;
  /** Resolves with the first event (already seen or to come) that matches; rejects after `timeoutMs`. */
  waitFor<T extends WatchEvent['type']>(type: T, match?: (event: Extract<WatchEvent, { type: T }>) => boolean, timeoutMs?: number): Promise<Extract<WatchEvent, { type: T }>>;
  /** The events of one type. */
  of<T extends WatchEvent['type']>(type: T): Array<Extract<WatchEvent, { type: T }>>;
}

export function createEventLog(): EventLog {
  const events: WatchEvent[] = [];
  let listeners: Array<(event: WatchEvent) => boolean> = [];
  const of = <T extends WatchEvent['type']>(type: T) => events.filter((e): e is Extract<WatchEvent, { type: T }> => e.type === type);
  return {
    events,
    onEvent(event) {
      events.push(event);
      listeners = listeners.filter((listener) => !listener(event));
    },
    of,
    waitFor(type, match = () => true, timeoutMs = 10_000) {
      type E = Extract<WatchEvent, { type: typeof type }>;
      const seen = of(type).find((e) => match(e));
      if (seen !== undefined) return Promise.resolve(seen);
      return new Promise<E>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no ${type} event within ${timeoutMs} ms; events: ${events.map((e) => e.type).join(', ')}`)), timeoutMs);
        listeners.push((event) => {
          if (event.type !== type || !match(event as E)) return false;
          clearTimeout(timer);
          resolve(event as E);
          return true;
        });
      });
    },
  };
}
