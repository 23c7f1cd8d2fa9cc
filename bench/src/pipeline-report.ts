import { formatCount, formatMs, markdownTable } from './format.js';
import type { PipelineRun } from './pipeline-bench.js';
import type { PipelineMode, PipelineModeId, PipelineRunResult } from './pipeline-run.js';
import { formatLoadCaveat, formatSectionRunLine } from './section-report.js';
import { MB, median, spreadPercent } from './stats.js';

/** One mode over its rounds: medians of every figure, each taken on its own. */
export interface PipelineModeSummary {
  mode: PipelineMode;
  /** Rounds measured, and rounds that could not be. */
  runs: number;
  notMeasured: number;
  seconds?: number;
  spreadPercent?: number;
  filesPerSecond?: number;
  workoutsPerSecond?: number;
  mbPerSecond?: number;
  enqueueSeconds?: number;
  processSeconds?: number;
  uploaded?: number;
  duplicates?: number;
  serverRequests?: number;
  /** Lowest and highest request count of the rounds, when they differ. */
  requestsRange?: [number, number];
  /** Per process, highest first in each round: the median peak RSS over the rounds; and the highest of all. */
  peakRssBytes: (number | undefined)[];
  maxPeakRssBytes?: number;
  readyRssBytes: (number | undefined)[];
  processCpuMs?: number;
  sandboxCpuMs?: number;
  redisCpuMs?: number;
  readMs?: number;
  parseMs?: number;
  uploadMs?: number;
  /** Queue: the file that most often finished last, in how many rounds, and the medians of when it was taken and how long it took. */
  last?: { file: string; rounds: number; takenAtMs: number; ms: number };
}

const medianOf = (values: readonly (number | undefined)[]): number | undefined => {
  const known = values.filter((v): v is number => v !== undefined && Number.isFinite(v));
  return known.length ? median(known) : undefined;
};

export function summarizePipelineMode(run: PipelineRun, mode: PipelineMode): PipelineModeSummary {
  const all = run.runs.filter((r) => r.mode === mode.id);
  const ok = all.filter((r) => !r.failure && r.seconds !== undefined && r.seconds > 0);
  const seconds = ok.map((r) => r.seconds as number);
  const mid = medianOf(seconds);
  const requests = ok.map((r) => r.serverRequests).filter((n): n is number => n !== undefined);
  const slots = Math.max(0, ...ok.map((r) => r.processes.length));
  const slot = (pick: (r: PipelineRunResult, i: number) => number | undefined): (number | undefined)[] => Array.from({ length: slots }, (_, i) => medianOf(ok.map((r) => pick(r, i))));
  const highestFirst = (r: PipelineRunResult): number[] => r.processes.map((p) => p.peakRssBytes ?? 0).sort((a, b) => b - a);
  const lastFiles = new Map<string, NonNullable<PipelineRunResult['last']>[]>();
  for (const r of ok) if (r.last) lastFiles.set(r.last.file, [...(lastFiles.get(r.last.file) ?? []), r.last]);
  const [lastFile, lastRuns] = [...lastFiles].sort((a, b) => b[1].length - a[1].length)[0] ?? [];
  const peaks = ok.flatMap((r) => r.processes.map((p) => p.peakRssBytes)).filter((n): n is number => n !== undefined);
  const lowest = requests.length ? Math.min(...requests) : undefined;
  const highest = requests.length ? Math.max(...requests) : undefined;
  return {
    mode,
    runs: ok.length,
    notMeasured: all.length - ok.length,
    ...(mid === undefined
      ? {}
      : {
          seconds: mid,
          spreadPercent: spreadPercent(seconds),
          filesPerSecond: run.corpus.files / mid,
          workoutsPerSecond: run.corpus.workouts / mid,
          mbPerSecond: run.corpus.bytes / MB / mid,
        }),
    enqueueSeconds: medianOf(ok.map((r) => r.enqueueSeconds)),
    processSeconds: medianOf(ok.map((r) => r.processSeconds)),
    uploaded: medianOf(ok.map((r) => r.uploaded)),
    duplicates: medianOf(ok.map((r) => r.duplicates)),
    serverRequests: medianOf(requests),
    ...(lowest !== undefined && highest !== undefined && lowest !== highest ? { requestsRange: [lowest, highest] as [number, number] } : {}),
    peakRssBytes: slot((r, i) => (r.processes.every((p) => p.peakRssBytes !== undefined) ? highestFirst(r)[i] : undefined)),
    ...(peaks.length ? { maxPeakRssBytes: Math.max(...peaks) } : {}),
    readyRssBytes: slot((r, i) => r.processes[i]?.readyRssBytes),
    processCpuMs: medianOf(ok.map((r) => (r.processes.every((p) => p.cpuMs !== undefined) ? r.processes.reduce((sum, p) => sum + (p.cpuMs ?? 0), 0) : undefined))),
    sandboxCpuMs: medianOf(ok.map((r) => r.sandboxCpuMs)),
    redisCpuMs: medianOf(ok.map((r) => r.redisCpuMs)),
    readMs: medianOf(ok.map((r) => r.readMs)),
    parseMs: medianOf(ok.map((r) => r.parseMs)),
    uploadMs: medianOf(ok.map((r) => r.uploadMs)),
    ...(lastFile !== undefined && lastRuns?.length ? { last: { file: lastFile, rounds: lastRuns.length, takenAtMs: median(lastRuns.map((x) => x.takenAtMs)), ms: median(lastRuns.map((x) => x.ms)) } } : {}),
  };
}

