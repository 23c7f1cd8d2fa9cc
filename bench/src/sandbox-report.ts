import { formatCount, formatMs, markdownTable } from './format.js';
import type { SandboxRun, SandboxScenarioResult } from './sandbox-bench.js';
import type { FailureCount } from './sandbox-load.js';
import { formatLoadCaveat, formatSectionRunLine } from './section-report.js';

/** The block written between the sandbox markers of docs/benchmarks.md (and printed). */
export function formatSandboxResults(run: SandboxRun): string {
  const how = `server: @optimo-import/sandbox in a child process (its own event loop), in-memory store, a fresh process per row, quota ${formatCount(run.quota)}/day, zone ${run.timeZone}; client: this process, HTTPS keep-alive agent trusting only the sandbox's certificate, 127.0.0.1`;
  const parts = [
    formatSectionRunLine('sandbox', run.startedAt, run.durationSeconds, run.machine, run.options, how),
    formatLoadCaveat(run.machine),
    '### workout.create over HTTPS',
    run.scenarios.length ? formatTable(run.scenarios) : '_No scenario ran._',
    '### Failures',
    formatFailures(run).join('\n'),
  ];
  return parts.join('\n\n');
}

function formatTable(scenarios: readonly SandboxScenarioResult[]): string {
  const rows = scenarios.map((r) => {
    if (r.failure) return [r.workout.label, '—', String(r.concurrency), 'not measured (see Failures)', '—', '—', '—', '—', '—', '—', '—', '—', '—'];
    return [
      r.workout.label,
      formatKilobytes(r.bodyBytes),
      String(r.concurrency),
      `${formatCount(r.ok)} / ${formatCount(r.requests)}`,
      formatCount(r.failed),
      `${r.seconds.toFixed(1)} (${r.stoppedBy === 'time' ? 'time limit' : 'count limit'})`,
      formatPerSecond(r.okPerSecond),
      formatMs(r.medianMs),
      formatMs(r.p95Ms),
      formatMs(r.maxMs),
      formatPerSecond(r.bodyMbPerSecond),
      formatMs(r.serverCpuMsPerRequest),
      formatMs(r.clientCpuMsPerRequest),
    ];
  });
  const header = ['workout', 'body KB', 'in flight', 'ok / sent', 'failed', 'seconds', 'requests/s (ok)', 'median ms', 'p95 ms', 'max ms', 'body MB/s', 'server CPU ms/req', 'client CPU ms/req'];
  return markdownTable(header, rows, ['l', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r']);
}

function formatFailures(run: SandboxRun): string[] {
  const lines: string[] = [];
  const list = (label: string, failures: readonly FailureCount[]): void => {
    for (const f of failures) lines.push(`- ${label}: **${formatCount(f.count)} × ${f.kind}**, first: ${f.example || '(no message)'}`);
  };
  for (const r of run.scenarios) {
    const label = `${r.workout.label}, ${r.concurrency} in flight`;
    if (r.failure) lines.push(`- ${label}: **not measured**: ${r.failure}`);
    list(label, r.failures);
    list(`${label} (warm-up)`, r.warmupFailures);
  }
  for (const s of run.skipped) lines.push(`- Not measured: ${s}`);
  if (lines.length) return ['Every failed request is counted here; none is retried or left out.', '', ...lines];
  const answered = run.scenarios.reduce((sum, r) => sum + r.requests, 0);
  const warm = run.scenarios.reduce((sum, r) => sum + r.warmupRequests, 0);
  return [`None: every one of the ${formatCount(answered)} timed requests (and the ${formatCount(warm)} warm-up ones) was answered HTTP 200, status ok, with a workout_id not given before in its run.`];
}

function formatKilobytes(bytes: number): string {
  return bytes >= 100_000 ? formatCount(Math.round(bytes / 1000)) : (bytes / 1000).toFixed(2);
}

function formatPerSecond(value: number | undefined): string {
  if (value === undefined || !Number.isFinite(value)) return '—';
  return value >= 100 ? Math.round(value).toLocaleString('en-US') : value.toPrecision(3);
}
