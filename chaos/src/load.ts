/**
 * `pnpm chaos --load`: one `work` process and the sandbox under a sustained stream of submissions
 * from another process (load-submitter.ts, through `createImportClient`) for a bounded time.
 * Sampled every second: files settled (the worker's result lines), the worker's RSS
 * (/proc/<pid>/status) and V8 heap (its `--metrics-port` endpoint). Judged after a warm-up:
 *
 * - throughput held: the mean of the last quarter of intervals against the first quarter's;
 * - memory flat: the least-squares slope of RSS, and the slope of the heap's floor (its lowest
 *   value in the first and in the second half, i.e. after collections), in MB per minute;
 * - cost held: the worker's CPU time per file (/proc/<pid>/stat), last quarter against first — the
 *   steadier measure on a shared machine, where wall-clock throughput moves with the neighbours;
 * - errors: none other than injected — every answer that is not 200 without an injected fault,
 *   every file not imported, every submitter error; with no faults injected, also every retry.
 */
import { readFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startSandbox } from '@optimo-import/sandbox';
import type { RequestLogEntry } from '@optimo-import/sandbox';
import { exitWithin, killAll, spawnChild } from './children.js';
import type { Child } from './children.js';
import type { Check } from './invariants.js';
import { resolveLoadOptions } from './options.js';
import type { LoadOptions, ResolvedLoadOptions } from './options.js';
import { startRedisServer } from './redis-server.js';
import { formatChecks } from './report.js';
import { sleep as sleepFor } from './sleep.js';

const WORKER_BIN = fileURLToPath(new URL('../../apps/worker/bin/optimo-import.js', import.meta.url));
const SUBMITTER = fileURLToPath(new URL('./load-submitter.ts', import.meta.url));
const CHAOS_DIR = fileURLToPath(new URL('..', import.meta.url));

export interface LoadSample {
  /** Seconds since the submissions began. */
  t: number;
  settled: number;
  rssMb: number | undefined;
  heapUsedMb: number | undefined;
  /** The worker's CPU time so far (user + system), ms. */
  workerCpuMs?: number | undefined;
  /** This process's CPU time so far (the sandbox runs here), ms. */
  sandboxCpuMs?: number | undefined;
  /** Redis `used_memory`, MB. */
  redisMb?: number | undefined;
}

export interface LoadInterval {
  /** Seconds since the submissions began, at the interval's end. */
  t: number;
  filesPerSecond: number;
  rssMb: number | undefined;
  /** The lowest heap used seen in the interval. */
  heapFloorMb: number | undefined;
  /** Worker CPU per file settled in the interval, ms. */
  workerCpuMsPerFile?: number | undefined;
  /** Sandbox (this process) CPU per file settled in the interval, ms. */
  sandboxCpuMsPerFile?: number | undefined;
  redisMb?: number | undefined;
}

export interface LoadReport {
  ok: boolean;
  seed: number;
  options: ResolvedLoadOptions;
  command: string;
  dir: string | undefined;
  durationSeconds: number;
  settled: number;
  submitted: number;
  intervals: LoadInterval[];
  throughput: { firstPerSecond: number; lastPerSecond: number; ratio: number; meanPerSecond: number };
  memory: { rssSlopeMbPerMinute: number; heapFloorSlopeMbPerMinute: number; rssFirstMb: number; rssLastMb: number; rssMaxMb: number };
  errors: { count: number; injectedFaults: number; samples: string[] };
  checks: Check[];
}

/** Least-squares slope of y over x. */
export function slope(points: ReadonlyArray<readonly [number, number]>): number {
  if (points.length < 2) return 0;
  const n = points.length;
  const mx = points.reduce((sum, [x]) => sum + x, 0) / n;
  const my = points.reduce((sum, [, y]) => sum + y, 0) / n;
  let num = 0;
  let den = 0;
  for (const [x, y] of points) {
    num += (x - mx) * (y - my);
    den += (x - mx) ** 2;
  }
  return den === 0 ? 0 : num / den;
}

async function rssMbOf(pid: number): Promise<number | undefined> {
  try {
    const match = /VmRSS:\s+(\d+)\s+kB/.exec(await readFile(`/proc/${pid}/status`, 'utf8'));
    return match?.[1] === undefined ? undefined : Number(match[1]) / 1024;
  } catch {
    return undefined;
  }
}

/** utime + stime of /proc/<pid>/stat, ms. */
async function cpuMsOf(pid: number): Promise<number | undefined> {
  try {
    const text = await readFile(`/proc/${pid}/stat`, 'utf8');
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    // After the command: state is field 3; utime and stime are fields 14 and 15 (clock ticks, 100 a second on Linux).
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return undefined;
  }
}