/** The block written between the pipeline markers of docs/benchmarks.md (and printed). */
export function formatPipelineResults(run: PipelineRun): string {
  const rounds = run.options.rounds;
  const how = `the corpus imported ${rounds} time${rounds === 1 ? '' : 's'} by each mode, the modes in an order that rotates round by round; every import into a fresh sandbox child process (quota ${formatCount(run.quota)}/day: lifted; zone ${run.timeZone}; in-memory store) over HTTPS on 127.0.0.1, under a fresh account name; the queue on Redis ${run.redis.replace(/^redis:\/\//, '')}; the worker from its built dist/`;
  const summaries = run.modes.map((mode) => summarizePipelineMode(run, mode));
  const parts = [
    formatSectionRunLine('pipeline', run.startedAt, run.durationSeconds, run.machine, run.options, how),
    formatLoadCaveat(run.machine),
    formatCorpusLine(run),
    '### Files per second through the whole pipeline',
    formatThroughputTable(summaries),
    `Times are medians over the rounds; spread is the median absolute deviation of the rounds' times from it. files/s, workouts/s and MB/s all divide the same corpus (${formatCount(run.corpus.files)} files, ${formatCount(run.corpus.workouts)} workouts, ${(run.corpus.bytes / MB).toFixed(1)} MB of input) by the median time. Peak RSS: VmHWM of each process at the end of its run, the processes of a round highest first, median over the rounds.`,
    '### Where the time goes',
    formatCpuTable(run, summaries),
    ...formatReference(run),
    '### Reading the figures',
    formatReading(run, summaries).join('\n'),
    '### Failures and notes',
    formatNotes(run).join('\n'),
  ];
  return parts.join('\n\n');
}

function formatCorpusLine(run: PipelineRun): string {
  const c = run.corpus;
  const left = [
    c.copies.length ? `${c.copies.length} byte-for-byte cop${c.copies.length === 1 ? 'y' : 'ies'} of another file (the same job)` : '',
    c.unusable.length ? `${c.unusable.length} file${c.unusable.length === 1 ? '' : 's'} that give${c.unusable.length === 1 ? 's' : ''} no workout (${c.unusable.join('; ')})` : '',
  ].filter(Boolean);
  return `**The corpus:** ${formatCount(c.files)} files from corpus/${c.folders.join(', corpus/')} (${(c.bytes / MB).toFixed(1)} MB), holding ${formatCount(c.workouts)} workouts and ${formatCount(c.samples)} samples; left out: ${left.length ? left.join(', ') : 'nothing'}. Read in place.`;
}

function formatRss(bytes: number | undefined): string {
  return bytes === undefined ? '—' : Math.round(bytes / MB).toLocaleString('en-US');
}

function formatRate(value: number | undefined): string {
  if (value === undefined || !Number.isFinite(value)) return '—';
  return value >= 100 ? Math.round(value).toLocaleString('en-US') : value.toPrecision(3);
}

function formatSeconds(ms: number | undefined): string {
  return ms === undefined ? '—' : (ms / 1000).toFixed(2);
}

