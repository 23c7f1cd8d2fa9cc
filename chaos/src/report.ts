/**
 * A campaign's report as text: the run, the disruptions as they happened, the faults injected,
 * then one line per invariant (value, what it must be, ok) with what broke it underneath.
 */
import type { CampaignReport } from './campaign.js';
import type { Check } from './invariants.js';

function pad(text: string, width: number): string {
  return text.length >= width ? text : text + ' '.repeat(width - text.length);
}

export function formatChecks(checks: readonly Check[]): string[] {
  const width = Math.max(...checks.map((check) => check.label.length), 10);
  const lines = [`  ${pad('invariant', width)}  ${pad('value', 6)}  ${pad('must', 5)}  ok`];
  for (const check of checks) {
    const verdict = check.ok === undefined ? '' : check.ok ? 'ok' : 'BROKEN';
    lines.push(`  ${pad(check.label, width)}  ${pad(String(check.value), 6)}  ${pad(check.must, 5)}  ${pad(verdict, 6)}${check.note === undefined ? '' : `  ${check.note}`}`);
    for (const detail of check.ok === false ? check.detail : []) lines.push(`      - ${detail}`);
  }
  return lines;
}

export function formatCampaign(report: CampaignReport): string[] {
  const { options } = report;
  const lines = [
    `chaos campaign, seed ${report.seed}: ${report.ok ? 'every invariant held' : 'AN INVARIANT BROKE'}`,
    `  reproduce: ${report.command}`,
    `  ${options.files} files (${Object.entries(report.files).map(([kind, count]) => `${count} ${kind}`).join(', ')}; ${report.rides} rides), ${options.workers} workers × ${options.concurrency}, ` +
      `quota ${options.quota} a ${options.daySeconds} s day (importer ${options.importerQuota}), ${options.seconds} s of disruptions, ` +
      `${report.drained ? `drained ${report.drainSeconds} s later` : `NOT drained within ${options.drainSeconds} s`}, ${report.durationSeconds} s in all`,
    `  faults injected: ${Object.entries(report.faults).map(([kind, count]) => `${kind} ${count}`).join(', ')}; requests: ${report.requests.server} at the server, ${report.requests.importer} from the importer (${report.requests.answered401} answered 401, ${report.requests.answered429} answered 429); ${report.processes.restarts} worker restart(s)${report.processes.failedStarts === 0 ? '' : ` (+${report.processes.failedStarts} start(s) refused while Redis was down, tried again)`}`,
    '  disruptions:',
    ...report.disruptions.map((record) => `    +${(record.startedAt / 1000).toFixed(1)}s  ${record.what}: ${record.outcome}`),
    ...formatChecks(report.checks),
  ];
  if (report.dir !== undefined) lines.push(`  run folder kept: ${report.dir}`);
  return lines;
}
