import { MIN_START_TIME, PLAUSIBLE } from './build.js';
import type { Workout } from './model.js';
import { CHANNELS, SPORTS } from './model.js';

/**
 * Checks a workout's invariants and returns every breach found (empty when sound):
 * a start time, offsets strictly increasing, columns as long as the offsets, values
 * physically plausible, durations consistent, laps inside the workout.
 */
export function validateWorkout(w: Workout): string[] {
  const problems: string[] = [];
  if (!Number.isFinite(w.startTime)) problems.push('start time is not a number');
  else if (w.startTime < MIN_START_TIME) problems.push(`start time ${new Date(w.startTime).toISOString()} is before the FIT epoch (1989-12-31)`);
  if (!SPORTS.includes(w.sport)) problems.push(`sport "${String(w.sport)}" is not an Optimo sport`);
  if (!(w.elapsedSeconds >= 0)) problems.push(`elapsed time ${w.elapsedSeconds} is negative or not a number`);
  if (w.movingSeconds !== undefined && !(w.movingSeconds >= 0 && w.movingSeconds <= w.elapsedSeconds + 1)) {
    problems.push(`moving time ${w.movingSeconds} s is outside 0..elapsed (${w.elapsedSeconds} s)`);
  }
  if (w.distanceMeters !== undefined && !(w.distanceMeters >= 0)) problems.push(`distance ${w.distanceMeters} is negative`);
  const offsets = w.samples.offsetSeconds;
  for (let i = 1; i < offsets.length; i++) {
    if (!((offsets[i] as number) > (offsets[i - 1] as number))) {
      problems.push(`sample offsets do not increase at index ${i}`);
      break;
    }
  }
  for (const channel of CHANNELS) {
    const column = w.samples[channel];
    if (!column) continue;
    if (column.length !== offsets.length) problems.push(`${channel} has ${column.length} values for ${offsets.length} offsets`);
    const [lo, hi] = PLAUSIBLE[channel];
    const bad = column.findIndex((v) => v !== undefined && !(v >= lo && v <= hi));
    if (bad >= 0) problems.push(`${channel}[${bad}] = ${column[bad]} is outside ${lo}..${hi}`);
  }
  const slack = Math.max(1, w.elapsedSeconds * 0.01);
  w.laps.forEach((lap, i) => {
    const s = (lap.startTime - w.startTime) / 1000;
    if (!(lap.elapsedSeconds >= 0)) problems.push(`lap ${i + 1} has a negative duration`);
    if ((s < -slack || s + lap.elapsedSeconds > w.elapsedSeconds + slack) && !w.warnings.some((x) => x.code === 'lap-outside-workout')) {
      problems.push(`lap ${i + 1} lies outside the workout without a warning`);
    }
  });
  return problems;
}
