import { formatCount, formatFactor, formatMbPerSecond, formatMegabytes, formatMs, formatRate, markdownTable } from './format.js';
import { TWELVE_HOUR_FILE } from './generated.js';
import { FORMAT_ORDER } from './files.js';
import { formatMachine } from './machine.js';
import type { BenchRun, ContenderInfo, FileInfo } from './results.js';
import type { ContenderSpeed } from './speed.js';
import { MB } from './stats.js';

/** The speed aim: ours at least this many times faster than the fastest library, on every file. */
export const SPEED_AIM = 5;
/** The memory aim for the 12-hour file: peak RSS above baseline under this many bytes. */
export const MEMORY_AIM_BYTES = 100 * MB;

export interface FileVerdict {
  file: FileInfo;
  ours?: ContenderSpeed;
  fastestLibrary?: ContenderSpeed;
  reference?: ContenderSpeed;
  /** fastest library's median / ours: how many times faster ours is. */
  speedup?: number;
  referenceSpeedup?: number;
  /** Contenders other than ours that failed on the file. */
  failed: string[];
}

export function judgeFiles(run: BenchRun): FileVerdict[] {
  const roleOf = (id: string): ContenderInfo['role'] | undefined => run.contenders.find((c) => c.id === id)?.role;
  return run.speed.map(({ file, results }) => {
    const ours = results.find((r) => roleOf(r.contenderId) === 'ours');
    const libraries = results.filter((r) => roleOf(r.contenderId) === 'library' && r.medianMs !== undefined);
    const fastestLibrary = libraries.sort((a, b) => (a.medianMs ?? 0) - (b.medianMs ?? 0))[0];
    const reference = results.find((r) => roleOf(r.contenderId) === 'reference' && r.medianMs !== undefined);
    const over = (other: ContenderSpeed | undefined): number | undefined =>
      other?.medianMs !== undefined && ours?.medianMs ? other.medianMs / ours.medianMs : undefined;
    const failed = results.filter((r) => r !== ours && r.failure).map((r) => r.contenderId);
    return { file, ours, fastestLibrary, reference, speedup: over(fastestLibrary), referenceSpeedup: over(reference), failed };
  });
}

/** The block written between the markers of docs/benchmarks.md (and printed). */
export function formatResults(run: BenchRun): string {
  const verdicts = judgeFiles(run);
  const parts = [
    formatRunLine(run),
    '### Ours against the fastest library, per file',
    formatSummaryTable(run, verdicts),
    formatAimLines(run, verdicts).join('\n'),
    '### Every contender on every file',
    formatSpeedTable(run),
    '### Peak memory, one fresh process per file and contender',
    run.memory.length ? formatMemoryTable(run) : '_Not measured in this run (`--no-memory`)._',
    '### Record counts',
    formatCountLines(run).join('\n'),
    '### Where we are not yet',
    formatNotYet(run, verdicts).join('\n'),
  ];
  return parts.join('\n\n');
}

function formatRunLine(run: BenchRun): string {
  const o = run.options;
  const kind = o.quick ? 'a `--quick` run' : o.filter ? `a run filtered to "${o.filter}"` : 'a full run';
  const when = run.startedAt.replace('T', ' ').replace(/:\d\d\.\d+Z$/, ' UTC');
  const budget = Number.isFinite(o.fileBudgetSeconds) ? ` (fewer where the rounds column says so, to keep each file within ${o.fileBudgetSeconds} s)` : '';
  const rounds = `per file one untimed parse, ${o.warmup} warm-up round${o.warmup === 1 ? '' : 's'}, then ${o.rounds} timed round${o.rounds === 1 ? '' : 's'}${budget}`;
  return `_Written by \`pnpm bench\` (${kind}) on ${when}, measuring for ${Math.round(run.durationSeconds)} s: ${formatMachine(run.machine)}; ${rounds}._`;
}

function label(run: BenchRun, id: string): string {
  return run.contenders.find((c) => c.id === id)?.label ?? id;
}

