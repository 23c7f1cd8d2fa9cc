/**
 * The upload ledger: a small durable record per workout, so that a crash between sending a
 * `workout.create` and hearing its answer is found on the next attempt and reconciled (looked up)
 * instead of sent twice.
 *
 * uploadWorkout writes `sending` before the create goes out and `created` (with the id) once it is
 * known, then moves `samplesStored` forward as chunks are confirmed. An entry `created` with
 * `samplesStored === sampleCount` is a finished upload. An entry is removed when the create
 * certainly did not happen (a refusal, a failure before the body was sent in full).
 *
 * Implementations: ./ledger-file.ts (append-only JSON lines, fsync) and ./ledger-redis.ts.
 */

export type LedgerState = 'sending' | 'created';

export interface LedgerEntry {
  state: LedgerState;
  /** Epoch ms of the write. */
  at: number;
  /** Samples of the whole workout. */
  sampleCount: number;
  /** `created` only: the workout's id. */
  workoutId?: string;
  /** `created` only: how many samples (from the first) are confirmed stored. */
  samplesStored?: number;
}

export interface UploadLedger {
  /** The entry of a key, or undefined. */
  read(key: string): Promise<LedgerEntry | undefined>;
  /** Replaces the key's entry; resolves once it is durable. */
  write(key: string, entry: LedgerEntry): Promise<void>;
  /** Forgets a key; resolves once that is durable. */
  remove(key: string): Promise<void>;
}

/** Whether an entry is a finished upload. */
export function isFinished(entry: LedgerEntry | undefined): boolean {
  return entry?.state === 'created' && entry.workoutId !== undefined && (entry.samplesStored ?? 0) >= entry.sampleCount;
}

/** Checks an entry read back from storage; throws a plain Error naming the problem. */
export function parseLedgerEntry(value: unknown, where: string): LedgerEntry {
  const bad = (what: string): never => {
    throw new Error(`${where}: ${what}`);
  };
  if (typeof value !== 'object' || value === null) return bad('the entry is not an object');
  const entry = value as Record<string, unknown>;
  if (entry.state !== 'sending' && entry.state !== 'created') bad(`state must be 'sending' or 'created', not ${JSON.stringify(entry.state)}`);
  if (typeof entry.at !== 'number' || !Number.isFinite(entry.at)) bad('`at` must be epoch ms');
  if (typeof entry.sampleCount !== 'number' || !Number.isInteger(entry.sampleCount) || entry.sampleCount < 0) bad('`sampleCount` must be a whole number');
  if (entry.state === 'created') {
    if (typeof entry.workoutId !== 'string' || entry.workoutId === '') bad('a created entry needs `workoutId`');
    if (typeof entry.samplesStored !== 'number' || !Number.isInteger(entry.samplesStored) || entry.samplesStored < 0) bad('a created entry needs `samplesStored`');
  }
  const out: LedgerEntry = { state: entry.state as LedgerState, at: entry.at as number, sampleCount: entry.sampleCount as number };
  if (typeof entry.workoutId === 'string') out.workoutId = entry.workoutId;
  if (typeof entry.samplesStored === 'number') out.samplesStored = entry.samplesStored;
  return out;
}

/** Checks a key: non-empty text without line breaks (it is written on one line). */
export function checkLedgerKey(key: unknown, where: string): string {
  if (typeof key !== 'string' || key === '' || /[\r\n]/.test(key) || key.length > 512) {
    throw new RangeError(`[${where}] a ledger key must be 1–512 characters without line breaks, got ${typeof key === 'string' ? JSON.stringify(key.slice(0, 80)) : typeof key}`);
  }
  return key;
}
