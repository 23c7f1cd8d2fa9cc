/**
 * The report as CSV, for a spreadsheet: ONE ROW PER WORKOUT. A club admin filters on `outcome`,
 * sorts by `start_time` and reads each workout's id on its own line; a file holding several
 * workouts (an archive, a multisport FIT) gives one row per workout, each repeating `file`. A
 * file without workouts (failed before any was read, waiting, an archive entry that failed or
 * was skipped) still gets one row, so every input file appears at least once.
 *
 * | column                    | value                                                                                       |
 * | ------------------------- | ------------------------------------------------------------------------------------------- |
 * | `file`                    | the path as given                                                                           |
 * | `entry`                   | the member of an archive (`ride.fit` of `club.zip`); empty for a plain file                 |
 * | `file_outcome`            | the file's outcome (`imported`, `partial`, `duplicate`, `failed`, `waiting`, `would-…`)     |
 * | `outcome`                 | this row's: the workout's (`uploaded`, `already-uploaded`, `duplicate`, `failed`, `skipped`, `would-…`), or the file's on a file-only row |
 * | `workout_id`              | the Optimo Sport workout id, when uploaded or found uploaded                               |
 * | `start_time`              | ISO 8601 UTC                                                                                |
 * | `sport`                   | the model's sport                                                                           |
 * | `requests`                | requests this row cost (would cost); a file's requests tied to no workout go on its first row, so the column sums to the total |
 * | `reason`                  | why it failed, was skipped, waits or is a duplicate                                         |
 * | `code`                    | the error code of a failure                                                                 |
 * | `duplicate_of`            | the file (and `!entry` of an archive) a duplicate duplicates                                |
 * | `duplicate_of_workout_id` | the workout already holding a duplicate's data, when known                                  |
 * | `fingerprint`             | start second and elapsed seconds, `2026-10-03T06:30:00Z/3720`                               |
 * | `external_id`             | the `external_id` sent to Optimo Sport                                                      |
 * | `job_id`                  | the file's import job                                                                       |
 *
 * RFC 4180: CRLF line ends, a header row, fields holding a comma, a double quote, CR or LF are
 * quoted with inner quotes doubled. UTF-8 with a byte-order mark, so that Excel reads accented
 * names right (LibreOffice and scripts skip it). A cell starting with `=`, `+`, `-`, `@`, a tab
 * or a CR gets a leading `'` so that no spreadsheet runs it as a formula (CSV injection: file
 * names and reasons come from outside).
 */
import type { MigrationReport, ReportDuplicateOf, ReportEntry, ReportFile } from './report.js';

export const CSV_COLUMNS = [
  'file',
  'entry',
  'file_outcome',
  'outcome',
  'workout_id',
  'start_time',
  'sport',
  'requests',
  'reason',
  'code',
  'duplicate_of',
  'duplicate_of_workout_id',
  'fingerprint',
  'external_id',
  'job_id',
] as const;

export type CsvColumn = (typeof CSV_COLUMNS)[number];

const BOM = '\uFEFF';
const EOL = '\r\n';

/** The CSV text of a report (BOM, header, one row per workout). */
export function toReportCsv(report: MigrationReport): string {
  const lines = [CSV_COLUMNS.map(csvCell).join(',')];
  for (const file of report.files) for (const row of csvRowsOf(file)) lines.push(CSV_COLUMNS.map((c) => csvCell(row[c])).join(','));
  return BOM + lines.join(EOL) + EOL;
}

/** The header line (without BOM and line end): how an existing report CSV is recognised. */
export const CSV_HEADER = CSV_COLUMNS.join(',');

export type CsvRow = Partial<Record<CsvColumn, string | number>>;

/** The rows of one file, as values before quoting. */
export function csvRowsOf(file: ReportFile): CsvRow[] {
  const base: CsvRow = { file: file.file, file_outcome: file.outcome, job_id: file.jobId };
  if (file.entries.length === 0) {
    return [
      {
        ...base,
        outcome: file.outcome,
        workout_id: file.workoutIds.join(';') || undefined,
        requests: file.requests,
        reason: file.reason,
        code: file.code,
        ...duplicateColumns(file.duplicateOf),
      },
    ];
  }
  const attributed = file.entries.reduce((sum, e) => sum + e.requests, 0);
  const rest = Math.max(0, file.requests - attributed);
  return file.entries.map((entry, i) => ({
    ...base,
    entry: memberOf(entry.entry, file),
    outcome: entry.outcome,
    workout_id: entry.workoutId,
    start_time: entry.startTime,
    sport: entry.sport,
    requests: entry.requests + (i === 0 ? rest : 0),
    reason: entry.reason,
    code: entry.code,
    ...duplicateColumns(entry.duplicateOf),
    fingerprint: entry.fingerprint,
    external_id: entry.externalId,
  }));
}

function duplicateColumns(dup: ReportDuplicateOf | undefined): CsvRow {
  if (!dup) return {};
  const member = dup.entry === undefined ? undefined : memberOf(dup.entry, { file: dup.file ?? dup.fileName, fileName: dup.fileName });
  return { duplicate_of: `${dup.file ?? dup.fileName}${member ? `!${member}` : ''}`, duplicate_of_workout_id: dup.workoutId };
}

/** `club.zip!ride.fit` → `ride.fit`; a plain file's entry (its own name, or the name inside a .gz) → ''. */
function memberOf(entry: ReportEntry['entry'], file: Pick<ReportFile, 'file' | 'fileName'>): string {
  for (const prefix of [file.fileName, file.file]) if (entry.startsWith(`${prefix}!`)) return entry.slice(prefix.length + 1);
  return '';
}

/** One cell: formula-guarded, then quoted when RFC 4180 requires it. */
export function csvCell(value: string | number | undefined): string {
  if (value === undefined) return '';
  let text = String(value);
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}
