/**
 * When each disruption is thrown, drawn from the seed. The window (after a short lead-in, so that
 * uploads are flowing) is cut into one slot per disruption; the disruptions are shuffled into the
 * slots and each starts at a random point of the first half of its slot, so that one has mostly
 * played out before the next begins (they may still overlap: a SIGTERM waits for the job in flight,
 * a held answer takes two minutes).
 */
import type { DisruptionKind } from './options.js';
import type { Random } from './random.js';

export type Disruption =
  /** A worker killed with SIGKILL (while a create of it is in flight), started again after `downMs`. */
  | { kind: 'sigkill'; at: number; worker: number; downMs: number }
  /** A worker stopped with SIGTERM (while a create of it is in flight): it must finish and exit 0; started again after `downMs`. */
  | { kind: 'sigterm'; at: number; worker: number; downMs: number }
  /** redis-server killed with SIGKILL, started again (same data) after `downMs`. */
  | { kind: 'redis'; at: number; downMs: number }
  /** The token rotated on the server (the old one answers 401/40100); the new one written to the token file `restoreAfterMs` after the importer met the first 401. */
  | { kind: 'token'; at: number; restoreAfterMs: number }
  /** Another program of the account spends the rest of a quota day, from the first day that starts after `at`. */
  | { kind: 'quota'; at: number };

export interface ScheduleOptions {
  /** The window, ms. */
  windowMs: number;
  kinds: readonly DisruptionKind[];
  rounds: number;
  workers: number;
}

export function planSchedule(options: ScheduleOptions, random: Random): Disruption[] {
  const items = random.shuffle(Array.from({ length: options.rounds }, () => options.kinds).flat());
  if (items.length === 0) return [];
  const lead = Math.min(8000, Math.floor(options.windowMs * 0.1));
  const slot = (options.windowMs - lead) / items.length;
  return items.map((kind, index): Disruption => {
    const at = Math.round(lead + index * slot + random.next() * slot * 0.5);
    switch (kind) {
      case 'sigkill':
        return { kind, at, worker: random.int(0, options.workers - 1), downMs: random.int(500, 4000) };
      case 'sigterm':
        return { kind, at, worker: random.int(0, options.workers - 1), downMs: random.int(500, 4000) };
      case 'redis':
        return { kind, at, downMs: random.int(300, 3000) };
      case 'token':
        return { kind, at, restoreAfterMs: random.int(3000, 12_000) };
      case 'quota':
        return { kind, at };
    }
  });
}

export function describeDisruption(disruption: Disruption): string {
  switch (disruption.kind) {
    case 'sigkill':
      return `SIGKILL worker ${disruption.worker + 1} mid-upload, back after ${disruption.downMs} ms`;
    case 'sigterm':
      return `SIGTERM worker ${disruption.worker + 1} mid-upload, back after ${disruption.downMs} ms`;
    case 'redis':
      return `redis-server SIGKILL, back after ${disruption.downMs} ms`;
    case 'token':
      return `token rotated, token file updated ${disruption.restoreAfterMs} ms after the first 401`;
    case 'quota':
      return 'another program spends a quota day';
  }
}
