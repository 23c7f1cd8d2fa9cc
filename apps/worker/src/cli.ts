import { parseArgs } from 'node:util';
import { isValidTimeZone } from '@optimo-import/parsers';
import { configCommand } from './config-command.js';
import { inspectPaths } from './inspect.js';
import { mapFile } from './map-command.js';

const USAGE = `Usage: optimo-import <command> [options]

Commands:
  inspect [--json] [--time-zone ZONE] <file|folder>...
      Parse FIT, TCX and GPX files (also .gz and .zip of them) and show what would be
      imported, or why not. Folders are walked recursively.
      --json            one JSON object per input file per line
      --time-zone ZONE  IANA zone for files that record naive local time, and to show local times

  map [--athlete ID] [--time-zone ZONE] <file>
      Print the request XML that would be sent to Optimo Sport for each workout in the file
      (workout.create, and workout.samples.add for workouts over 10 MiB), and the request
      count. Sends nothing.
      --athlete ID      the athlete the workouts belong to (a placeholder when not given)
      --time-zone ZONE  the account's IANA zone, for the local date-times (default UTC)

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

Exit codes: 0 all files parsed, 1 some file failed, 2 usage error.
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
  io.err(`optimo-import: unknown command "${command}"\n\n${USAGE}`);
  return 2;
}

async function inspectCommand(args: readonly string[], io: CliIo): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...args],
      allowPositionals: true,
      options: { json: { type: 'boolean', default: false }, 'time-zone': { type: 'string' }, help: { type: 'boolean', short: 'h' } },
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
  const { exitCode } = await inspectPaths(parsed.positionals, { json: parsed.values.json ?? false, timeZone, write: io.out });
  return exitCode;
}

async function mapCommand(args: readonly string[], io: CliIo): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...args],
      allowPositionals: true,
      options: { athlete: { type: 'string' }, 'time-zone': { type: 'string' }, help: { type: 'boolean', short: 'h' } },
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
  return mapFile(parsed.positionals[0] as string, { athleteId: athlete, timeZone, out: io.out, err: io.err });
}
