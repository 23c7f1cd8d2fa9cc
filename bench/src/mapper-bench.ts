/**
 * The mapper's part of `pnpm bench`: how fast `planWorkoutUpload` turns workouts into request
 * bodies, and how fast `readResponse` + `readWorkout` read a large `workout.get` answer.
 */
import { buildTwelveHourRide } from '@optimo-import/fixtures';
import { planWorkoutUpload, readResponse, readWorkout } from '@optimo-import/mapper';
import type { WorkoutRequestOptions } from '@optimo-import/mapper';
import type { Workout } from '@optimo-import/workout';
import type { WorkoutSource } from './bench-workouts.js';
import { buildTypicalRide, buildTypicalRun, countSamples, toWorkoutSource } from './bench-workouts.js';
import { describeFailure } from './contender.js';
import { discoverCorpusFiles } from './files.js';
import { TWELVE_HOUR_FILE } from './generated.js';
import { createApiClient } from './https-client.js';
import type { MachineInfo } from './machine.js';
import type { BenchOptions } from './options.js';
import type { RoundsOptions, TaskTiming } from './rounds.js';
import { timeRounds } from './rounds.js';
import { fetchWorkoutAnswer, findFirstAthleteId, uploadPlan } from './sandbox-api.js';
import { startSandboxProcess } from './sandbox-process.js';

/** The account zone the bodies are written for: one with daylight saving, so the Intl path is the real one. */
export const MAPPER_TIME_ZONE = 'Europe/Berlin';
const ATHLETE_ID = 42;
/** The workout id given to every `workout.samples.add` chunk (ids are short numbers). */
const CHUNK_WORKOUT_ID = 123456;

export interface MapperInputResult {
  name: string;
  format: WorkoutSource['format'];
  origin: WorkoutSource['origin'];
  notes: string[];
  fileBytes: number;
  workouts: number;
  samples: number;
  /** Requests of all the workouts' plans (create + samples.add chunks). */
  requestCount: number;
  /** UTF-8 bytes of every body: the creates and every chunk built. */
  xmlBytes: number;
  /** The mapper's warnings, as `code ×count`. */
  warnings: string[];
  timing: TaskTiming;
}

export interface AnswerReadResult {
  /** Where the answer came from: stored in the sandbox and fetched, or written by the bench. */
  source: 'sandbox' | 'bench';
  sourceNote: string;
  workoutName: string;
  answerBytes: number;
  /** Samples the plan sent, and samples readWorkout gave back (they must match). */
  samplesSent: number;
  samplesRead?: number;
  laps?: number;
  /** readResponse (bytes to element tree), readWorkout (tree to record), and both in one go. */
  timings: TaskTiming[];
  failure?: string;
}

export interface MapperRun {
  startedAt: string;
  durationSeconds: number;
  machine: MachineInfo;
  options: BenchOptions;
  timeZone: string;
  rounds: number;
  warmup: number;
  inputs: MapperInputResult[];
  answer?: AnswerReadResult;
  answerRounds?: number;
  skipped: string[];
}

const planOptions: WorkoutRequestOptions = { athleteId: ATHLETE_ID, timeZone: MAPPER_TIME_ZONE };

/** Every request body of one workout, as an uploader would send them: the create and each chunk. */
function buildAllBodies(workout: Workout): { requests: number; chars: number; bodies: string[]; warnings: WorkoutPlanWarnings } {
  const plan = planWorkoutUpload(workout, planOptions);
  const bodies = [plan.create, ...plan.chunks.map((chunk) => chunk.build(CHUNK_WORKOUT_ID))];
  return { requests: plan.requestCount, chars: bodies.reduce((sum, b) => sum + b.length, 0), bodies, warnings: plan.warnings };
}

type WorkoutPlanWarnings = ReturnType<typeof planWorkoutUpload>['warnings'];

/** The workouts the mapper is timed on, built or found at run time. */
export function collectMapperInputs(options: BenchOptions, note: (line: string) => void): WorkoutSource[] {
  const sources: WorkoutSource[] = [];
  const add = (name: string, build: () => WorkoutSource): void => {
    if (options.filter && !name.includes(options.filter)) return;
    try {
      sources.push(build());
    } catch (error) {
      note(`[bench] mapper input ${name} could not be built or parsed (${describeFailure(error)}): left out`);
    }
  };
  add(TWELVE_HOUR_FILE, () => toWorkoutSource(TWELVE_HOUR_FILE, 'fit', 'generated', buildTwelveHourRide(), ['buildTwelveHourRide: 12 h at 1 Hz, every channel']));
  add('fixture-1h-ride.fit', buildTypicalRide);
  add('fixture-1h-run.tcx', buildTypicalRun);
  // The largest real file of each format (corpus/perf and the format folders), as the parse race finds them.
  for (const file of discoverCorpusFiles({ quick: true, filter: options.filter, log: note })) {
    add(file.name, () => toWorkoutSource(file.name, file.format, file.origin === 'perf' ? 'perf' : 'corpus', file.bytes, file.notes));
  }
  return sources;
}