async function heapMbOf(metricsUrl: string | undefined): Promise<number | undefined> {
  if (metricsUrl === undefined) return undefined;
  try {
    const text = await (await fetch(`${metricsUrl}/metrics`, { signal: AbortSignal.timeout(2000) })).text();
    const match = /^nodejs_heap_size_used_bytes\s+([0-9.e+]+)/m.exec(text);
    return match?.[1] === undefined ? undefined : Number(match[1]) / 1024 / 1024;
  } catch {
    return undefined;
  }
}

function mean(values: readonly number[]): number {
  return values.length === 0 ? 0 : values.reduce((sum, value) => sum + value, 0) / values.length;
}

/** Turns samples into intervals and the judgement (pure: load.test.ts checks it on made-up samples). */
export function judgeLoad(samples: readonly LoadSample[], options: Pick<ResolvedLoadOptions, 'interval' | 'warmup' | 'minThroughputRatio' | 'maxRssSlope' | 'maxHeapSlope' | 'maxCpuGrowth' | 'seconds'>): {
  intervals: LoadInterval[];
  throughput: LoadReport['throughput'];
  memory: LoadReport['memory'];
  checks: Check[];
} {
  const intervals: LoadInterval[] = [];
  let previous = samples[0];
  let bucket: LoadSample[] = [];
  for (const sample of samples.slice(1)) {
    bucket.push(sample);
    if (previous !== undefined && sample.t - previous.t >= options.interval - 1e-9) {
      const heaps = bucket.map((item) => item.heapUsedMb).filter((value): value is number => value !== undefined);
      const files = sample.settled - previous.settled;
      const perFile = (now: number | undefined, before: number | undefined): number | undefined => (now === undefined || before === undefined || files === 0 ? undefined : (now - before) / files);
      intervals.push({
        t: sample.t,
        filesPerSecond: files / (sample.t - previous.t),
        rssMb: sample.rssMb,
        heapFloorMb: heaps.length === 0 ? undefined : Math.min(...heaps),
        workerCpuMsPerFile: perFile(sample.workerCpuMs, previous.workerCpuMs),
        sandboxCpuMsPerFile: perFile(sample.sandboxCpuMs, previous.sandboxCpuMs),
        redisMb: sample.redisMb,
      });
      previous = sample;
      bucket = [];
    }
  }
  const warm = options.seconds * options.warmup;
  const steady = intervals.filter((interval) => interval.t > warm);
  const quarter = Math.max(1, Math.floor(steady.length / 4));
  const firstPerSecond = mean(steady.slice(0, quarter).map((interval) => interval.filesPerSecond));
  const lastPerSecond = mean(steady.slice(-quarter).map((interval) => interval.filesPerSecond));
  const ratio = firstPerSecond === 0 ? 0 : lastPerSecond / firstPerSecond;
  const rssPoints = samples.filter((sample) => sample.t > warm && sample.rssMb !== undefined).map((sample) => [sample.t / 60, sample.rssMb as number] as const);
  // The heap's floor: the lowest heap used in the first and in the second half of the steady part
  // (one sample a second catches the troughs of the collection sawtooth only now and then: the
  // lowest of many samples is steady, the lowest of five is not).
  const heapSamples = samples.filter((sample) => sample.t > warm && sample.heapUsedMb !== undefined);
  const middle = heapSamples.length === 0 ? 0 : ((heapSamples[0] as LoadSample).t + (heapSamples[heapSamples.length - 1] as LoadSample).t) / 2;
  const halves = [heapSamples.filter((sample) => sample.t <= middle), heapSamples.filter((sample) => sample.t > middle)];
  const heapPoints = halves
    .filter((half) => half.length > 0)
    .map((half) => [mean(half.map((sample) => sample.t)) / 60, Math.min(...half.map((sample) => sample.heapUsedMb as number))] as const);
  const cpu = (list: LoadInterval[], key: 'workerCpuMsPerFile' | 'sandboxCpuMsPerFile'): number => mean(list.map((interval) => interval[key]).filter((value): value is number => value !== undefined));
  const rssSlope = slope(rssPoints);
  const heapSlope = slope(heapPoints);
  const rssValues = rssPoints.map(([, y]) => y);
  const round = (value: number, digits = 2): number => Math.round(value * 10 ** digits) / 10 ** digits;
  const checks: Check[] = [
    {
      id: 'throughput',
      label: 'throughput held (last quarter / first, %)',
      value: round(ratio * 100, 1),
      must: `≥ ${Math.round(options.minThroughputRatio * 100)}`,
      ok: steady.length >= 2 && ratio >= options.minThroughputRatio,
      note: `${round(firstPerSecond)} → ${round(lastPerSecond)} files/s over ${steady.length} intervals after ${round(warm, 0)} s of warm-up`,
      detail: steady.length < 2 ? ['fewer than two intervals after the warm-up: run longer'] : [`first quarter ${round(firstPerSecond)} files/s, last quarter ${round(lastPerSecond)} files/s`],
    },
    {
      id: 'rss',
      label: 'memory flat: RSS slope (MB/min)',
      value: round(rssSlope),
      must: `≤ ${options.maxRssSlope}`,
      ok: rssPoints.length >= 2 && rssSlope <= options.maxRssSlope,
      note: rssValues.length === 0 ? 'no samples' : `RSS ${round(rssValues[0] as number, 1)} → ${round(rssValues[rssValues.length - 1] as number, 1)} MB (max ${round(Math.max(...rssValues), 1)})`,
      detail: [`RSS grew ${round(rssSlope)} MB a minute after the warm-up`],
    },
    {
      id: 'heap',
      label: 'memory flat: heap floor slope (MB/min)',
      value: round(heapSlope),
      must: `≤ ${options.maxHeapSlope}`,
      ok: heapPoints.length >= 2 && heapSlope <= options.maxHeapSlope,
      note: heapPoints.length < 2 ? 'too few samples' : `lowest heap used ${round(heapPoints[0]?.[1] ?? 0, 1)} MB in the first half, ${round(heapPoints[1]?.[1] ?? 0, 1)} MB in the second`,
      detail: [`the heap's floor grew ${round(heapSlope)} MB a minute after the warm-up`],
    },
    {
      id: 'cpu-per-file',
      label: "worker CPU per file held (last / first, %)",
      value: round((cpu(steady.slice(-quarter), 'workerCpuMsPerFile') / (cpu(steady.slice(0, quarter), 'workerCpuMsPerFile') || 1)) * 100, 1),
      must: `≤ ${Math.round(options.maxCpuGrowth * 100)}`,
      ok: steady.length >= 2 && cpu(steady.slice(-quarter), 'workerCpuMsPerFile') <= cpu(steady.slice(0, quarter), 'workerCpuMsPerFile') * options.maxCpuGrowth,
      note: `ms a file: worker ${round(cpu(steady.slice(0, quarter), 'workerCpuMsPerFile'), 1)} → ${round(cpu(steady.slice(-quarter), 'workerCpuMsPerFile'), 1)}, sandbox ${round(cpu(steady.slice(0, quarter), 'sandboxCpuMsPerFile'), 1)} → ${round(cpu(steady.slice(-quarter), 'sandboxCpuMsPerFile'), 1)} (first quarter → last)`,
      detail: ['the worker spends more CPU on each file as the run goes on'],
    },
  ];
  return {
    intervals,
    throughput: { firstPerSecond: round(firstPerSecond), lastPerSecond: round(lastPerSecond), ratio: round(ratio, 3), meanPerSecond: round(mean(steady.map((interval) => interval.filesPerSecond))) },
    memory: {
      rssSlopeMbPerMinute: round(rssSlope),
      heapFloorSlopeMbPerMinute: round(heapSlope),
      rssFirstMb: round(rssValues[0] ?? 0, 1),
      rssLastMb: round(rssValues[rssValues.length - 1] ?? 0, 1),
      rssMaxMb: round(rssValues.length === 0 ? 0 : Math.max(...rssValues), 1),
    },
    checks,
  };
}

