import { parseArgs } from 'node:util';
import { isValidTimeZone } from '@optimo-import/parsers';
import { migrateCommand } from './commands/migrate-command.js';
import { watchCommand } from './commands/watch-command.js';
import { workCommand } from './commands/work-command.js';
import { configCommand } from './config-command.js';
import { readCsvMappingFile } from './csv-mapping.js';
import type { CsvMappingFile } from './csv-mapping.js';
import { inspectPaths } from './inspect.js';
import { mapFile } from './map-command.js';
import { statusCommand } from './status/status-command.js';

const USAGE = `Usage: optimo-import <command> [options]

Commands:
  inspect [--json] [--time-zone ZONE] [--csv-mapping FILE] <file|folder>...
      Parse workout files and show what would be imported, or why not: FIT, TCX, GPX, Polar HRM
      (with the .gpx and .pdd day file ProTrainer writes beside it), Polar XML, Polar Flow JSON,
      Polar Flow CSV, PWX and spreadsheet CSV, also .gz and .zip of them. A file of other
      software (Suunto, SportTracks, TomTom, SRM, Excel, …) is named, with how to export one
      this tool reads. Folders are walked recursively.
      --json            one JSON object per input file per line
      --time-zone ZONE  IANA zone for files that record naive local time (default: this
                        machine's zone), and to show local times
      --csv-mapping F   a CSV column mapping (JSON; see packages/parsers/src/csv/README.md)
                        for spreadsheet CSVs the detection cannot read

  map [--athlete ID] [--time-zone ZONE] [--csv-mapping FILE] <file>
      Print the request XML that would be sent to Optimo Sport for each workout in the file
      (workout.create, and workout.samples.add for workouts over 10 MiB), and the request
      count. Sends nothing.
      --athlete ID      the athlete the workouts belong to (a placeholder when not given)
      --time-zone ZONE  the account's IANA zone, for the local date-times and files that
                        record naive local time (default UTC)
      --csv-mapping F   a CSV column mapping, as for inspect

  migrate <file|folder|zip>... --athlete ID [--dry-run] [--report FILE] [--time-zone ZONE]
          [--csv-mapping FILE] [--no-work] [--concurrency N] [--sandbox] [--state-dir DIR]
          [config flags]
      Import a batch of files for one athlete: each file once (the same bytes are one job), the
      same ride in two files (FIT and TCX) once, reported as a duplicate. With a Redis URL
      (REDIS_URL, --redis-url or the config file) the files go to the shared queue and this
      process works them as one more worker; without one everything runs in this process
      (the embedded mode, state in --state-dir, default ./.optimo-import). A live progress bar
      shows files done, failed and waiting, the quota used today and the time left. Ctrl-C, or
      a crash, and the same command again go on where the first run stopped. The report (JSON
      and CSV: every file, its outcome, workout ids, requests, reason) is written at the end
      and when interrupted.
      --athlete ID      the athlete the workouts belong to (required)
      --dry-run         parse everything and report what would be sent, what fails and the
                        requests it would cost; sends nothing, needs no account
      --report FILE     where the report goes (FILE.json and FILE.csv); default
                        ./optimo-import-report-<migration>.json and .csv
      --time-zone ZONE  IANA zone for files that record naive local times (default: the
                        account's)
      --csv-mapping F   a CSV column mapping, carried by every job; files that failed to parse
                        in an earlier run are read again with it
      --no-work         queue only; the "work" processes do the work (this one follows it)
      --concurrency N   files uploaded at once by this process (default 4 queue, 2 embedded)
      --sandbox         start a local Optimo Sport sandbox in this process and import into it
                        (a safe try: nothing leaves the machine)

  watch <folder> [--athlete ID | --map FILE] [--once] [--no-work] [--concurrency N]
        [--time-zone ZONE] [--csv-mapping FILE] [--sandbox] [--state-dir DIR] [--json]
        [config flags]
      Import files dropped into the folder (partial copies are waited for; files already there
      are found at start). A file in <folder>/<sub>/ belongs to athlete <sub>, unless --athlete
      gives one for all or --map FILE ({"<sub>": "<athleteId>"}) maps the subfolders. A success
      moves the file to <folder>/done/, a failure to <folder>/failed/ with <name>.error.json
      beside it; zips and .gz are imported entry by entry; nothing is ever deleted. A Polar
      x.gpx beside x.hrm is merged into it (and moved to done/ as a duplicate); .pdd day files
      are read by the .hrm jobs and stay in place.
      --once            import what is there now and exit (for cron)
      --csv-mapping F   a CSV column mapping, carried by every job

  work [--concurrency N] [--metrics-port PORT] [--metrics-host HOST] [--lock-ms MS] [--json]
       [config flags]
      Run a worker on the shared Redis queue. Any number of worker processes on any number of
      machines may share one Redis: they share the queue, each account's quota and the ledger.
      SIGTERM or SIGINT: stop taking jobs, finish the ones in flight, exit 0.
      --concurrency N   jobs at once (default 4)
      --metrics-port P  serve /metrics (Prometheus) and /healthz on 127.0.0.1:P
      --lock-ms MS      how long a job stays locked to a worker that stopped answering before
                        another takes it over (default 30000)

  status [--json] [config flags]
      Jobs waiting, active, delayed, failed (with reasons) and done; each account's quota used
      and left today; the estimated finish of running migrations.

  config [--check] [--json] [--config FILE] [--account NAME] [--endpoint URL] [--token-file FILE]
         [--ca-file FILE] [--time-zone ZONE] [--redis-url URL]
      Print the resolved configuration (defaults < config file < environment < flags) with
      secrets hidden, and where each value came from. The environment variables OPTIMO_ENDPOINT,
      OPTIMO_TOKEN or OPTIMO_TOKEN_FILE, OPTIMO_CA_FILE, OPTIMO_TIME_ZONE set the account
      "default"; REDIS_URL the queue; OPTIMO_CONFIG names the config file (else ./optimo-import.json).
      --check           also call staff.current and system.current for each account: the token,
                        the staff member, the account's time zone, requests used and left today
      --json            one JSON object instead of text
      --account NAME    the account the other flags set, and the only one used (default "default")
      There is no --token flag: give the token in OPTIMO_TOKEN or in a file.

Config flags (work, watch, migrate, status, config): --config FILE, --account NAME, --endpoint URL,
  --token-file FILE, --ca-file FILE, --time-zone ZONE, --redis-url URL.

Time: FIT, TCX and GPX carry UTC; Polar HRM, Polar XML, Polar Flow CSV, PWX and CSV record
  local wall-clock time, read in --time-zone (inspect, map), the account's zone (migrate, watch,
  work), else this machine's zone (with a zone-assumed warning).

Exit codes: 0 all files parsed, 1 some file failed, 2 usage error.
  migrate: 0 every file imported or a duplicate, 1 some file failed, 2 usage or config error,
           130 interrupted (run it again to go on).
  config: 0 ok, 1 an account failed its check, 2 usage or config error.
`;

