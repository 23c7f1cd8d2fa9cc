import type { Workout } from '@optimo-import/workout';
import type { Contender } from './contender.js';

/** The project's own entry point, exactly as the worker calls it: bytes and a file name in. */
export const oursContender: Contender = {
  id: 'ours',
  label: 'ours (parseWorkout)',
  role: 'ours',
  formats: ['fit', 'tcx', 'gpx', 'hrm', 'pwx', 'csv'],
  recordsMeaning: 'samples kept in the Workout model: `samples.offsetSeconds.length`, summed over the workouts of the file',
  async load() {
    const { parseWorkout } = await import('@optimo-import/parsers');
    return {
      parse: (input) => parseWorkout(input.bytes, { fileName: input.name }),
      inspect: (result) => {
        const workouts = result as Workout[];
        const warnings = new Map<string, number>();
        for (const w of workouts.flatMap((workout) => workout.warnings)) warnings.set(w.code, (warnings.get(w.code) ?? 0) + w.count);
        return {
          records: workouts.reduce((sum, workout) => sum + workout.samples.offsetSeconds.length, 0),
          warnings: [...warnings].map(([code, count]) => `${code} ×${count}`),
        };
      },
    };
  },
};
