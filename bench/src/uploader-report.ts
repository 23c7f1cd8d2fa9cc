import { formatCount, formatMs, markdownTable } from './format.js';
import type { LimiterScenarioResult } from './limiter-bench.js';
import type { WorkoutCount } from './request-count.js';
import { explainRequests, requestFloor } from './request-count.js';
import type { FailureCount } from './sandbox-load.js';
import { formatLoadCaveat, formatSectionRunLine } from './section-report.js';
import type { UploaderRun } from './uploader-bench.js';
import type { UploadScenarioResult } from './upload-load.js';
import { totalRequests } from './upload-load.js';

/** The block written between the uploader markers of docs/benchmarks.md (and printed). */
export function formatUploaderResults(run: UploaderRun): string {
  const how = `limiters and client in this process, Redis ${run.redis} (shared with other work), the sandbox in a child process (a fresh one per upload row, quota ${formatCount(run.uploads.quota)}/day, zone ${run.uploads.timeZone}), HTTPS on 127.0.0.1`;
  const parts = [
    formatSectionRunLine('uploader', run.startedAt, run.durationSeconds, run.machine, run.options, how),
    formatLoadCaveat(run.machine),
    '### Limiter cost per token',
    `Synced with a limit of ${formatCount(run.limiter.limit)} and a burst of ${formatCount(run.limiter.burst)} (zone ${run.limiter.timeZone}), so the pace never holds an acquire back; all the callers of a row take from one bucket.`,
    run.limiter.results.length ? formatLimiterTable(run.limiter.results) : '_No limiter scenario ran._',
    '### Uploads per second: uploadWorkout through createClient',
    `Limiter burst ${formatCount(run.uploads.burst)}, synced from the sandbox's system.current (limit ${formatCount(run.uploads.quota)}); no ledger.`,
    run.uploads.results.length ? formatUploadTable(run.uploads.results) : '_No upload scenario ran._',
    ...formatSetupLine(run.uploads.results),
    '### Requests per workout over the corpus',
    ...formatRequestCounts(run),
    '### Failures and notes',
    formatNotes(run).join('\n'),
  ];
  return parts.join('\n\n');
}

