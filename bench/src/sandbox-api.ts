import { buildAthleteList, buildWorkoutGet, readAthleteList, readIds, readResponse } from '@optimo-import/mapper';
import type { OkAnswer, WorkoutUploadPlan } from '@optimo-import/mapper';
import type { ApiClient } from './https-client.js';

/** The few untimed API calls the benchmarks make around the timed work, through the mapper. */

/** Sends a body and returns the ok answer; anything else throws with what came back. */
export async function callApi(client: ApiClient, body: string, what: string): Promise<{ answer: OkAnswer; bytes: Buffer }> {
  const reply = await client.post(body);
  const read = readResponse(reply.body, { status: reply.status });
  if (read.kind === 'ok') return { answer: read, bytes: reply.body };
  const detail = read.kind === 'fail' ? `fail ${read.code ?? ''} ${read.errors.join(' / ')}` : `${read.reason}: ${read.detail}`;
  throw new Error(`[bench] ${what}: HTTP ${reply.status}, ${detail}`);
}

/** The id of the account's first athlete (the admin sees them all). */
export async function findFirstAthleteId(client: ApiClient, timeZone: string): Promise<string> {
  const { answer } = await callApi(client, buildAthleteList({ perPage: 1 }), 'athlete.list');
  const first = readAthleteList(answer, { timeZone }).items[0];
  if (!first) throw new Error('[bench] athlete.list: the sandbox account has no athlete');
  return first.athleteId;
}

/** Uploads a planned workout (create, then every chunk) and returns its id. */
export async function uploadPlan(client: ApiClient, plan: WorkoutUploadPlan): Promise<string> {
  const { answer } = await callApi(client, plan.create, 'workout.create');
  const workoutId = readIds(answer).workoutId;
  if (workoutId === undefined) throw new Error('[bench] workout.create answered ok without a workout_id');
  for (const chunk of plan.chunks) await callApi(client, chunk.build(workoutId), `workout.samples.add ${chunk.fromIndex}–${chunk.toIndex}`);
  return workoutId;
}

/** The raw `workout.get` answer with samples, as the server sent it. */
export async function fetchWorkoutAnswer(client: ApiClient, workoutId: string): Promise<Buffer> {
  return (await callApi(client, buildWorkoutGet(workoutId, { includeSamples: true }), 'workout.get')).bytes;
}