export async function runMapperBench(options: BenchOptions, machine: MachineInfo, log: (line: string) => void): Promise<MapperRun> {
  const startedAt = new Date();
  const skipped: string[] = [];
  const note = (line: string): void => {
    log(line);
    skipped.push(line.replace(/^\[bench\] /, ''));
  };
  const sources = collectMapperInputs(options, note);
  const roundsOptions: RoundsOptions = {
    rounds: options.rounds,
    warmup: options.warmup,
    budgetSeconds: Number.isFinite(options.fileBudgetSeconds) ? (options.quick ? 10 : 20) : Infinity,
    // Longer samples than the parse race's 10 ms: a 1-hour workout plans in a few ms, and single runs spread widely.
    minSampleMs: 30,
  };

  const inputs: MapperInputResult[] = [];
  const tasks = sources.map((source) => ({
    id: source.name,
    run: () => {
      let chars = 0;
      for (const workout of source.workouts) chars += buildAllBodies(workout).chars;
      return chars;
    },
  }));
  // One untimed pass for the figures that do not depend on time (requests, bytes, warnings).
  for (const source of sources) {
    let requests = 0;
    let xmlBytes = 0;
    const warnings = new Map<string, number>();
    let failure: string | undefined;
    try {
      for (const workout of source.workouts) {
        const built = buildAllBodies(workout);
        requests += built.requests;
        xmlBytes += built.bodies.reduce((sum, b) => sum + Buffer.byteLength(b), 0);
        for (const w of built.warnings) warnings.set(w.code, (warnings.get(w.code) ?? 0) + w.count);
      }
    } catch (error) {
      failure = describeFailure(error);
    }
    inputs.push({
      name: source.name,
      format: source.format,
      origin: source.origin,
      notes: source.notes,
      fileBytes: source.fileBytes,
      workouts: source.workouts.length,
      samples: countSamples(source),
      requestCount: requests,
      xmlBytes,
      warnings: [...warnings].map(([code, count]) => `${code} ×${count}`),
      timing: { id: source.name, timesMs: [], iterations: 1, ...(failure ? { failure } : {}) },
    });
  }
  const live = tasks.filter((_, i) => !inputs[i]?.timing.failure);
  const timed = timeRounds(live, roundsOptions);
  for (const timing of timed.timings) {
    const input = inputs.find((i) => i.name === timing.id);
    if (input) input.timing = timing;
  }
  for (const input of inputs) {
    const t = input.timing;
    log(`[bench] mapper ${input.name}: ${input.workouts} workout(s), ${input.requestCount} request(s), ${input.xmlBytes.toLocaleString('en-US')} B of XML, ${t.failure ? `fails: ${t.failure}` : `${t.medianMs?.toFixed(1)} ms`}`);
  }

  const twelve = sources.find((s) => s.name === TWELVE_HOUR_FILE) ?? sources.find((s) => s.workouts.length > 0);
  let answer: AnswerReadResult | undefined;
  let answerRounds: number | undefined;
  if (twelve?.workouts[0]) {
    const result = await measureAnswerRead(twelve.name, twelve.workouts[0], roundsOptions, log);
    answer = result.answer;
    answerRounds = result.rounds;
  } else note('[bench] no workout to build a workout.get answer from: answer reading not measured');

  return {
    startedAt: startedAt.toISOString(),
    durationSeconds: (Date.now() - startedAt.getTime()) / 1000,
    machine,
    options,
    timeZone: MAPPER_TIME_ZONE,
    rounds: timed.rounds,
    warmup: timed.warmup,
    inputs,
    answer,
    answerRounds,
    skipped,
  };
}

/**
 * A large `workout.get` answer: the workout stored in the sandbox (create + samples.add, then
 * `workout.get` with `include_samples`), fetched over HTTPS. If the sandbox cannot run, the bench
 * writes the answer itself from the request bodies and says so.
 */
