/**
 * The lines the terminal shows at the end of a run (or a dry run, or an interruption): the counts,
 * the requests and then the files that need attention, the first `maxListed` of them.
 */
import type { MigrationReport, ReportFile } from './report.js';

export interface SummaryOptions {
  /** Failed and partial files listed by name; the rest are counted. Default 20. */
  maxListed?: number;
}

const count = new Intl.NumberFormat('en-US');

/** `1 file`, `20,000 files`. */
export function plural(n: number, one: string, many = `${one}s`): string {
  return `${count.format(n)} ${n === 1 ? one : many}`;
}

/** The summary, one line per string, without line ends. */
export function formatSummary(report: MigrationReport, options: SummaryOptions = {}): string[] {
  const maxListed = options.maxListed ?? 20;
  const t = report.totals;
  const who = `athlete ${report.athleteId}${report.account === undefined ? '' : ` (account ${report.account})`}`;
  const lines: string[] = [];
  if (report.dryRun) {
    lines.push(`Dry run of migration ${report.migration} for ${who}: nothing was sent, no quota used`);
    lines.push(
      `${plural(t.files, 'file')}: ${count.format(t.imported)} would be imported, ${plural(t.duplicate, 'duplicate')}, ${count.format(t.partial)} partial, ${count.format(t.failed)} would fail`,
    );
    const days = t.quotaDays === undefined || t.dailyLimit === undefined ? '' : `: ${t.quotaDays} ${t.quotaDays === 1 ? 'day' : 'days'} of quota at ${count.format(t.dailyLimit)} a day`;
    lines.push(`${plural(t.workouts, 'workout')} to upload, ${plural(t.requests, 'request')}${days}`);
  } else {
    const state = report.interruptedAt !== undefined ? `interrupted at ${report.interruptedAt}` : report.complete ? 'complete' : 'stopped';
    lines.push(`Migration ${report.migration} for ${who}: ${state}`);
    lines.push(
      `${plural(t.files, 'file')}: ${count.format(t.imported)} imported, ${plural(t.duplicate, 'duplicate')}, ${count.format(t.partial)} partial, ${count.format(t.failed)} failed, ${count.format(t.waiting)} waiting`,
    );
    lines.push(`${plural(t.workouts, 'workout')} in Optimo Sport, ${plural(t.requests, 'request')} used`);
    if (!report.complete) lines.push(`${plural(t.waiting, 'file')} still to do: run the same command again to go on where this run stopped`);
  }
  const attention = report.files.filter((f) => f.outcome === 'failed' || f.outcome === 'would-fail' || f.outcome === 'partial');
  if (attention.length > 0) {
    lines.push(report.dryRun ? 'Files that would fail (in part or in full):' : 'Files that failed (in part or in full):');
    for (const file of attention.slice(0, maxListed)) lines.push(`  ${describeFailure(file)}`);
    if (attention.length > maxListed) lines.push(`  … and ${count.format(attention.length - maxListed)} more (see the report)`);
  }
  return lines;
}

function describeFailure(file: ReportFile): string {
  const why = [file.code, file.reason].filter((x) => x !== undefined).join(': ');
  return `${file.outcome}  ${file.file}${why ? `  ${why}` : ''}`;
}
