/**
 * `uploadWorkout(client, workout, options)` → `{ workoutId, requests, reconciled }`.
 *
 * 1. Plan with the mapper (`planWorkoutUpload`): one `workout.create`, plus `workout.samples.add`
 *    chunks when the body would pass 10 MiB.
 * 2. Read the ledger. `created`: skip the create, send the chunks not yet confirmed. `sending` (a
 *    crash or an unknown outcome last time): look the workout up; if it is there, take its id.
 * 3. Write `sending`, send the create. Its outcomes:
 *    ok → write `created`; 40900 → created with the existing id; "maybe done" (no XML answer to a
 *    body sent in full) → look it up after `reconcileDelayMs`: there → take it, not there → send
 *    again (at most `maxReconcileRounds` times); a failure that certainly stored nothing → remove
 *    the ledger entry and rethrow; anything else → keep `sending` for the next attempt and rethrow.
 * 4. Send the remaining chunks; each is harmless to repeat (samples are stored by offset), so the
 *    client repeats them itself after a "maybe done"; the ledger's `samplesStored` moves forward.
 */
import { planWorkoutUpload, readIds } from '@optimo-import/mapper';
import type { ApiId, WorkoutUploadPlan } from '@optimo-import/mapper';
import { fingerprintOf } from '@optimo-import/workout';
import type { Warning, Workout } from '@optimo-import/workout';
import type { Client } from './client-types.js';
import { isUploadError, optionError, UploadError } from './errors.js';
import type { LedgerEntry, UploadLedger } from './ledger.js';
import { findUploadedWorkout } from './reconcile.js';
import type { MatchBy } from './reconcile.js';

export interface UploadWorkoutOptions {
  athleteId: ApiId;
  /** Default `workout.externalId`. */
  externalId?: string;
  /** The account's zone; default the client's (one `system.current` when it has none yet). */
  timeZone?: string;
  /** Where `sending` / `created` are kept; default none (an unknown outcome is still looked up within this call). */
  ledger?: UploadLedger;
  /** The ledger key; default the external id, else `<athleteId>@<fingerprint>`. Include the account when one ledger serves several. */
  ledgerKey?: string;
  /** How a "maybe done" create is looked up; default `external-id` when there is one, else `start-and-duration`. */
  matchBy?: MatchBy;
  /** Creates sent again after lookups that found nothing; default 3. */
  maxReconcileRounds?: number;
  /** Wait before a lookup, so that a create still in progress on the server can land; default 1000 ms. */
  reconcileDelayMs?: number;
  name?: string;
  notes?: string;
  private?: boolean;
  /** Largest request body; default 10 MiB (the API's limit). */
  maxBodyBytes?: number;
  onWarning?: (warning: Warning) => void;
  signal?: AbortSignal;
}

export interface UploadResult {
  workoutId: string;
  /** HTTP requests this upload sent: retries, lookups and a limiter sync included. */
  requests: number;
  /** True when an unknown outcome had to be settled: a ledger entry from before, a lookup, or a 40900. */
  reconciled: boolean;
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  if (ms <= 0) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

function whole(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < 0) throw optionError(name, 'a whole number ≥ 0', value);
  return value;
}

