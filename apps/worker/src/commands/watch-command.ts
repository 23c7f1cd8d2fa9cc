/**
 * `optimo-import watch <folder> [--athlete ID | --map FILE] [--once] [--no-work] [--concurrency N]
 * [--time-zone ZONE] [--csv-mapping FILE] [--sandbox] [--state-dir DIR] [--json] [config flags]`.
 */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { isValidTimeZone } from '@optimo-import/parsers';
import type { CliIo } from '../cli.js';
import { CONFIG_FLAG_OPTIONS, readProcessContext } from '../config.js';
import type { ResolveConfigOptions } from '../config.js';
import { readCsvMappingFile } from '../csv-mapping.js';
import type { CsvMappingFile } from '../csv-mapping.js';
import { readAthleteMap } from '../watch/athlete-map.js';
import type { AthleteMap } from '../watch/athlete-map.js';
import { importFolderOnce, watchFolder } from '../watch/watch-folder.js';
import type { WatchEvent } from '../watch/watch-events.js';
import { isWatchError } from '../watch/watch-error.js';
import { printable } from '../printable.js';
import { startLocalWork } from './local-work.js';
import { openRunContext, RunSetupError } from './run-context.js';
import { listenForStop, untilAborted } from './signals.js';

export interface WatchCommandOptions {
  usage: string;
  context?: Pick<ResolveConfigOptions, 'env' | 'cwd'>;
  signal?: AbortSignal;
}

function describeEvent(event: WatchEvent): string | undefined {
  switch (event.type) {
    case 'ready':
      return `watching ${event.folder} (${event.pending} file(s) already there)`;
    case 'queued':
      return `queued ${event.file} for athlete ${event.athleteId}${event.added ? '' : ' (already known)'}`;
    case 'imported':
      return event.outcome === 'duplicate' ? `duplicate ${event.file}: already imported` : `imported ${event.file} → workout ${event.workoutIds.join(', ')}`;
    case 'failed':
      return `${event.outcome === 'partial' ? 'partly failed' : 'failed'} ${event.file}: ${event.reason} [${event.code}]`;
    case 'moved':
      return `moved ${event.file} → ${event.to}`;
    case 'runner-error':
      return `cannot queue ${event.file} now (${event.message}); trying again${event.retryInMs === undefined ? ' at the next run' : ` in ${Math.round(event.retryInMs / 1000)} s`}`;
    case 'error':
      return `error${event.file === undefined ? '' : ` ${event.file}`}: ${event.message}`;
    default:
      return undefined;
  }
}

