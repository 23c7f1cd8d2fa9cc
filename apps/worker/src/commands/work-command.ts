/**
 * `optimo-import work [--concurrency N] [--metrics-port PORT] [--lock-ms MS] [--json] [config flags]`: one worker
 * process on the shared Redis. Any number of them, on any number of machines, share the queue,
 * the quota and the ledger. SIGTERM or SIGINT: stop taking jobs, finish the ones in flight, exit
 * 0; a second signal abandons them (another worker takes them over and reconciles them).
 */
import { parseArgs } from 'node:util';
import type { CliIo } from '../cli.js';
import { CONFIG_FLAG_OPTIONS, readProcessContext } from '../config.js';
import type { ResolveConfigOptions } from '../config.js';
import { createQueuePipeline } from '../jobs/pipeline.js';
import { createImportWorker } from '../jobs/queue-worker.js';
import type { ImportWorkerHooks } from '../jobs/queue-worker.js';
import { printable } from '../printable.js';
import { describeResult } from './describe-result.js';
import { openRunContext, RunSetupError } from './run-context.js';
import { listenForStop, untilAborted } from './signals.js';
import { startWorkerMetrics } from './worker-metrics.js';

export interface WorkCommandOptions {
  usage: string;
  context?: Pick<ResolveConfigOptions, 'env' | 'cwd'>;
  /** Stops the worker as SIGTERM does (tests). */
  signal?: AbortSignal;
}

function wholeNumber(text: string | undefined, name: string, min: number, max: number): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (!Number.isInteger(value) || value < min || value > max) throw new RunSetupError(`${name} must be a whole number from ${min} to ${max}, got ${JSON.stringify(text)}`, 2);
  return value;
}

export async function workCommand(args: readonly string[], io: CliIo, options: WorkCommandOptions): Promise<number> {
  const prefix = 'optimo-import work';
  let parsed;
  try {
    parsed = parseArgs({
      args: [...args],
      allowPositionals: false,
      options: {
        concurrency: { type: 'string' },
        'metrics-port': { type: 'string' },
        'metrics-host': { type: 'string' },
        'lock-ms': { type: 'string' },
        json: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h' },
        ...CONFIG_FLAG_OPTIONS,
      },
    });
  } catch (error) {
    io.err(`${prefix}: ${(error as Error).message}\n\n${options.usage}`);
    return 2;
  }
  if (parsed.values.help) {
    io.out(options.usage);
    return 0;
  }
  const json = parsed.values.json === true;
  // Text lines name files, which come from outside: printed with control characters escaped (printable.ts).
  const say = (line: Record<string, unknown>, text: string): void => (json ? io.out(JSON.stringify({ time: new Date().toISOString(), ...line })) : io.out(printable(text)));

  let run;
  let concurrency: number;
  let metricsPort: number | undefined;
  let lockMs: number | undefined;
  try {
    concurrency = wholeNumber(parsed.values.concurrency, '--concurrency', 1, 64) ?? 4;
    metricsPort = wholeNumber(parsed.values['metrics-port'], '--metrics-port', 0, 65_535);
    lockMs = wholeNumber(parsed.values['lock-ms'], '--lock-ms', 1000, 600_000);
    run = await openRunContext({ values: parsed.values, context: options.context ?? readProcessContext(), want: 'queue' });
  } catch (error) {
    if (!(error instanceof RunSetupError)) throw error;
    io.err(`${prefix}: ${error.message}`);
    return error.exitCode;
  }
  const redis = run.redis;
  if (redis === undefined) throw new Error('queue mode without Redis');

  const stopping = listenForStop((name, count) => {
    if (count === 1) say({ event: 'stopping', signal: name }, `${name}: no new jobs; finishing the ones in flight (again to abandon them)`);
  }, options.signal);
  const metrics = await startWorkerMetrics({ redis, port: metricsPort, host: parsed.values['metrics-host'] ?? '127.0.0.1' });
  const pipeline = createQueuePipeline(redis, {
    accounts: run.accounts,
    ...(run.daySeconds === undefined ? {} : { daySeconds: run.daySeconds }),
    ...(run.tokenHoldMs === undefined ? {} : { tokenHoldMs: run.tokenHoldMs }),
    onEntry: (entry, account) => metrics.entry(entry, account),
  });
  metrics.setQuotaSource(() => pipeline.accounts.quota());
  const hooks: ImportWorkerHooks = {
    onResult: (result, durationMs) => {
      metrics.result(result, durationMs);
      say({ event: 'result', jobId: result.jobId, outcome: result.outcome, file: result.fileName, workoutIds: result.workoutIds, requests: result.requests, reason: result.reason, code: result.code }, describeResult(result));
    },
    onSetback: (code) => metrics.setback(code),
    onLog: (line) => say(line, `${String(line.event)}: ${String(line.reason ?? '')}${line.until === undefined ? '' : ` (until ${String(line.until)})`}`),
  };
  const worker = createImportWorker({
    connection: redis,
    deps: pipeline.deps,
    concurrency,
    hooks,
    ...(lockMs === undefined ? {} : { lockDurationMs: lockMs, stalledIntervalMs: Math.max(500, Math.floor(lockMs / 2)) }),
  });
  say(
    { event: 'ready', concurrency, accounts: run.accounts.map((account) => account.name), redis: run.config.redis.shown, metrics: metrics.url },
    `worker ready: ${concurrency} job(s) at once, accounts ${run.accounts.map((account) => account.name).join(', ')}, Redis ${run.config.redis.shown}${metrics.url === undefined ? '' : `, metrics ${metrics.url}/metrics`}`,
  );

  await untilAborted(stopping.stop);
  const forced = untilAborted(stopping.force).then(() => worker.close(true));
  await Promise.race([worker.close(false), forced]);
  await metrics.close();
  await pipeline.close();
  await run.close();
  stopping.dispose();
  say({ event: 'stopped' }, 'worker stopped');
  return 0;
}