export async function runLoad(input: LoadOptions, hooks: { signal?: AbortSignal; say?: (line: string) => void } = {}): Promise<LoadReport> {
  const options = resolveLoadOptions(input);
  const began = Date.now();
  const say = (line: string): void => hooks.say?.(`[load +${((Date.now() - began) / 1000).toFixed(1)}s] ${line}`);
  const dir = await mkdtemp(join(tmpdir(), `optimo-load-${options.seed}-`));
  const closers: Array<() => Promise<void>> = [];
  let keep = options.keep;
  const sleep = (ms: number): Promise<void> => sleepFor(ms, hooks.signal);
  try {
    const log: RequestLogEntry[] = [];
    const counted = { requests: 0 };
    const sandbox = await startSandbox({
      quota: 100_000_000,
      timeZone: 'Europe/Lisbon',
      ...(options.faults === undefined ? {} : { faults: options.faults, faultsSeed: options.seed, slowAfterMs: 130_000 }),
      onLog: (entry) => {
        if (entry.status !== 200 || entry.code !== null || entry.faults.length > 0) log.push(entry);
        counted.requests += 1;
      },
    });
    closers.push(() => sandbox.close());
    const redis = await startRedisServer({ dir: join(dir, 'redis'), persistent: false });
    closers.push(() => redis.close());
    const caFile = join(dir, 'sandbox-ca.pem');
    await writeFile(caFile, sandbox.certPem);
    const tokenFile = join(dir, 'token');
    await writeFile(tokenFile, `${sandbox.accounts[0]?.tokens.admin ?? ''}\n`, { mode: 0o600 });
    const env: Record<string, string> = { PATH: process.env.PATH ?? '/usr/bin:/bin', OPTIMO_ENDPOINT: sandbox.url, OPTIMO_TOKEN_FILE: tokenFile, OPTIMO_CA_FILE: caFile, REDIS_URL: redis.url };
    if (process.env.HOME !== undefined) env.HOME = process.env.HOME;

    const workerEnv = options.workerHeapMb === 0 ? env : { ...env, NODE_OPTIONS: `--max-old-space-size=${options.workerHeapMb}` };
    const worker: Child = spawnChild({ name: 'worker', command: process.execPath, args: [WORKER_BIN, 'work', '--concurrency', String(options.concurrency), '--metrics-port', '0', '--json'], cwd: dir, env: workerEnv });
    const readyDeadline = Date.now() + 30_000;
    while (!worker.events.some((event) => event.event === 'ready')) {
      if (worker.exited() !== undefined || Date.now() > readyDeadline) throw new Error(`[chaos] the worker did not start:\n${worker.tail()}`);
      await sleep(20);
    }
    const metricsUrl = worker.events.find((event) => event.event === 'ready')?.metrics as string | undefined;
    say(`worker ready (pid ${worker.pid}, metrics ${metricsUrl ?? 'none'}); submitting for ${options.seconds} s, ${options.outstanding} at a time`);

    const submitter: Child = spawnChild({
      name: 'submitter',
      command: process.execPath,
      args: ['--import', 'tsx', SUBMITTER],
      cwd: CHAOS_DIR,
      env: { ...env, LOAD_SECONDS: String(options.seconds), LOAD_OUTSTANDING: String(options.outstanding), LOAD_SEED: String(options.seed) },
    });
    const start = Date.now();
    const settledNow = (): number => worker.events.filter((event) => event.event === 'result').length;
    const redisMbNow = async (): Promise<number | undefined> => {
      const match = /used_memory:(\d+)/.exec(await redis.client.info('memory').catch(() => ''));
      return match?.[1] === undefined ? undefined : Number(match[1]) / 1024 / 1024;
    };
    const sampleNow = async (t: number): Promise<LoadSample> => {
      const [rssMb, heapUsedMb, workerCpuMs, redisMb] = await Promise.all([rssMbOf(worker.pid), heapMbOf(metricsUrl), cpuMsOf(worker.pid), redisMbNow()]);
      const own = process.cpuUsage();
      return { t, settled: settledNow(), rssMb, heapUsedMb, workerCpuMs, sandboxCpuMs: (own.user + own.system) / 1000, redisMb };
    };
    const samples: LoadSample[] = [await sampleNow(0)];
    while (Date.now() - start < options.seconds * 1000 && submitter.exited() === undefined) {
      await sleep(1000 - ((Date.now() - start) % 1000));
      const sample = await sampleNow(Math.round((Date.now() - start) / 100) / 10);
      samples.push(sample);
      const { rssMb, heapUsedMb } = sample;
      if (samples.length % Math.max(1, options.interval * 6) === 0) say(`${settledNow()} files settled, RSS ${rssMb?.toFixed(1) ?? '?'} MB, heap ${heapUsedMb?.toFixed(1) ?? '?'} MB`);
    }
    if ((await exitWithin(submitter, 200_000)) === undefined) submitter.kill('SIGKILL');
    worker.kill('SIGTERM');
    if ((await exitWithin(worker, 30_000)) === undefined) worker.kill('SIGKILL');

    const judged = judgeLoad(samples, options);
    // Errors other than injected ones.
    const errors: string[] = [];
    for (const entry of log) if (entry.faults.length === 0) errors.push(`sandbox: ${entry.method ?? '?'} answered ${entry.status ?? 'nothing'} ${entry.code ?? ''} with no injected fault`);
    for (const event of worker.events) {
      if (event.event === 'result' && event.outcome !== 'imported') errors.push(`worker: ${String(event.file)} ${String(event.outcome)}: ${String(event.reason ?? '')}`);
      if ((event.event === 'retry' || event.event === 'error' || event.event === 'hold') && options.faults === undefined) errors.push(`worker: ${String(event.event)} ${String(event.code ?? '')} ${String(event.reason ?? '')}`);
    }
    for (const event of submitter.events) {
      if (event.event === 'error') errors.push(`submitter: ${String(event.message)}`);
      if (event.event === 'result' && event.outcome !== 'imported') errors.push(`submitter: file ${String(event.index)} ${String(event.outcome)}`);
    }
    for (const line of worker.lines) if (line.stream === 'err') errors.push(`worker stderr: ${line.text}`);
    for (const line of submitter.lines) if (line.stream === 'err') errors.push(`submitter stderr: ${line.text}`);
    const done = submitter.events.find((event) => event.event === 'done');
    const injected = log.filter((entry) => entry.faults.length > 0).length;
    const checks: Check[] = [
      ...judged.checks,
      { id: 'errors', label: 'errors other than injected', value: errors.length, must: '0', ok: errors.length === 0, note: `${injected} injected fault(s); ${counted.requests} requests`, detail: errors.slice(0, 12) },
      { id: 'settled', label: 'submissions settled', value: Number(done?.settled ?? 0), must: '> 0', ok: Number(done?.settled ?? 0) > 0 && done?.settled === done?.submitted, note: `of ${String(done?.submitted ?? '?')} submitted`, detail: done === undefined ? ['the submitter did not finish'] : [`${String(done.submitted)} submitted, ${String(done.settled)} settled`] },
    ];
    const ok = checks.every((check) => check.ok !== false);
    if (!ok) keep = true;
    await writeFile(join(dir, 'worker.log'), worker.lines.map((line) => `${new Date(line.time).toISOString()} ${line.stream} ${line.text}`).join('\n') + '\n');
    await writeFile(join(dir, 'submitter.log'), submitter.lines.map((line) => `${new Date(line.time).toISOString()} ${line.stream} ${line.text}`).join('\n') + '\n');
    await writeFile(join(dir, 'samples.json'), `${JSON.stringify(samples)}\n`);
    const report: LoadReport = {
      ok,
      seed: options.seed,
      options,
      command: `pnpm chaos --load --seconds ${options.seconds} --seed ${options.seed}${options.faults === undefined ? '' : ` --faults ${options.faults}`}${options.workerHeapMb === 0 ? '' : ` --worker-heap-mb ${options.workerHeapMb}`}`,
      dir: keep ? dir : undefined,
      durationSeconds: Math.round((Date.now() - began) / 100) / 10,
      settled: Number(done?.settled ?? settledNow()),
      submitted: Number(done?.submitted ?? 0),
      intervals: judged.intervals,
      throughput: judged.throughput,
      memory: judged.memory,
      errors: { count: errors.length, injectedFaults: injected, samples: errors.slice(0, 12) },
      checks,
    };
    await writeFile(join(dir, 'load-report.json'), `${JSON.stringify(report, null, 2)}\n`);
    return report;
  } finally {
    killAll();
    for (const close of closers.reverse()) await close().catch(() => undefined);
    if (!keep) await rm(dir, { recursive: true, force: true }).catch(() => undefined);
    else say(`run folder kept: ${dir}`);
  }
}