export async function watchCommand(args: readonly string[], io: CliIo, options: WatchCommandOptions): Promise<number> {
  const prefix = 'optimo-import watch';
  let parsed;
  try {
    parsed = parseArgs({
      args: [...args],
      allowPositionals: true,
      options: {
        athlete: { type: 'string' },
        map: { type: 'string' },
        'csv-mapping': { type: 'string' },
        once: { type: 'boolean', default: false },
        'no-work': { type: 'boolean', default: false },
        concurrency: { type: 'string' },
        sandbox: { type: 'boolean', default: false },
        'state-dir': { type: 'string' },
        json: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h' },
        ...CONFIG_FLAG_OPTIONS,
      },
    });
  } catch (error) {
    io.err(`${prefix}: ${(error as Error).message}\n\n${options.usage}`);
    return 2;
  }
  const values = parsed.values;
  if (values.help) {
    io.out(options.usage);
    return 0;
  }
  if (parsed.positionals.length !== 1) {
    io.err(`${prefix}: give exactly one folder to watch\n\n${options.usage}`);
    return 2;
  }
  const timeZone = values['time-zone'];
  if (timeZone !== undefined && !isValidTimeZone(timeZone)) {
    io.err(`${prefix}: --time-zone: unknown time zone "${timeZone}" (use an IANA name such as Europe/Lisbon)`);
    return 2;
  }
  if (values.athlete !== undefined && values.athlete.trim() === '') {
    io.err(`${prefix}: --athlete: give the athlete id`);
    return 2;
  }
  const concurrency = values.concurrency === undefined ? undefined : Number(values.concurrency);
  if (concurrency !== undefined && (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 64)) {
    io.err(`${prefix}: --concurrency must be a whole number from 1 to 64`);
    return 2;
  }
  const context = options.context ?? readProcessContext();
  let athleteMap: AthleteMap | undefined;
  if (values.map !== undefined) {
    try {
      athleteMap = await readAthleteMap(values.map);
    } catch (error) {
      io.err(`${prefix}: ${(error as Error).message}`);
      return 2;
    }
  }
  let csvMapping: CsvMappingFile | undefined;
  if (values['csv-mapping'] !== undefined) {
    try {
      csvMapping = await readCsvMappingFile(resolve(context.cwd, values['csv-mapping']));
    } catch (error) {
      io.err(`${prefix}: --csv-mapping: ${(error as Error).message}`);
      return 2;
    }
  }
  let run;
  try {
    run = await openRunContext({ values, context, want: 'auto', sandbox: values.sandbox === true, ...(values['state-dir'] === undefined ? {} : { stateDir: values['state-dir'] }) });
  } catch (error) {
    if (!(error instanceof RunSetupError)) throw error;
    io.err(`${prefix}: ${error.message}`);
    return error.exitCode;
  }
  const account = run.accounts[0]?.name;
  if (account === undefined || run.accounts.length > 1) {
    await run.close();
    io.err(`${prefix}: ${account === undefined ? 'no account is configured' : `several accounts are configured (${run.accounts.map((a) => a.name).join(', ')}): choose one with --account NAME`}`);
    return 2;
  }
  const json = values.json === true;
  const onEvent = (event: WatchEvent): void => {
    if (json) {
      const { error: _error, result: _result, ...rest } = event as WatchEvent & { error?: unknown; result?: unknown };
      io.out(JSON.stringify({ time: new Date().toISOString(), ...rest }));
      return;
    }
    const text = describeEvent(event);
    if (text !== undefined) io.out(printable(text)); // file names come from outside: no forged lines, no terminal escapes
  };
  const work = await startLocalWork(run, { work: values['no-work'] !== true, ...(concurrency === undefined ? {} : { concurrency }) });
  const stopping = listenForStop((name, count) => {
    if (count === 1 && !json) io.out(`${name}: stopping; files not finished stay in the folder`);
  }, options.signal);
  const watchOptions = {
    folder: parsed.positionals[0] as string,
    runner: work.runner,
    account,
    ...(values.athlete === undefined ? {} : { athleteId: values.athlete.trim() }),
    ...(athleteMap === undefined ? {} : { athleteMap }),
    ...(timeZone === undefined ? {} : { timeZone }),
    ...(csvMapping === undefined ? {} : { csvMapping: csvMapping.json }),
    signal: stopping.stop,
    onEvent,
  };
  let code = 0;
  try {
    if (values.once === true) {
      const summary = await importFolderOnce(watchOptions);
      io.out(json ? JSON.stringify({ event: 'summary', ...summary }) : `done: ${summary.done} imported, ${summary.failed} failed, ${summary.left} left for the next run`);
      code = summary.failed > 0 ? 1 : 0;
    } else {
      const watcher = await watchFolder(watchOptions);
      await watcher.ready;
      if (run.sandboxPage !== undefined && !json) io.out(`sandbox: ${run.sandboxPage}`);
      await untilAborted(stopping.stop);
      await watcher.close();
    }
  } catch (error) {
    if (!isWatchError(error)) throw error;
    io.err(`${prefix}: ${error.message}`);
    code = 2;
  } finally {
    await work.close(stopping.force.aborted);
    await run.close();
    stopping.dispose();
  }
  return code;
}