function describeFile(file: FileInfo): string {
  const notes = file.notes.map((n) => (n.startsWith('chained') ? `${n}: fit-file-parser and sports-lib read only the first` : n));
  return notes.length ? `${file.name} (${notes.join('; ')})` : file.name;
}

function formatSummaryTable(run: BenchRun, verdicts: readonly FileVerdict[]): string {
  const rows = verdicts.map((v) => {
    const ours = v.ours?.failure ? `fails: ${v.ours.failure}` : formatMs(v.ours?.medianMs);
    const fastest = v.fastestLibrary ? `${label(run, v.fastestLibrary.contenderId)} ${formatMs(v.fastestLibrary.medianMs)}` : 'none read it';
    const aim = v.speedup === undefined ? (v.ours?.medianMs === undefined ? 'no' : '—') : v.speedup >= SPEED_AIM ? 'yes' : 'no';
    const reference = v.reference ? `${formatFactor(v.referenceSpeedup)} (${v.reference.contenderId})` : '';
    const failing = v.failed.map((id) => label(run, id)).join(', ');
    return [describeFile(v.file), v.file.format, formatMegabytes(v.file.size, 2), formatCount(v.ours?.records), ours, fastest, formatFactor(v.speedup), aim, reference, failing];
  });
  const header = ['file', 'format', 'MB', 'records (ours)', 'ours, ms', 'fastest library, ms', 'ours faster by', `≥${SPEED_AIM}×`, 'vs the reference', 'fails'];
  return markdownTable(header, rows, ['l', 'l', 'r', 'r', 'r', 'l', 'r', 'l', 'r', 'l']);
}

function formatAimLines(run: BenchRun, verdicts: readonly FileVerdict[]): string[] {
  const met = verdicts.filter((v) => v.speedup !== undefined && v.speedup >= SPEED_AIM).length;
  const judged = verdicts.filter((v) => v.fastestLibrary !== undefined).length;
  const oursMeasured = verdicts.some((v) => v.ours?.medianMs !== undefined);
  const lines = [
    judged === 0
      ? `- Speed aim (at least ${SPEED_AIM}× faster than the fastest library on every file): **not judged**, no library read any file of this run.`
      : oursMeasured
      ? `- Speed aim (at least ${SPEED_AIM}× faster than the fastest library on every file): ${met === judged ? `**met** on all ${judged} files that a library could read` : `**missed**: met on ${met} of the ${judged} files that a library could read`}.`
      : `- Speed aim (at least ${SPEED_AIM}× faster than the fastest library on every file): **not measured**, ours did not run.`,
  ];
  const twelve = run.memory.find((m) => m.contenderId === 'ours' && m.fileName === TWELVE_HOUR_FILE);
  if (!twelve) lines.push('- Memory aim (under 100 MB peak on the 12-hour file): **not measured** in this run.');
  else if (twelve.failure || twelve.peakRssDeltaBytes === undefined) lines.push(`- Memory aim (under 100 MB peak on the 12-hour file): **not measured**: ${twelve.failure ?? 'no peak reported'}.`);
  else {
    const ok = twelve.peakRssDeltaBytes < MEMORY_AIM_BYTES;
    lines.push(`- Memory aim (under 100 MB peak on the 12-hour file): **${ok ? 'met' : 'missed'}**, ${formatMegabytes(twelve.peakRssDeltaBytes)} MB peak RSS above baseline (heap ${formatMegabytes(twelve.peakHeapDeltaBytes)} MB).`);
  }
  return lines;
}

