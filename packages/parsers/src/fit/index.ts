/**
 * The FIT parser: our own record walk (decoder.ts), the messages an activity needs
 * (collect.ts), and one workout per session (sessions.ts, workouts.ts).
 */
import { buildWorkout, createWarnings } from '@optimo-import/workout';
import type { Workout } from '@optimo-import/workout';
import { ParseError } from '../errors.js';
import type { FormatParser, ParseContext } from '../types.js';
import { collectFit } from './collect.js';
import { isFitHeader } from './decoder.js';
import { draftsOf } from './workouts.js';

function parseFit(input: Uint8Array, ctx: ParseContext): Workout[] {
  const file = ctx.fileName;
  if (input.length > ctx.limits.maxFileBytes) {
    throw new ParseError({ code: 'too-large', format: 'fit', file, offset: 0, message: `the file is ${input.length} bytes, over the limit of ${ctx.limits.maxFileBytes}` });
  }
  const warnings = createWarnings();
  const data = collectFit(input, warnings, ctx.limits.maxSamples);
  const fatal = data.walk.fatal;
  if (fatal) throw new ParseError({ code: fatal.code, format: 'fit', file, offset: fatal.offset, message: fatal.message });
  const result = draftsOf(data, warnings.list(), { fileName: file, sha256: ctx.sha256, timeZone: ctx.timeZone });
  if ('rejection' in result) {
    const { code, message } = result.rejection;
    throw new ParseError({ code, format: 'fit', file, offset: code === 'truncated' ? input.length : 0, message });
  }
  return result.drafts.map((draft) => buildWorkout(draft));
}

/** Garmin FIT activities, chained FIT files included. */
export const fitParser: FormatParser = {
  format: 'fit',
  extensions: ['fit'],
  detect: (input) => isFitHeader(input, 0),
  parse: parseFit,
};