async function obtainAnswer(workout: Workout, log: (line: string) => void): Promise<{ bytes: Buffer; source: AnswerReadResult['source']; note: string; timeZone: string; samplesSent: number }> {
  const samplesSent = planWorkoutUpload(workout, planOptions).sampleCount;
  try {
    const sandbox = await startSandboxProcess({ quota: 5000, timeZone: MAPPER_TIME_ZONE });
    const client = createApiClient({ url: sandbox.url, certPem: sandbox.certPem, token: sandbox.token, maxSockets: 1 });
    try {
      const athleteId = await findFirstAthleteId(client, sandbox.timeZone);
      const plan = planWorkoutUpload(workout, { athleteId, timeZone: sandbox.timeZone });
      const workoutId = await uploadPlan(client, plan);
      const bytes = await fetchWorkoutAnswer(client, workoutId);
      return { bytes, source: 'sandbox', note: `stored in the sandbox with ${plan.requestCount} requests, fetched with workout.get include_samples=1`, timeZone: sandbox.timeZone, samplesSent: plan.sampleCount };
    } finally {
      client.close();
      await sandbox.close();
    }
  } catch (error) {
    log(`[bench] the sandbox could not give a workout.get answer (${describeFailure(error)}): the bench writes one from the request bodies`);
    return { bytes: Buffer.from(writeAnswerFromBodies(workout)), source: 'bench', note: `written by the bench from the request bodies (the sandbox failed: ${describeFailure(error)})`, timeZone: MAPPER_TIME_ZONE, samplesSent };
  }
}

/** A `workout.get` answer made from the create body and the chunks' samples (the fallback). */
export function writeAnswerFromBodies(workout: Workout): string {
  const plan = planWorkoutUpload(workout, planOptions);
  const create = plan.create;
  const open = create.indexOf('<workout>');
  const samplesAt = create.indexOf('<samples>');
  const end = create.lastIndexOf('</workout>');
  if (open < 0 || end < 0) throw new Error('[bench] the workout.create body has no <workout>');
  const fields = create.slice(open + '<workout>'.length, samplesAt >= 0 ? samplesAt : end);
  const samplesOf = (body: string): string => {
    const from = body.indexOf('<samples>');
    const to = body.lastIndexOf('</samples>');
    return from >= 0 && to > from ? body.slice(from + '<samples>'.length, to) : '';
  };
  const samples = [create, ...plan.chunks.map((chunk) => chunk.build(CHUNK_WORKOUT_ID))].map(samplesOf).join('');
  return `<?xml version="1.0" encoding="utf-8"?>\n<response status="ok"><workout><workout_id>${CHUNK_WORKOUT_ID}</workout_id>${fields}<samples>${samples}</samples></workout></response>`;
}

async function measureAnswerRead(name: string, workout: Workout, roundsOptions: RoundsOptions, log: (line: string) => void): Promise<{ answer: AnswerReadResult; rounds?: number }> {
  const got = await obtainAnswer(workout, log);
  const bytes = new Uint8Array(got.bytes);
  const base: AnswerReadResult = { source: got.source, sourceNote: got.note, workoutName: name, answerBytes: bytes.length, samplesSent: got.samplesSent, timings: [] };
  const parsed = readResponse(bytes, { status: 200 });
  if (parsed.kind !== 'ok') return { answer: { ...base, failure: `readResponse gave ${parsed.kind}: ${parsed.kind === 'fail' ? parsed.errors.join(' / ') : parsed.detail}` } };
  const options = { timeZone: got.timeZone };
  let record;
  try {
    record = readWorkout(parsed, options);
  } catch (error) {
    return { answer: { ...base, failure: `readWorkout: ${describeFailure(error)}` } };
  }
  const timed = timeRounds(
    [
      { id: 'readResponse', run: () => readResponse(bytes, { status: 200 }) },
      { id: 'readWorkout', run: () => readWorkout(parsed, options) },
      {
        id: 'readResponse + readWorkout',
        run: () => {
          const again = readResponse(bytes, { status: 200 });
          return again.kind === 'ok' ? readWorkout(again, options) : again;
        },
      },
    ],
    roundsOptions,
  );
  const samplesRead = record.samples?.offsetSeconds.length ?? 0;
  const line = timed.timings.map((t) => `${t.id} ${t.failure ? `fails: ${t.failure}` : `${t.medianMs?.toFixed(1)} ms`}`).join(', ');
  log(`[bench] workout.get answer of ${name} (${bytes.length.toLocaleString('en-US')} B, ${got.source}): ${line}`);
  return { answer: { ...base, samplesRead, laps: record.laps.length, timings: timed.timings }, rounds: timed.rounds };
}