function formatSpeedTable(run: BenchRun): string {
  const rows: string[][] = [];
  for (const { file, rounds, results } of run.speed) {
    for (const r of results) {
      const failed = r.failure ? `fails: ${r.failure}` : undefined;
      rows.push([
        file.name,
        label(run, r.contenderId),
        failed ? '—' : `${rounds}${r.iterations > 1 ? ` × ${r.iterations}` : ''}`,
        failed ?? formatMs(r.medianMs),
        r.spreadPercent === undefined ? '—' : `${r.spreadPercent.toFixed(1)} %`,
        formatMbPerSecond(file.size, r.medianMs),
        formatCount(r.records),
        formatRate(r.records, r.medianMs),
      ]);
    }
  }
  const header = ['file', 'contender', 'rounds', 'median ms', 'spread', 'MB/s', 'records', 'records/s'];
  return markdownTable(header, rows, ['l', 'l', 'r', 'r', 'r', 'r', 'r', 'r']);
}

function formatMemoryTable(run: BenchRun): string {
  const sizes = new Map(run.speed.map((s) => [s.file.name, s.file.size]));
  const rows = run.memory.map((m) => [
    m.fileName,
    formatMegabytes(sizes.get(m.fileName), 2),
    label(run, m.contenderId),
    m.failure ? `fails: ${m.failure}` : `${formatMegabytes(m.peakRssDeltaBytes)}${m.peakRssExact ? '' : ' (upper bound)'}`,
    m.failure ? '—' : formatMegabytes(m.peakHeapDeltaBytes),
    m.failure ? '—' : formatMegabytes(m.retainedHeapBytes),
    String(m.gcCount),
    formatMs(m.parseMs),
  ]);
  const header = ['file', 'MB', 'contender', 'peak RSS above baseline, MB', 'peak heap above baseline, MB', 'heap kept by the result, MB', 'GCs', 'parse ms (cold)'];
  return markdownTable(header, rows, ['l', 'r', 'l', 'r', 'r', 'r', 'r', 'r']);
}

/** Ours against every other contender that read the file, with the reason where one is known. */
export function findCountMismatches(run: BenchRun): string[] {
  const lines: string[] = [];
  for (const { file, results } of run.speed) {
    const ours = results.find((r) => r.contenderId === 'ours');
    if (ours?.records === undefined || ours.failure) continue;
    for (const other of results) {
      if (other === ours || other.records === undefined || other.failure || other.records === ours.records) continue;
      const warned = ours.warnings?.length ? ` (ours warned: ${ours.warnings.join(', ')})` : '';
      lines.push(`- ${file.name}: ours ${formatCount(ours.records)}${warned}, ${label(run, other.contenderId)} ${formatCount(other.records)}${explainMismatch(other.contenderId, file)}`);
    }
  }
  return lines;
}

function explainMismatch(contenderId: string, file: FileInfo): string {
  const chained = file.notes.some((n) => n.startsWith('chained'));
  if (contenderId === 'sports-lib') return ' (sports-lib counts one-second slots)';
  if (contenderId === 'fit-file-parser' && chained) return ' (fit-file-parser reads only the first part of a chained file)';
  if (contenderId === 'csv-parse') return ' (csv-parse counts every row after the first: preamble, summary and extra header rows too)';
  return '';
}

function formatCountLines(run: BenchRun): string[] {
  const mismatches = findCountMismatches(run);
  const head = mismatches.length
    ? `Ours differs from another contender on ${mismatches.length} count(s); each is listed, none is hidden:`
    : 'Every contender that read a file found the same number of records as ours.';
  return [head, '', ...mismatches];
}

