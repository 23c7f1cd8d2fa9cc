/**
 * Looking a workout up after an unknown outcome (contract 2.7): `workout.list` by `external_id`
 * (unique per account, searched in every folder), or, for a server that keeps no external id, by
 * athlete and the local date of the start, every page, matching the start time and the duration.
 */
import { buildWorkoutList, formatLocalDate, readWorkoutList } from '@optimo-import/mapper';
import type { ApiId, WorkoutRecord } from '@optimo-import/mapper';
import type { Client } from './client-types.js';
import { isUploadError } from './errors.js';

/** How a workout is found again: by its external id, or by athlete, start time and duration. */
export type MatchBy = 'external-id' | 'start-and-duration';

export interface FindWorkoutOptions {
  athleteId: ApiId;
  /** Required with `matchBy: 'external-id'`. */
  externalId?: string;
  /** Start, epoch ms UTC (the API keeps whole seconds). */
  startTime: number;
  elapsedSeconds: number;
  /** The account's IANA zone (the list's dates are local). */
  timeZone: string;
  matchBy: MatchBy;
  /** Start and duration may differ by this many seconds; default 1. */
  toleranceSeconds?: number;
  signal?: AbortSignal;
}

export interface FoundWorkout {
  /** The workout on the server, or undefined when it is not there. */
  workout: WorkoutRecord | undefined;
  /** HTTP requests the lookup took. */
  requests: number;
}

/** Finds a workout on the server; rejects with the client's `UploadError` when the lookup fails. */
export async function findUploadedWorkout(client: Client, options: FindWorkoutOptions): Promise<FoundWorkout> {
  let requests = 0;
  const list = async (body: string): Promise<ReturnType<typeof readWorkoutList>> => {
    try {
      const result = await client.call(body, { method: 'workout.list', priority: true, ...(options.signal === undefined ? {} : { signal: options.signal }) });
      requests += result.requests;
      return readWorkoutList(result.answer, { timeZone: options.timeZone });
    } catch (error) {
      if (isUploadError(error)) {
        requests += error.requests;
        error.requests = requests;
      }
      throw error;
    }
  };
  const report = (workout: WorkoutRecord | undefined, how: string): FoundWorkout => {
    client.log({ event: 'reconcile', method: 'workout.list', detail: workout === undefined ? `not on the server (${how})` : `found workout ${workout.workoutId} (${how})` });
    return { workout, requests };
  };

  if (options.matchBy === 'external-id') {
    if (options.externalId === undefined) throw new RangeError('[uploader] findUploadedWorkout: matchBy `external-id` needs an `externalId`');
    const page = await list(buildWorkoutList({ externalId: options.externalId, perPage: 100 }));
    return report(
      page.items.find((item) => item.externalId === options.externalId),
      'by external id',
    );
  }

  const tolerance = (options.toleranceSeconds ?? 1) * 1000;
  const start = Math.floor(options.startTime / 1000) * 1000;
  const date = formatLocalDate(options.startTime, options.timeZone);
  const matches = (item: WorkoutRecord): boolean =>
    item.startTime !== undefined &&
    item.elapsedSeconds !== undefined &&
    Math.abs(item.startTime - start) <= tolerance &&
    Math.abs(item.elapsedSeconds * 1000 - options.elapsedSeconds * 1000) <= tolerance;
  for (let pageNumber = 1; ; pageNumber += 1) {
    const page = await list(buildWorkoutList({ athleteId: options.athleteId, dateFrom: date, dateTo: date, perPage: 100, page: pageNumber }));
    const found = page.items.find(matches);
    if (found !== undefined || pageNumber >= page.pages || page.items.length === 0) return report(found, `by athlete ${String(options.athleteId)}, ${date}, start and duration`);
  }
}
