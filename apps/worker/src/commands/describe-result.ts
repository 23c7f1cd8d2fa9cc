import type { ImportResult } from '../jobs/job-data.js';

/** One line per settled file for the terminal: `imported ride.fit → workout 12 (2 requests)`. */
export function describeResult(result: ImportResult): string {
  const ids = result.workoutIds.length === 0 ? '' : ` → workout${result.workoutIds.length > 1 ? 's' : ''} ${result.workoutIds.join(', ')}`;
  const requests = ` (${result.requests} request${result.requests === 1 ? '' : 's'})`;
  const who = `[${result.account}/${result.athleteId}]`;
  switch (result.outcome) {
    case 'imported':
      return `imported ${result.fileName}${ids}${requests} ${who}`;
    case 'duplicate': {
      const of = result.entries.find((entry) => entry.duplicateOf !== undefined)?.duplicateOf;
      return `duplicate ${result.fileName}: already imported from ${of?.fileName ?? 'another file'}${of?.workoutId === undefined ? '' : ` (workout ${of.workoutId})`} ${who}`;
    }
    case 'partial':
      return `partly imported ${result.fileName}${ids}${requests}; failed: ${result.reason ?? 'see the report'} ${who}`;
    default:
      return `failed ${result.fileName}: ${result.reason ?? 'unknown reason'}${result.code === undefined ? '' : ` [${result.code}]`} ${who}`;
  }
}