function formatNotYet(run: BenchRun, verdicts: readonly FileVerdict[]): string[] {
  const lines: string[] = [];
  const ours = run.contenders.find((c) => c.role === 'ours');
  if (ours?.loadFailure) lines.push(`- Our parser could not be loaded, so nothing of ours was measured: ${ours.loadFailure}`);
  for (const v of verdicts.filter((x) => x.ours?.failure)) lines.push(`- ${v.file.name}: ours fails (${v.ours?.failure}).`);
  for (const format of FORMAT_ORDER) {
    const judged = verdicts.filter((v) => v.file.format === format && v.speedup !== undefined);
    const short = judged.filter((v) => (v.speedup ?? 0) < SPEED_AIM);
    if (!short.length) continue;
    const factors = short.map((v) => v.speedup ?? 0);
    const range = factors.length > 1 ? `${formatFactor(Math.min(...factors))} to ${formatFactor(Math.max(...factors))}` : formatFactor(factors[0]);
    lines.push(`- **${format.toUpperCase()}: short of the ${SPEED_AIM}× aim on ${short.length} of ${judged.length} files**, where ours is ${range} as fast as the fastest library:`);
    for (const v of short) {
      const speedup = v.speedup ?? 0;
      const how = speedup < 1 ? `${formatFactor(1 / speedup)} slower than` : `${formatFactor(speedup)} faster than`;
      lines.push(`  - ${v.file.name} (${formatMegabytes(v.file.size, 2)} MB): ${how} ${label(run, v.fastestLibrary?.contenderId ?? '')}, ${formatMs(v.ours?.medianMs)} ms against ${formatMs(v.fastestLibrary?.medianMs)} ms`);
    }
  }
  for (const m of run.memory.filter((x) => x.contenderId === 'ours')) {
    if (m.failure) lines.push(`- Memory on ${m.fileName}: ours was not measured (${m.failure}).`);
    else if (m.fileName === TWELVE_HOUR_FILE && (m.peakRssDeltaBytes ?? 0) >= MEMORY_AIM_BYTES) {
      lines.push(`- **Memory on the 12-hour file: ${formatMegabytes(m.peakRssDeltaBytes)} MB** peak RSS above baseline, over the 100 MB aim.`);
    }
  }
  lines.push(...formatReferenceLines(run, verdicts));
  const unexplained = findCountMismatches(run).filter((l) => !/\((sports-lib counts|fit-file-parser reads only|csv-parse counts|ours warned)/.test(l));
  for (const l of unexplained) lines.push(`- Record count with no known reason: ${l.slice(2)}`);
  for (const s of run.skipped) lines.push(`- Not measured: ${s}`);
  if (!lines.length) lines.push(`- Nothing in this run: ours is at least ${SPEED_AIM}× faster than the fastest library on every file and the 12-hour file stays under 100 MB.`);
  return lines;
}

/**
 * The references, outside the aim: against fast-xml-parser (a whole generic XML parse) ours is
 * listed where it is under the aim's factor; against the floors (csv-parse's rows of strings, the
 * plain HRM line scan), which do a part of our work, ours is listed where it takes longer.
 */
function formatReferenceLines(run: BenchRun, verdicts: readonly FileVerdict[]): string[] {
  const lines: string[] = [];
  const referenced = verdicts.filter((v) => v.reference !== undefined && v.referenceSpeedup !== undefined);
  for (const id of [...new Set(referenced.map((v) => v.reference?.contenderId ?? ''))]) {
    const judged = referenced.filter((v) => v.reference?.contenderId === id);
    const formats = [...new Set(judged.map((v) => v.file.format.toUpperCase()))].join('/');
    if (id === 'fast-xml-parser') {
      const slow = judged.filter((v) => (v.referenceSpeedup ?? 0) < SPEED_AIM);
      if (!slow.length) continue;
      const list = slow.map((v) => `${v.file.name} ${formatFactor(v.referenceSpeedup)}`).join(', ');
      lines.push(`- Against the bare fast-xml-parser reference (outside the aim, which is about the workout libraries) ours is under ${SPEED_AIM}× on ${slow.length} of ${judged.length} ${formats} files: ${list}.`);
    } else {
      const slower = judged.filter((v) => (v.referenceSpeedup ?? 0) < 1);
      if (!slower.length) continue;
      const list = slower.map((v) => `${v.file.name} ${formatFactor(1 / (v.referenceSpeedup ?? 1))}`).join(', ');
      lines.push(`- Against the ${label(run, id)} floor (outside the aim: it does only a part of an import) ours takes longer on ${slower.length} of ${judged.length} ${formats} files, by: ${list}.`);
    }
  }
  return lines;
}