export async function uploadWorkout(client: Client, workout: Workout, options: UploadWorkoutOptions): Promise<UploadResult> {
  if (typeof options !== 'object' || options === null) throw optionError('options', 'an object', options);
  const maxRounds = whole('maxReconcileRounds', options.maxReconcileRounds, 3);
  const delayMs = whole('reconcileDelayMs', options.reconcileDelayMs, 1000);
  const { ledger, signal } = options;
  const externalId = (options.externalId ?? workout.externalId)?.trim() || undefined;
  const matchBy: MatchBy = options.matchBy ?? (externalId === undefined ? 'start-and-duration' : 'external-id');
  if (matchBy === 'external-id' && externalId === undefined) throw optionError('matchBy', "'start-and-duration' for a workout without an external id", matchBy);
  const key = options.ledgerKey ?? externalId ?? `${String(options.athleteId)}@${fingerprintOf(workout.startTime, workout.elapsedSeconds)}`;
  const withSignal = signal === undefined ? {} : { signal };
  let requests = 0;
  let reconciled = false;

  const fail = (error: unknown): never => {
    if (isUploadError(error)) error.requests = requests;
    throw error;
  };
  const ledgerDo = async <T>(what: string, task: () => Promise<T>): Promise<T> => {
    try {
      return await task();
    } catch (cause) {
      const maybeStored = what === 'write created';
      throw new UploadError({ code: 'ledger', message: `the ledger could not ${what} ${JSON.stringify(key)}`, method: 'workout.create', account: client.account, maybeStored, requests, cause, ...(externalId === undefined ? {} : { externalId }) });
    }
  };

  try {
    let timeZone = options.timeZone ?? client.state().timeZone;
    if (timeZone === undefined) {
      const system = await client.system(withSignal);
      requests += system.requests;
      timeZone = system.info.timeZone;
    }
    const plan = planWorkoutUpload(workout, {
      athleteId: options.athleteId,
      timeZone,
      ...(externalId === undefined ? {} : { externalId }),
      ...(options.name === undefined ? {} : { name: options.name }),
      ...(options.notes === undefined ? {} : { notes: options.notes }),
      ...(options.private === undefined ? {} : { private: options.private }),
      ...(options.maxBodyBytes === undefined ? {} : { maxBodyBytes: options.maxBodyBytes }),
      ...(options.onWarning === undefined ? {} : { onWarning: options.onWarning }),
    });
    const zone = timeZone;
    const created = (workoutId: string, samplesStored: number): LedgerEntry => ({ state: 'created', at: Date.now(), sampleCount: plan.sampleCount, workoutId, samplesStored });
    const record = async (entry: LedgerEntry): Promise<void> => {
      if (ledger !== undefined) await ledgerDo(`write ${entry.state}`, () => ledger.write(key, entry));
    };
    const lookup = async (): Promise<string | undefined> => {
      await sleep(delayMs, signal);
      const found = await findUploadedWorkout(client, { athleteId: options.athleteId, startTime: workout.startTime, elapsedSeconds: workout.elapsedSeconds, timeZone: zone, matchBy, ...(externalId === undefined ? {} : { externalId }), ...withSignal }).catch((error: unknown) => {
        if (isUploadError(error)) requests += error.requests;
        throw error;
      });
      requests += found.requests;
      return found.workout?.workoutId;
    };

    let workoutId: string | undefined;
    let samplesStored = 0;
    const entry = ledger === undefined ? undefined : await ledgerDo('read', () => ledger.read(key));
    if (entry?.state === 'created' && entry.workoutId !== undefined) {
      workoutId = entry.workoutId;
      samplesStored = entry.samplesStored ?? 0;
      reconciled = true;
    } else if (entry?.state === 'sending') {
      reconciled = true;
      workoutId = await lookup();
      if (workoutId !== undefined) {
        samplesStored = plan.createSampleCount;
        await record(created(workoutId, samplesStored));
      }
    }
    if (workoutId === undefined) {
      workoutId = await create(plan);
      samplesStored = plan.createSampleCount;
    }
    for (const chunk of plan.chunks) {
      if (chunk.toIndex <= samplesStored) continue;
      const result = await client.call(chunk.build(workoutId), { method: 'workout.samples.add', priority: true, repeatSafe: true, ...withSignal }).catch((error: unknown) => {
        if (isUploadError(error)) requests += error.requests;
        throw error;
      });
      requests += result.requests;
      const count = readIds(result.answer).sampleCount;
      if (count !== undefined && count < chunk.toIndex) {
        throw new UploadError({ code: 'unexpected-answer', message: `workout ${workoutId} holds ${count} samples after a chunk ending at ${chunk.toIndex}`, method: 'workout.samples.add', account: client.account, requests, ...(externalId === undefined ? {} : { externalId }) });
      }
      samplesStored = chunk.toIndex;
      await record(created(workoutId, samplesStored));
    }
    return { workoutId, requests, reconciled };

    async function create(uploadPlan: WorkoutUploadPlan): Promise<string> {
      for (let round = 0; ; round += 1) {
        await record({ state: 'sending', at: Date.now(), sampleCount: uploadPlan.sampleCount });
        try {
          const result = await client.call(uploadPlan.create, { method: 'workout.create', ...withSignal });
          requests += result.requests;
          const id = readIds(result.answer).workoutId;
          if (id === undefined) {
            throw new UploadError({ code: 'unexpected-answer', message: 'workout.create answered ok without a <workout_id>', method: 'workout.create', account: client.account, maybeStored: true, requests });
          }
          await record(created(id, uploadPlan.createSampleCount));
          return id;
        } catch (error) {
          if (!isUploadError(error) || error.code === 'ledger' || error.code === 'unexpected-answer') throw error;
          requests += error.requests;
          if (error.code === 'duplicate') {
            reconciled = true;
            const id = error.existingId ?? (await lookup());
            if (id === undefined) throw error;
            await record(created(id, uploadPlan.createSampleCount));
            return id;
          }
          if (error.code === 'maybe-done') {
            reconciled = true;
            const id = await lookup();
            if (id !== undefined) {
              await record(created(id, uploadPlan.createSampleCount));
              return id;
            }
            if (round < maxRounds) continue;
            throw error; // the ledger keeps `sending`: the next attempt looks again before sending
          }
          if (!error.maybeStored && ledger !== undefined) await ledgerDo('remove', () => ledger.remove(key));
          throw error;
        }
      }
    }
  } catch (error) {
    return fail(error);
  }
}