export function formatLoad(report: LoadReport): string[] {
  return [
    `load run, seed ${report.seed}: ${report.ok ? 'held' : 'A CHECK FAILED'} — ${report.settled} files settled of ${report.submitted} submitted in ${report.options.seconds} s (${report.throughput.meanPerSecond} files/s after warm-up), ${report.durationSeconds} s in all`,
    `  reproduce: ${report.command}`,
    `  per ${report.options.interval} s: ${report.intervals.map((interval) => interval.filesPerSecond.toFixed(1)).join(' ')} files/s`,
    `  RSS MB: ${report.intervals.map((interval) => interval.rssMb?.toFixed(0) ?? '?').join(' ')}`,
    `  heap floor MB: ${report.intervals.map((interval) => interval.heapFloorMb?.toFixed(0) ?? '?').join(' ')}`,
    `  worker CPU ms/file: ${report.intervals.map((interval) => interval.workerCpuMsPerFile?.toFixed(1) ?? '?').join(' ')}`,
    `  sandbox CPU ms/file: ${report.intervals.map((interval) => interval.sandboxCpuMsPerFile?.toFixed(1) ?? '?').join(' ')}`,
    `  Redis MB (jobs, results and ledger are kept 30 days; a stored file goes once its result is final): ${report.intervals.map((interval) => interval.redisMb?.toFixed(0) ?? '?').join(' ')}`,
    ...formatChecks(report.checks),
    ...(report.dir === undefined ? [] : [`  run folder kept: ${report.dir}`]),
  ];
}
