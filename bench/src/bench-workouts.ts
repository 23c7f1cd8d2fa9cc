/**
 * The workouts the mapper and sandbox benchmarks send: built with the project's fixture
 * builders and read by the project's parsers, as the worker would read a file.
 */
import { ALL_FIT_CHANNELS, buildFitActivity, buildTcxBytes } from '@optimo-import/fixtures';
import { parseWorkout } from '@optimo-import/parsers';
import type { Workout } from '@optimo-import/workout';
import type { BenchFormat } from './contender.js';

/** A file turned into workouts: what the mapper benchmark plans and the sandbox benchmark sends. */
export interface WorkoutSource {
  name: string;
  format: BenchFormat;
  origin: 'generated' | 'fixture' | 'corpus' | 'perf';
  /** The file's size in bytes. */
  fileBytes: number;
  notes: string[];
  workouts: Workout[];
}

export const RIDE_1H_FILE = 'fixture-1h-ride.fit';
export const RUN_1H_FILE = 'fixture-1h-run.tcx';

/** A typical 1-hour ride: 1 Hz FIT with every channel (3,600 records), 4 laps. */
export function buildTypicalRide(): WorkoutSource {
  const bytes = buildFitActivity({ sport: 'cycling', channels: ALL_FIT_CHANNELS, laps: 4, durationSeconds: 3600 });
  return toWorkoutSource(RIDE_1H_FILE, 'fit', 'fixture', bytes, ['buildFitActivity: 1 h cycling at 1 Hz, every channel, 4 laps']);
}

/** A typical 1-hour run: 1 Hz TCX with position, altitude, distance, HR, cadence, speed, 10 laps. */
export function buildTypicalRun(): WorkoutSource {
  const bytes = buildTcxBytes({ sport: 'Running', durationSeconds: 3600, laps: 10, seed: 3 });
  return toWorkoutSource(RUN_1H_FILE, 'tcx', 'fixture', bytes, ['buildTcxBytes: 1 h running at 1 Hz, position, altitude, distance, HR, cadence, speed, 10 laps']);
}

export function toWorkoutSource(name: string, format: WorkoutSource['format'], origin: WorkoutSource['origin'], bytes: Uint8Array, notes: string[] = []): WorkoutSource {
  return { name, format, origin, fileBytes: bytes.length, notes, workouts: parseWorkout(bytes, { fileName: name }) };
}

/** The same workout without samples: what a file with only a summary (and laps) gives. */
export function withoutSamples(workout: Workout): Workout {
  return { ...workout, samples: { offsetSeconds: [] } };
}

/** Samples in all the workouts of a source. */
export function countSamples(source: WorkoutSource): number {
  return source.workouts.reduce((sum, w) => sum + w.samples.offsetSeconds.length, 0);
}
