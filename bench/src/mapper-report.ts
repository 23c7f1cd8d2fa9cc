import { formatCount, formatMbPerSecond, formatMegabytes, formatMs, formatRate, markdownTable } from './format.js';
import type { MapperRun } from './mapper-bench.js';
import { formatLoadCaveat, formatSectionRunLine } from './section-report.js';

/** The block written between the mapper markers of docs/benchmarks.md (and printed). */
export function formatMapperResults(run: MapperRun): string {
  const how = `per input one untimed run, ${run.warmup} warm-up round${run.warmup === 1 ? '' : 's'}, then ${run.rounds} timed rounds (inputs alternating, forced GC before each sample, median reported); bodies for athlete 42 in ${run.timeZone}`;
  const parts = [
    formatSectionRunLine('mapper', run.startedAt, run.durationSeconds, run.machine, run.options, how),
    formatLoadCaveat(run.machine),
    '### planWorkoutUpload: every request body of each workout',
    formatPlanTable(run),
    '### Reading a large workout.get answer: readResponse + readWorkout',
    ...formatAnswer(run),
    '### Notes',
    formatNotes(run).join('\n'),
  ];
  return parts.join('\n\n');
}

function formatPlanTable(run: MapperRun): string {
  const rows = run.inputs.map((input) => {
    const t = input.timing;
    const ms = t.medianMs;
    const failed = t.failure ? `fails: ${t.failure}` : undefined;
    return [
      input.notes.length ? `${input.name} (${input.notes.join('; ')})` : input.name,
      input.origin,
      formatMegabytes(input.fileBytes, 2),
      formatCount(input.workouts),
      formatCount(input.samples),
      formatCount(input.requestCount),
      formatMegabytes(input.xmlBytes, 2),
      failed ? '—' : `${t.timesMs.length}${t.iterations > 1 ? ` × ${t.iterations}` : ''}`,
      failed ?? formatMs(ms),
      t.spreadPercent === undefined ? '—' : `${t.spreadPercent.toFixed(1)} %`,
      formatRate(input.workouts, ms),
      formatRate(input.samples, ms),
      formatMbPerSecond(input.xmlBytes, ms),
    ];
  });
  const header = ['input', 'origin', 'file MB', 'workouts', 'samples', 'requests', 'XML MB', 'rounds', 'median ms', 'spread', 'workouts/s', 'samples/s', 'XML MB/s'];
  return markdownTable(header, rows, ['l', 'l', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r']);
}

function formatAnswer(run: MapperRun): string[] {
  const a = run.answer;
  if (!a) return ['_Not measured in this run._'];
  const match = a.samplesRead === undefined ? '' : a.samplesRead === a.samplesSent ? `; readWorkout gives back all ${formatCount(a.samplesSent)} samples sent` : `; **readWorkout gives back ${formatCount(a.samplesRead)} samples of the ${formatCount(a.samplesSent)} sent**`;
  const lead = `The answer: ${formatMegabytes(a.answerBytes, 2)} MB (${formatCount(a.answerBytes)} bytes), the workout of ${a.workoutName}${a.laps === undefined ? '' : ` (${a.laps} laps)`}, ${a.sourceNote}${match}. Read from bytes, as they come off the socket.`;
  if (a.failure) return [lead, `**Not timed:** ${a.failure}`];
  const rows = a.timings.map((t) => [
    `\`${t.id}\``,
    t.failure ? '—' : `${t.timesMs.length}${t.iterations > 1 ? ` × ${t.iterations}` : ''}`,
    t.failure ? `fails: ${t.failure}` : formatMs(t.medianMs),
    t.spreadPercent === undefined ? '—' : `${t.spreadPercent.toFixed(1)} %`,
    formatMbPerSecond(a.answerBytes, t.medianMs),
    formatRate(a.samplesRead, t.medianMs),
  ]);
  const table = markdownTable(['step', 'rounds', 'median ms', 'spread', 'MB/s of answer', 'samples/s'], rows, ['l', 'r', 'r', 'r', 'r', 'r']);
  return [lead, table];
}

function formatNotes(run: MapperRun): string[] {
  const lines: string[] = [];
  for (const input of run.inputs) {
    if (input.timing.failure) lines.push(`- ${input.name}: **the mapper fails**: ${input.timing.failure}`);
    if (input.warnings.length) lines.push(`- ${input.name}: the mapper warned ${input.warnings.join(', ')} (the same in every round).`);
  }
  const a = run.answer;
  if (a?.source === 'bench') lines.push(`- The workout.get answer was not the sandbox's: ${a.sourceNote}.`);
  if (a?.failure) lines.push(`- Answer reading not timed: ${a.failure}`);
  if (a && a.samplesRead !== undefined && a.samplesRead !== a.samplesSent) lines.push(`- **Samples read back (${formatCount(a.samplesRead)}) differ from samples sent (${formatCount(a.samplesSent)}).**`);
  for (const s of run.skipped) lines.push(`- Not measured: ${s}`);
  if (!lines.length) lines.push('- Nothing to report: every input was planned without a failure or a warning, and the answer read back every sample.');
  return lines;
}