export interface CliIo {
  out: (line: string) => void;
  err: (line: string) => void;
}

const defaultIo: CliIo = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
};

/** Runs the command line; returns the exit code (the bin sets it). */
export async function main(argv: readonly string[], io: CliIo = defaultIo): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
    (command === undefined ? io.err : io.out)(USAGE);
    return command === undefined ? 2 : 0;
  }
  if (command === 'inspect') return inspectCommand(rest, io);
  if (command === 'map') return mapCommand(rest, io);
  if (command === 'config') return configCommand(rest, io, { usage: USAGE });
  if (command === 'migrate') return migrateCommand(rest, io, { usage: USAGE });
  if (command === 'watch') return watchCommand(rest, io, { usage: USAGE });
  if (command === 'work') return workCommand(rest, io, { usage: USAGE });
  if (command === 'status') return statusCommand(rest, io, { usage: USAGE });
  io.err(`optimo-import: unknown command "${command}"\n\n${USAGE}`);
  return 2;
}

async function inspectCommand(args: readonly string[], io: CliIo): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...args],
      allowPositionals: true,
      options: { json: { type: 'boolean', default: false }, 'time-zone': { type: 'string' }, 'csv-mapping': { type: 'string' }, help: { type: 'boolean', short: 'h' } },
    });
  } catch (error) {
    io.err(`optimo-import inspect: ${(error as Error).message}\n\n${USAGE}`);
    return 2;
  }
  if (parsed.values.help) {
    io.out(USAGE);
    return 0;
  }
  const timeZone = parsed.values['time-zone'];
  if (timeZone !== undefined && !isValidTimeZone(timeZone)) {
    io.err(`optimo-import inspect: --time-zone: unknown time zone "${timeZone}" (use an IANA name such as Europe/Lisbon)`);
    return 2;
  }
  if (parsed.positionals.length === 0) {
    io.err(`optimo-import inspect: give at least one file or folder\n\n${USAGE}`);
    return 2;
  }
  const mapping = await readMappingFlag(parsed.values['csv-mapping'], 'inspect', io);
  if (mapping === 'usage') return 2;
  const { exitCode } = await inspectPaths(parsed.positionals, { json: parsed.values.json ?? false, timeZone, ...(mapping === undefined ? {} : { csvMapping: mapping.mapping }), write: io.out });
  return exitCode;
}

async function mapCommand(args: readonly string[], io: CliIo): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...args],
      allowPositionals: true,
      options: { athlete: { type: 'string' }, 'time-zone': { type: 'string' }, 'csv-mapping': { type: 'string' }, help: { type: 'boolean', short: 'h' } },
    });
  } catch (error) {
    io.err(`optimo-import map: ${(error as Error).message}\n\n${USAGE}`);
    return 2;
  }
  if (parsed.values.help) {
    io.out(USAGE);
    return 0;
  }
  const timeZone = parsed.values['time-zone'] ?? 'UTC';
  if (!isValidTimeZone(timeZone)) {
    io.err(`optimo-import map: --time-zone: unknown time zone "${timeZone}" (use an IANA name such as Europe/Lisbon)`);
    return 2;
  }
  const athlete = parsed.values.athlete;
  if (athlete !== undefined && athlete.trim() === '') {
    io.err('optimo-import map: --athlete: give the athlete id');
    return 2;
  }
  if (parsed.positionals.length !== 1) {
    io.err(`optimo-import map: give exactly one file\n\n${USAGE}`);
    return 2;
  }
  const mapping = await readMappingFlag(parsed.values['csv-mapping'], 'map', io);
  if (mapping === 'usage') return 2;
  return mapFile(parsed.positionals[0] as string, { athleteId: athlete, timeZone, ...(mapping === undefined ? {} : { csvMapping: mapping.mapping }), out: io.out, err: io.err });
}

/** `--csv-mapping FILE` read and checked; `usage` (said on stderr) when it cannot be. */
async function readMappingFlag(path: string | undefined, command: string, io: CliIo): Promise<CsvMappingFile | undefined | 'usage'> {
  if (path === undefined) return undefined;
  try {
    return await readCsvMappingFile(path);
  } catch (error) {
    io.err(`optimo-import ${command}: --csv-mapping: ${(error as Error).message}`);
    return 'usage';
  }
}