function formatThroughputTable(summaries: readonly PipelineModeSummary[]): string {
  const rows = summaries.map((s) => {
    const shape = `${s.mode.processes} × ${s.mode.concurrency}`;
    const rounds = `${s.runs}${s.notMeasured ? ` (+${s.notMeasured} not measured)` : ''}`;
    if (s.seconds === undefined) return [s.mode.label, shape, rounds, 'not measured (see notes)', '—', '—', '—', '—', '—', '—', '—', '—'];
    const requests = s.requestsRange ? `${formatCount(s.serverRequests)} (${s.requestsRange[0]}–${s.requestsRange[1]})` : formatCount(s.serverRequests);
    return [
      s.mode.label,
      shape,
      rounds,
      s.seconds.toFixed(2),
      `${(s.spreadPercent ?? 0).toFixed(1)} %`,
      formatRate(s.filesPerSecond),
      formatRate(s.workoutsPerSecond),
      formatRate(s.mbPerSecond),
      `${formatCount(s.uploaded)} + ${formatCount(s.duplicates)}`,
      requests,
      s.peakRssBytes.map(formatRss).join(' / '),
      s.readyRssBytes.map(formatRss).join(' / '),
    ];
  });
  const header = ['mode', 'processes × files at once', 'rounds', 'median s', 'spread', 'files/s', 'workouts/s', 'input MB/s', 'workouts uploaded + duplicates', 'requests sent', 'peak RSS per process, MB (highest first)', 'RSS idle at start, MB'];
  return markdownTable(header, rows, ['l', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r']);
}

function formatCpuTable(run: PipelineRun, summaries: readonly PipelineModeSummary[]): string {
  const rows = summaries.map((s) => {
    if (s.seconds === undefined) return [s.mode.label, '—', '—', '—', '—', '—', '—'];
    const total = (s.processCpuMs ?? 0) + (s.sandboxCpuMs ?? 0) + (s.redisCpuMs ?? 0);
    const busy = total / (s.seconds * 1000);
    const split = s.mode.id === 'naive' && s.uploadMs !== undefined ? `read ${formatSeconds(s.readMs)} s, parseFile ${formatSeconds(s.parseMs)} s, uploadWorkout ${formatSeconds(s.uploadMs)} s` : s.mode.id === 'embedded' && s.processSeconds !== undefined ? `whole process ${s.processSeconds.toFixed(2)} s` : s.enqueueSeconds !== undefined ? `enqueueing ${s.enqueueSeconds.toFixed(2)} s` : '—';
    return [s.mode.label, s.seconds.toFixed(2), formatSeconds(s.processCpuMs), formatSeconds(s.sandboxCpuMs), s.mode.id.startsWith('queue') ? formatSeconds(s.redisCpuMs) : '—', `${busy.toFixed(2)} of ${run.machine.cores}`, split];
  });
  const header = ['mode', 'median s', 'CPU s: importing process(es)', 'CPU s: sandbox', 'CPU s: Redis server', 'cores busy (CPU s / s)', 'apart'];
  return markdownTable(header, rows, ['l', 'r', 'r', 'r', 'r', 'r', 'l']);
}

function formatReference(run: PipelineRun): string[] {
  const { parse, plan } = run.reference;
  if (!parse?.medianMs && !plan?.medianMs) return ['_The in-process reference (parse and plan alone) was not measured._'];
  const both = (parse?.medianMs ?? 0) + (plan?.medianMs ?? 0);
  return [
    `**Reference, in this process with no I/O** (median of ${run.reference.rounds} rounds): \`parseFile\` over the ${formatCount(run.corpus.files)} files takes ${formatMs(parse?.medianMs)} ms, and \`planWorkoutUpload\` with every chunk body for the ${formatCount(run.corpus.workouts)} workouts ${formatMs(plan?.medianMs)} ms: ${(both / 1000).toFixed(2)} s of CPU that every mode spends, whatever carries the files.`,
  ];
}

/** How a ratio of two rates reads: clearly faster, clearly slower, or within 10 % (run-to-run noise here). */
function compare(ratio: number): string {
  if (ratio >= 1.1) return 'faster';
  if (ratio <= 0.9) return 'slower';
  return 'about as fast, within the noise of these runs';
}

/** Sentences written from the numbers: scaling, the cost of the machinery, and what bounds it. */
export function formatReading(run: PipelineRun, summaries: readonly PipelineModeSummary[]): string[] {
  const by = (id: PipelineModeId): PipelineModeSummary | undefined => summaries.find((s) => s.mode.id === id && s.seconds !== undefined);
  const single = by('queue-1x1');
  const one = by('queue-1x4');
  const three = by('queue-3x4');
  const embedded = by('embedded');
  const naive = by('naive');
  const lines: string[] = [];
  const rate = (a: PipelineModeSummary, b: PipelineModeSummary): string => {
    const r = (a.filesPerSecond ?? 0) / (b.filesPerSecond ?? 1);
    return `${formatRate(a.filesPerSecond)} against ${formatRate(b.filesPerSecond)} files/s, ${r.toFixed(2)}×: ${compare(r)}`;
  };
  const busy = (s: PipelineModeSummary): string => (((s.processCpuMs ?? 0) + (s.sandboxCpuMs ?? 0) + (s.redisCpuMs ?? 0)) / ((s.seconds ?? 1) * 1000)).toFixed(2);
  const share = (ms: number | undefined, s: PipelineModeSummary): string => ((ms ?? 0) / ((s.seconds ?? 1) * 1000)).toFixed(2);
  const cores = run.machine.cores;
  if (one && three) {
    const tail = three.last
      ? ` And the run ends with its last file: with three workers that was most often ${three.last.file} (${three.last.rounds} of ${three.runs} rounds), taken ${formatSeconds(three.last.takenAtMs)} s after the first file was enqueued and done ${formatSeconds(three.last.ms)} s later (medians of those rounds; of the run's ${three.seconds?.toFixed(2)} s). A file's requests go one after another (\`workout.create\`, then each \`workout.samples.add\`), and files are taken in the order they were enqueued (here the corpus's, perf/ last), so more workers cannot shorten that tail.`
      : '';
    lines.push(
      `- **3 worker processes against 1** (${three.mode.concurrency} files at once each): ${rate(three, one)}. Three workers parse more files at once and keep more uploads in flight, but on this machine they run on the same ${cores} cores as the sandbox, Redis, the bench and other work: the workers, the sandbox and Redis kept ${busy(three)} of the ${cores} cores busy with three workers (${busy(one)} with one); the rest of the time they waited, for a core taken by other work (the load average is in the run line) or for each other. Every upload of every worker is read and stored by the sandbox's one event loop (${share(three.sandboxCpuMs, three)} of a core with three workers).${tail}`,
    );
  }
  if (single && naive) {
    lines.push(
      `- **The queue's machinery, one file at a time each:** the worker (1 process, 1 file at a time) against the naive script: ${rate(single, naive)}. The worker's CPU over the corpus is ${formatSeconds(single.processCpuMs)} s against the script's ${formatSeconds(naive.processCpuMs)} s, and Redis adds ${formatSeconds(single.redisCpuMs)} s: BullMQ's job moves, a ledger entry and a duplicate claim per workout, a limiter token per request, the result. The worker sends ${formatCount(single.serverRequests)} requests where the script sends ${formatCount(naive.serverRequests)}: the script uploads all ${formatCount(naive.uploaded)} workouts, the worker recognises ${formatCount(single.duplicates)} as a recording another file already gave (and adds its zone probe and limiter sync).`,
    );
  }
  if (one && naive) {
    const r = (one.filesPerSecond ?? 0) / (naive.filesPerSecond ?? 1);
    const why =
      r >= 1.1
        ? "one file's parsing overlaps another's upload."
        : 'the overlap of one file\'s parsing with another\'s upload did not pay here: the files in flight share one event loop (parsing one holds the others\' uploads back), and on this machine there was no idle core for the sandbox to answer them faster.';
    lines.push(`- **The queue as a user runs it** (\`work\` takes ${one.mode.concurrency} files at once by default) against the naive script: ${rate(one, naive)}; ${why}`);
  }
  if (naive?.uploadMs !== undefined && naive.seconds !== undefined) {
    const rest = naive.uploadMs - (naive.sandboxCpuMs ?? 0);
    const warm = (run.reference.parse?.medianMs ?? 0) + (run.reference.plan?.medianMs ?? 0);
    lines.push(
      `- **Parse against HTTPS** (the script, where nothing overlaps): of its ${naive.seconds.toFixed(2)} s, parsing takes ${formatSeconds(naive.parseMs)} s (${percent(naive.parseMs, naive.seconds)}), reading the files ${formatSeconds(naive.readMs)} s, and \`uploadWorkout\` ${formatSeconds(naive.uploadMs)} s (${percent(naive.uploadMs, naive.seconds)}). Of the upload time the sandbox's own CPU is ${formatSeconds(naive.sandboxCpuMs)} s (reading the XML and storing every sample); the other ${formatSeconds(rest)} s are the client's mapping, TLS, reading the answers and waiting for a core. Parsing and mapping the corpus take ${formatSeconds(warm)} s warm in one process (the reference); a fresh process spends more (the script ${formatSeconds(naive.processCpuMs)} s of CPU in all): its code starts cold, and encoding, TLS and garbage collection of the large bodies come on top. Redis costs the queue little: ${formatSeconds(one?.redisCpuMs ?? single?.redisCpuMs)} s of the server's CPU per import.`,
    );
  }
  if (embedded && one) {
    lines.push(
      `- **Embedded against the queue:** ${embedded.mode.concurrency} files at once (its default) against one worker with ${one.mode.concurrency}: ${rate(embedded, one)}; a file ledger and a results file take the place of Redis. The whole \`migrate\` process, Node's start, hashing the files and the report included, ran ${embedded.processSeconds?.toFixed(2) ?? '—'} s.`,
    );
  }
  const heaviest = summaries.reduce<PipelineModeSummary | undefined>((a, b) => ((b.maxPeakRssBytes ?? 0) > (a?.maxPeakRssBytes ?? 0) ? b : a), undefined);
  if (heaviest?.maxPeakRssBytes !== undefined) {
    const others = three && three.peakRssBytes.length > 1 ? ` With three workers the one that took the largest file peaks at ${formatRss(three.peakRssBytes[0])} MB and the others at ${three.peakRssBytes.slice(1).map(formatRss).join(' and ')} MB (medians).` : '';
    lines.push(`- **Memory:** the highest peak of any process in any round was ${formatRss(heaviest.maxPeakRssBytes)} MB (${heaviest.mode.label}). A process holds only the files it has in flight, so its peak follows the largest file it takes, not the size of the corpus.${others}`);
  }
  return lines.length ? lines : ['- Too few modes were measured to compare.'];
}

function percent(part: number | undefined, wholeSeconds: number): string {
  return part === undefined ? '—' : `${Math.round((part / 1000 / wholeSeconds) * 100)} %`;
}

function formatNotes(run: PipelineRun): string[] {
  const lines: string[] = [];
  const counted = new Map<string, { count: number; rounds: Set<number> }>();
  for (const r of run.runs) {
    const mode = run.modes.find((m) => m.id === r.mode)?.label ?? r.mode;
    if (r.failure) lines.push(`- ${mode}, round ${r.round}: **not measured**: ${r.failure}`);
    for (const note of r.notes) {
      const key = `${mode}: ${note.replace(/\bworker \d+: /, '')}`;
      const entry = counted.get(key) ?? { count: 0, rounds: new Set<number>() };
      entry.count++;
      entry.rounds.add(r.round);
      counted.set(key, entry);
    }
    const handled = r.uploaded + r.duplicates + r.failedWorkouts;
    if (!r.failure && handled !== run.corpus.workouts) lines.push(`- ${mode}, round ${r.round}: ${handled} workouts handled (uploaded, duplicate or failed), the corpus holds ${run.corpus.workouts}`);
    if (!r.failure && r.settled !== r.files) lines.push(`- ${mode}, round ${r.round}: **${r.files - r.settled} of ${r.files} files without a final result**`);
  }
  for (const [note, { count, rounds }] of counted) lines.push(`- ${note}${count > 1 ? ` (×${count}, rounds ${[...rounds].join(', ')})` : ` (round ${[...rounds][0]})`}`);
  for (const s of run.skipped) lines.push(`- Not measured: ${s}`);
  if (lines.length) return lines;
  return ['- No failure: in every round every file reached a final result, and every workout was uploaded or recognised as a duplicate.'];
}