function formatLimiterTable(results: readonly LimiterScenarioResult[]): string {
  const rows = results.map((r) => {
    const s = r.scenario;
    const callers = `${s.callersPerInstance} caller${s.callersPerInstance > 1 ? 's' : ''}`;
    const setup = s.instances === 1 ? `1 limiter, ${callers}` : `${s.instances} limiters (own connections) × ${callers} each`;
    const label = s.kind === 'memory' ? 'createMemoryLimiter' : 'createRedisLimiter';
    if (r.failure) return [label, setup, `not measured (see Failures)`, '—', '—', '—', '—', '—', '—', '—', '—', '—'];
    const failed = r.failures.reduce((sum, f) => sum + f.count, 0);
    return [
      label,
      setup,
      `${formatCount(r.granted)} / ${formatCount(r.acquires)}`,
      formatCount(failed),
      `${r.seconds.toFixed(1)} (${r.stoppedBy === 'time' ? 'time limit' : 'count limit'})`,
      formatTokens(r.tokensPerSecond),
      formatMicros(r.medianUs),
      formatMicros(r.p95Us),
      formatMicros(r.maxUs),
      formatMicros(r.tokensPerSecond ? 1e6 / r.tokensPerSecond : undefined),
      formatMicros(r.clientCpuUsPerToken),
      formatMicros(r.redisCpuUsPerToken),
    ];
  });
  const header = ['limiter', 'callers', 'granted / asked', 'failed', 'seconds', 'tokens/s', 'median µs per acquire', 'p95 µs', 'max µs', 'wall µs per token', 'client CPU µs/token', 'Redis CPU µs/token'];
  return markdownTable(header, rows, ['l', 'l', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r']);
}

function formatUploadTable(results: readonly UploadScenarioResult[]): string {
  const rows = results.map((r) => {
    const limiter = r.limiter === 'memory' ? 'memory' : 'Redis';
    if (r.failure || !r.timed) return [r.workout.label, limiter, String(r.limits.concurrency), '—', 'not measured (see Failures)', '—', '—', '—', '—', '—', '—', '—', '—', '—'];
    const t = r.timed;
    const failed = t.failures.reduce((sum, f) => sum + f.count, 0);
    return [
      r.workout.label,
      limiter,
      String(r.limits.concurrency),
      formatKilobytes(r.createBytes),
      `${formatCount(t.ok)} / ${formatCount(t.uploads)}`,
      formatCount(failed),
      `${r.seconds.toFixed(1)} (${r.stoppedBy === 'time' ? 'time limit' : 'count limit'})`,
      formatRate(r.uploadsPerSecond),
      r.requestsPerUpload === undefined ? '—' : r.requestsPerUpload.toFixed(2),
      formatMs(r.medianMs),
      formatMs(r.p95Ms),
      formatMs(r.maxMs),
      formatMs(r.serverCpuMsPerUpload),
      formatMs(r.clientCpuMsPerUpload),
    ];
  });
  const header = ['workout', 'limiter', 'in flight', 'create KB', 'ok / started', 'failed', 'seconds', 'uploads/s (ok)', 'requests per upload', 'median ms', 'p95 ms', 'max ms', 'server CPU ms/upload', 'client CPU ms/upload'];
  return markdownTable(header, rows, ['l', 'l', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r']);
}

function formatSetupLine(results: readonly UploadScenarioResult[]): string[] {
  const measured = results.filter((r) => r.warmup && r.timed);
  if (!measured.length) return [];
  const methods = new Map<string, number>();
  for (const r of measured) for (const [method, n] of Object.entries(r.timed!.requestsByMethod)) methods.set(method, (methods.get(method) ?? 0) + n);
  const timedLine = [...methods].map(([m, n]) => `${m} ×${formatCount(n)}`).join(', ');
  const setup = measured.map((r) => totalRequests(r.warmup!) - r.warmup!.uploads);
  const same = setup.every((n) => n === setup[0]);
  const setupLine = same ? `${setup[0]} per row (the limiter's sync, system.current, and athlete.list)` : `${setup.join(', ')} per row`;
  return [`Requests of the timed phases, all rows: ${timedLine}. Before them, untimed: setup requests ${setupLine}, then the warm-up uploads.`];
}

function formatRequestCounts(run: UploaderRun): string[] {
  const r = run.requests;
  const files = r.folders.reduce((sum, f) => sum + f.files, 0);
  const mean = r.workouts > 0 ? r.requests / r.workouts : undefined;
  const above = r.notable.filter((w) => w.requests !== undefined && w.requests > 1);
  const lead =
    mean === undefined
      ? '_No corpus workout was counted._'
      : `**${formatCount(r.workouts)} workouts** from ${formatCount(files)} corpus files (${r.duplicates.length} of them ${r.duplicates.length === 1 ? 'a byte-for-byte copy' : 'byte-for-byte copies'} of another file, counted once) need **${formatCount(r.requests)} requests: ${mean.toFixed(2)} per workout** against a floor of 1.00. ${above.length === 0 ? 'Every workout fits one request.' : `${above.length} workout${above.length > 1 ? 's take' : ' takes'} more than one (below); without ${above.length > 1 ? 'them' : 'it'}, ${formatCount(r.workouts - above.length)} workouts take ${formatCount(r.requests - above.reduce((s, w) => s + (w.requests ?? 0), 0))} requests, exactly 1 each.`} \`countWorkoutRequests\` agreed with \`planWorkoutUpload(...).requestCount\` on ${r.mismatches === 0 ? 'every workout' : `all but **${r.mismatches}**`}${r.twelveHour ? ', the 12-hour ride included' : ''}. Counting took ${r.seconds.toFixed(1)} s (parsing included; not a timing).`;
  const folderRows = r.folders.map((f) => [
    f.folder,
    formatCount(f.files),
    formatCount(f.duplicates),
    `${formatCount(f.entriesOk)} / ${formatCount(f.entriesFailed)} / ${formatCount(f.entriesSkipped)}`,
    f.failureCodes.join(', ') || '—',
    formatCount(f.workouts),
    formatCount(f.requests),
    f.workouts > 0 ? (f.requests / f.workouts).toFixed(2) : '—',
  ]);
  const folderTable = markdownTable(
    ['folder', 'files', 'copies (counted once)', 'entries ok / failed / skipped', 'why entries failed', 'workouts', 'requests', 'requests per workout'],
    folderRows,
    ['l', 'r', 'r', 'r', 'l', 'r', 'r', 'r'],
  );
  const listed: WorkoutCount[] = [...r.notable, ...(r.twelveHour ? [r.twelveHour] : [])];
  const workoutRows = listed.map((w) => [
    w.name,
    formatCount(w.samples),
    String(w.channels),
    w.fullBodyBytes === undefined ? '—' : (w.fullBodyBytes / 1024 ** 2).toFixed(2),
    w.requests === undefined ? '—' : formatCount(w.requests),
    w.fullBodyBytes === undefined ? '—' : String(requestFloor(w.fullBodyBytes)),
    explainRequests(w),
  ]);
  const workoutTable = workoutRows.length
    ? markdownTable(['workout', 'samples', 'channels', 'one body, MiB', 'requests', '⌈MiB / 10⌉', 'why above 1'], workoutRows, ['l', 'r', 'r', 'r', 'r', 'r', 'l'])
    : '_No workout above one request._';
  const twelve = r.twelveHour ? ' (the generated 12-hour ride last, apart from the corpus figures)' : '';
  return [lead, folderTable, `Every workout above one request, or that could not be counted${twelve}:`, workoutTable];
}

function formatNotes(run: UploaderRun): string[] {
  const lines: string[] = [];
  let problems = 0;
  const problem = (line: string): void => {
    problems++;
    lines.push(line);
  };
  const list = (label: string, failures: readonly FailureCount[], what = ''): void => {
    for (const f of failures) problem(`- ${label}: **${formatCount(f.count)} × ${what}${f.kind}**, first: ${f.example || '(no message)'}`);
  };
  for (const r of run.limiter.results) {
    const label = `limiter ${r.scenario.id}`;
    if (r.failure) problem(`- ${label}: **not measured**: ${r.failure}`);
    list(label, r.failures, 'acquire failed: ');
    if (!r.failure && r.counted !== r.granted) problem(`- ${label}: **the bucket counted ${formatCount(r.counted)} tokens for ${formatCount(r.granted)} grants**.`);
    if (!r.failure && r.tokensLeft !== undefined && r.tokensLeft < 1) problem(`- ${label}: **the bucket ran dry** (${r.tokensLeft.toFixed(1)} tokens left): some acquires waited for the pace.`);
  }
  for (const r of run.uploads.results) {
    const label = `uploads, ${r.workout.id}, ${r.limiter} limiter, ${r.limits.concurrency} in flight`;
    if (r.failure) problem(`- ${label}: **not measured**: ${r.failure}`);
    for (const [phase, tally] of [['', r.timed], [' (setup and warm-up)', r.warmup]] as const) {
      if (!tally) continue;
      list(`${label}${phase}`, tally.failures);
      list(`${label}${phase}`, tally.exchangeProblems, 'exchange not ok: ');
      if (tally.reconciled) problem(`- ${label}${phase}: **${formatCount(tally.reconciled)} upload(s) had to settle an unknown outcome** (reconciled).`);
    }
    if (r.timed && r.timed.reportedRequests !== totalRequests(r.timed)) problem(`- ${label}: **uploadWorkout reported ${formatCount(r.timed.reportedRequests)} requests, the client's log shows ${formatCount(totalRequests(r.timed))}**.`);
    if (r.planRequests > 1) lines.push(`- ${label}: the plan needs ${r.planRequests} requests per upload.`);
  }
  const rc = run.requests;
  for (const w of rc.notable.filter((n) => n.failure)) problem(`- ${w.name}: **not countable**: ${w.failure}`);
  for (const w of [...rc.notable, ...(rc.twelveHour ? [rc.twelveHour] : [])]) {
    if (w.planRequests !== undefined) problem(`- ${w.name}: **countWorkoutRequests says ${w.requests}, planWorkoutUpload ${w.planRequests}**.`);
  }
  const unread = rc.folders.filter((f) => f.entriesOk === 0 && f.entriesFailed > 0).map((f) => `${f.folder} (${f.failureCodes.join(', ')})`);
  if (unread.length) lines.push(`- Not read at all by the parsers (they read FIT, TCX, GPX and .gz/.zip of them): ${unread.join(', ')}. Their workouts are in no figure above.`);
  if (rc.duplicates.length) lines.push(`- Counted once (same bytes as a file read earlier): ${rc.duplicates.join('; ')}.`);
  for (const s of [...rc.skipped, ...run.skipped]) problem(`- Not measured: ${s}`);
  lines.unshift(
    problems === 0
      ? '- No failure: every acquire was granted and counted once, every upload (warm-up included) ended with a new workout_id after only ok exchanges, and every corpus workout was counted.'
      : '- Every failure is listed; the bench retries none and leaves none out.',
  );
  return lines;
}

function formatKilobytes(bytes: number): string {
  return bytes >= 100_000 ? formatCount(Math.round(bytes / 1000)) : (bytes / 1000).toFixed(2);
}

function formatRate(value: number | undefined): string {
  if (value === undefined || !Number.isFinite(value)) return '—';
  return value >= 100 ? Math.round(value).toLocaleString('en-US') : value.toPrecision(3);
}

function formatTokens(value: number | undefined): string {
  if (value === undefined || !Number.isFinite(value)) return '—';
  if (value >= 1e6) return `${(value / 1e6).toPrecision(3)} M`;
  if (value >= 1e4) return `${(value / 1e3).toPrecision(3)} k`;
  return Math.round(value).toLocaleString('en-US');
}

function formatMicros(us: number | undefined): string {
  if (us === undefined || !Number.isFinite(us)) return '—';
  if (us >= 1000) return Math.round(us).toLocaleString('en-US');
  return us.toPrecision(3);
}
