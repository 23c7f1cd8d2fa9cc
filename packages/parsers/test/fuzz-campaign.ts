/**
 * The parsers' fuzz campaign: every parser of `PARSERS` and the containers (`parseFile` over
 * gzip and zip) under the feedback-guided mutation fuzzer of fuzz-campaign-engine.ts, for a fixed
 * budget each. Records executions, unique crashes and the slowest input per target; keeps each
 * crashing input (minimised) as packages/parsers/test/regressions/<target>/<sha256 prefix>.bin,
 * which fuzz-campaign.test.ts replays on every test run.
 *
 * ```
 * node --conditions source --import tsx packages/parsers/test/fuzz-campaign.ts --seconds 60 --seed 1
 * ```
 *
 * (tsx must be resolvable from the working folder: run it from bench/ or chaos/, which depend on
 * it, e.g. `cd bench && node --conditions source --import tsx ../packages/parsers/test/fuzz-campaign.ts`.)
 *
 * | flag               | default | behaviour |
 * | ------------------ | ------- | --------- |
 * | `--seconds N`      | 60      | time budget per target (wall clock, seeds included) |
 * | `--executions N`   | —       | an execution budget per target instead: exactly reproducible with `--seed` |
 * | `--seed N`         | 1       | the PRNG seed (each target derives its own stream from it) |
 * | `--targets a,b`    | all     | targets to run (`fit`, `tcx`, …, `csv`, `containers`) |
 * | `--slow-ms N`      | 1000    | an execution slower than this is a crash of kind `slow` |
 * | `--kill-ms N`      | 30000   | a child stuck this long on one input is killed (kind `killed`; the input is kept) |
 * | `--no-coverage`    | —       | guide by outcome signatures only (faster, blinder) |
 * | `--report FILE`    | —       | the figures as JSON |
 * | `--regressions DIR`| test/regressions | where crashing inputs are kept |
 * | `--no-save`        | —       | keep nothing |
 * | `--save-slowest DIR` | —     | write each target's slowest input to DIR/<target>-slowest.bin |
 *
 * Each target runs in a child process of its own (the same node and loader), so that a parser
 * stuck in a loop or out of memory cannot end the campaign: the child writes every input to a
 * file before running it, and the parent, which checks that file's age every second, kills a
 * child stuck on one input, keeps that input, and starts a fresh child for the rest of the budget.
 * Exit code 1 when any target had a crash.
 */
import { fork } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createTarget, runTarget, sha256, targetIds } from './fuzz-campaign-engine.js';
import type { CrashFinding, FuzzTargetId, TargetReport } from './fuzz-campaign-engine.js';

const HERE = dirname(fileURLToPath(import.meta.url));
export const REGRESSIONS_DIR = join(HERE, 'regressions');

interface ChildJob {
  target: FuzzTargetId;
  seed: number;
  seconds?: number;
  executions?: number;
  coverage: boolean;
  slowMs: number;
  inputFile: string;
}

type ChildMessage =
  | { type: 'progress'; executions: number; corpus: number; reached?: number; crashes: number }
  | { type: 'crash'; finding: CrashFinding }
  | { type: 'done'; report: TargetReport };

// ---------------------------------------------------------------------------------------------
// Child: runs one target, telling the parent each input before it runs

async function child(): Promise<void> {
  const job = await new Promise<ChildJob>((done) => process.once('message', (message) => done(message as ChildJob)));
  // The input file: a phase byte (0 mutating, 1 running the input), the input's length, the input.
  const fd = openSync(job.inputFile, 'w');
  const header = Buffer.alloc(5);
  const MUTATING = Buffer.of(0);
  const send = (message: ChildMessage): Promise<void> =>
    new Promise((done) => {
      if (process.send === undefined) done();
      else process.send(message, undefined, {}, () => done());
    });
  const report = await runTarget(createTarget(job.target), {
    seed: job.seed,
    ...(job.seconds === undefined ? {} : { seconds: job.seconds }),
    ...(job.executions === undefined ? {} : { executions: job.executions }),
    coverage: job.coverage,
    slowMs: job.slowMs,
    onInput(input) {
      header[0] = 1;
      header.writeUInt32LE(input.length, 1);
      writeSync(fd, header, 0, 5, 0);
      writeSync(fd, input, 0, input.length, 5);
    },
    onMutate() {
      writeSync(fd, MUTATING, 0, 1, 0);
    },
    onCrash: (finding) => void send({ type: 'crash', finding }),
    onProgress: (progress) => void send({ type: 'progress', ...progress }),
  });
  closeSync(fd);
  await send({ type: 'done', report }); // sent before the channel closes, or the parent never sees it
  process.disconnect?.();
}

// ---------------------------------------------------------------------------------------------
// Parent

interface CampaignOptions {
  seconds?: number;
  executions?: number;
  seed: number;
  targets: FuzzTargetId[];
  slowMs: number;
  killMs: number;
  coverage: boolean;
  report?: string;
  regressions?: string;
  saveSlowest?: string;
}

/** The input a child was running when it stopped, or `mutating` when it stopped in the fuzzer's own code. */
function readLastInput(file: string): { input: Uint8Array; mutating: boolean } {
  try {
    const bytes = readFileSync(file);
    return { input: new Uint8Array(bytes.subarray(5, 5 + bytes.readUInt32LE(1))), mutating: bytes[0] === 0 };
  } catch {
    return { input: new Uint8Array(0), mutating: false };
  }
}

/** Runs one child for (the rest of) a target's budget; resolves with its report, or with what was seen when it died. */
function runChild(
  job: ChildJob,
  killMs: number,
  log: (line: string) => void,
): Promise<{ report?: TargetReport; crashes: CrashFinding[]; died?: CrashFinding; mutating?: boolean; progress?: Extract<ChildMessage, { type: 'progress' }> }> {
  return new Promise((done) => {
    const crashes: CrashFinding[] = [];
    let report: TargetReport | undefined;
    let progress: Extract<ChildMessage, { type: 'progress' }> | undefined;
    let killed = false;
    let lastLog = Date.now();
    const proc: ChildProcess = fork(fileURLToPath(import.meta.url), ['--child'], { execArgv: process.execArgv, serialization: 'advanced', stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    proc.on('message', (raw) => {
      const message = raw as ChildMessage;
      if (message.type === 'crash') {
        crashes.push(message.finding);
        log(`  ${job.target}: CRASH ${message.finding.crash.kind}: ${message.finding.crash.message.slice(0, 160)}`);
      } else if (message.type === 'done') report = message.report;
      else if ((progress = message) && Date.now() - lastLog > 15_000) {
        lastLog = Date.now();
        log(`  ${job.target}: ${message.executions} executions, corpus ${message.corpus}${message.reached === undefined ? '' : `, ${message.reached} blocks reached`}, ${message.crashes} crashes`);
      }
    });
    const watchdog = setInterval(() => {
      let age: number;
      try {
        age = Date.now() - statSync(job.inputFile).mtimeMs;
      } catch {
        return; // not started yet
      }
      if (age > killMs && report === undefined) {
        killed = true;
        proc.kill('SIGKILL');
      }
    }, 1000);
    proc.once('exit', (code, signal) => {
      clearInterval(watchdog);
      if (report !== undefined) {
        done({ report, crashes });
        return;
      }
      const { input, mutating } = readLastInput(job.inputFile);
      const kind = killed ? 'killed' : 'process-exit';
      const how = killed ? `stuck for over ${killMs} ms; killed` : `ended (code ${code}, signal ${signal})`;
      const message = mutating ? `the child ${how} while mutating: a bug of the fuzzer's, not of the target's` : `the child ${how} on this input`;
      const key = `${mutating ? 'fuzzer' : kind}|${job.target}`;
      done({ crashes, died: { target: job.target, crash: { kind, message, key }, input, count: 1, firstAt: -1 }, mutating, ...(progress === undefined ? {} : { progress }) });
    });
    proc.send(job);
  });
}

function mergeReports(reports: readonly TargetReport[]): TargetReport {
  const [first, ...rest] = reports as [TargetReport, ...TargetReport[]];
  const merged: TargetReport = { ...first, outcomes: { ...first.outcomes }, kept: { ...first.kept }, crashes: [...first.crashes] };
  for (const r of rest) {
    merged.executions += r.executions;
    merged.seconds += r.seconds;
    merged.corpus = r.corpus;
    merged.kept.coverage += r.kept.coverage;
    merged.kept.signature += r.kept.signature;
    merged.mutatorErrors += r.mutatorErrors;
    if (r.reached !== undefined) merged.reached = Math.max(merged.reached ?? 0, r.reached);
    for (const [label, n] of Object.entries(r.outcomes)) merged.outcomes[label] = (merged.outcomes[label] ?? 0) + n;
    merged.crashes.push(...r.crashes);
    if (r.slowest.ms > merged.slowest.ms) merged.slowest = r.slowest;
  }
  merged.executionsPerSecond = merged.executions / merged.seconds;
  return merged;
}

async function runCampaignTarget(target: FuzzTargetId, options: CampaignOptions, log: (line: string) => void): Promise<TargetReport & { killed: CrashFinding[] }> {
  const inputFile = join(tmpdir(), `optimo-fuzz-${process.pid}-${target}.input`);
  const reports: TargetReport[] = [];
  const killed: CrashFinding[] = [];
  /** Children that died in the fuzzer's own code (not counted as crashes of the target; must be 0). */
  let fuzzerDeaths = 0;
  const started = Date.now();
  try {
    for (let restart = 0; restart < 20; restart++) {
      const elapsed = (Date.now() - started) / 1000;
      const job: ChildJob = {
        target,
        seed: (options.seed + restart * 0x9e3779b1) >>> 0,
        coverage: options.coverage,
        slowMs: options.slowMs,
        inputFile,
        ...(options.executions !== undefined ? { executions: Math.max(1, options.executions - reports.reduce((n, r) => n + r.executions, 0)) } : { seconds: Math.max(1, (options.seconds ?? 60) - elapsed) }),
      };
      const { report, died, crashes, progress, mutating } = await runChild(job, options.killMs, log);
      if (report !== undefined) {
        reports.push(report);
        break;
      }
      if (died !== undefined && mutating === true) fuzzerDeaths++;
      else if (died !== undefined) killed.push(died);
      // What the dead child did, as far as its last progress message tells.
      reports.push({
        target,
        seed: job.seed,
        budget: {},
        executions: progress?.executions ?? 0,
        seconds: (Date.now() - started) / 1000 - elapsed,
        executionsPerSecond: 0,
        coverage: options.coverage,
        ...(progress?.reached === undefined ? {} : { reached: progress.reached }),
        corpus: progress?.corpus ?? 0,
        kept: { coverage: 0, signature: 0 },
        mutatorErrors: 0,
        outcomes: {},
        crashes,
        slowest: { ms: -1, remeasuredMs: -1, size: 0, sha256: '', input: new Uint8Array(0) },
      });
      log(`  ${target}: the child died (${died?.crash.message}); a fresh one takes the rest of the budget`);
      if (options.executions === undefined && (Date.now() - started) / 1000 > (options.seconds ?? 60) - 1) break;
    }
  } finally {
    rmSync(inputFile, { force: true });
  }
  const budget = options.executions === undefined ? { seconds: options.seconds ?? 60 } : { executions: options.executions };
  const merged = mergeReports(reports);
  return { ...merged, seed: options.seed, budget, killed, mutatorErrors: merged.mutatorErrors + fuzzerDeaths };
}

function saveRegression(dir: string, finding: CrashFinding): string {
  const folder = join(dir, finding.target);
  mkdirSync(folder, { recursive: true });
  const path = join(folder, `${sha256(finding.input).slice(0, 16)}.bin`);
  if (!existsSync(path)) writeFileSync(path, finding.input);
  return path;
}

function parseOptions(argv: readonly string[]): CampaignOptions {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      seconds: { type: 'string' },
      executions: { type: 'string' },
      seed: { type: 'string', default: '1' },
      targets: { type: 'string' },
      'slow-ms': { type: 'string', default: '1000' },
      'kill-ms': { type: 'string', default: '30000' },
      'no-coverage': { type: 'boolean', default: false },
      report: { type: 'string' },
      regressions: { type: 'string' },
      'no-save': { type: 'boolean', default: false },
      'save-slowest': { type: 'string' },
    },
  });
  const number = (name: string, text: string | undefined, min: number): number | undefined => {
    if (text === undefined) return undefined;
    const n = Number(text);
    if (!Number.isFinite(n) || n < min) throw new RangeError(`[fuzz] --${name} must be a number ≥ ${min}, got ${JSON.stringify(text)}`);
    return n;
  };
  const all = targetIds();
  const targets = values.targets === undefined ? all : (values.targets.split(',').map((t) => t.trim()) as FuzzTargetId[]);
  const unknown = targets.filter((t) => !all.includes(t));
  if (unknown.length > 0) throw new RangeError(`[fuzz] --targets: unknown ${unknown.join(', ')} (targets: ${all.join(', ')})`);
  const executions = number('executions', values.executions, 1);
  return {
    ...(executions === undefined ? { seconds: number('seconds', values.seconds ?? '60', 1) as number } : { executions }),
    seed: (number('seed', values.seed, 0) as number) >>> 0,
    targets,
    slowMs: number('slow-ms', values['slow-ms'], 1) as number,
    killMs: number('kill-ms', values['kill-ms'], 1000) as number,
    coverage: values['no-coverage'] !== true,
    ...(values.report === undefined ? {} : { report: resolve(values.report) }),
    ...(values['no-save'] === true ? {} : { regressions: resolve(values.regressions ?? REGRESSIONS_DIR) }),
    ...(values['save-slowest'] === undefined ? {} : { saveSlowest: resolve(values['save-slowest']) }),
  };
}

async function main(): Promise<number> {
  const options = parseOptions(process.argv.slice(2));
  const log = (line: string): void => void process.stderr.write(`${line}\n`);
  const budget = options.executions === undefined ? `${options.seconds} s` : `${options.executions} executions`;
  log(`fuzz campaign: ${options.targets.join(', ')}; ${budget} each; seed ${options.seed}; coverage ${options.coverage ? 'on' : 'off'}; slow over ${options.slowMs} ms`);
  const results: Array<TargetReport & { killed: CrashFinding[] }> = [];
  for (const target of options.targets) {
    log(`${target}: started`);
    const result = await runCampaignTarget(target, options, log);
    results.push(result);
    log(`${target}: ${result.executions} executions, ${result.crashes.length + result.killed.length} unique crashes, slowest ${result.slowest.remeasuredMs.toFixed(1)} ms`);
  }
  const saved: Record<string, string[]> = {};
  if (options.regressions !== undefined) {
    for (const result of results) for (const finding of [...result.crashes, ...result.killed]) (saved[result.target] ??= []).push(relative(process.cwd(), saveRegression(options.regressions, finding)));
  }

  const rows = results.map((r) => ({
    target: r.target,
    executions: r.executions,
    seconds: Math.round(r.seconds),
    perSecond: Math.round(r.executionsPerSecond),
    reached: r.reached ?? '-',
    corpus: r.corpus,
    crashes: r.crashes.length + r.killed.length,
    slowestMs: `${r.slowest.ms.toFixed(1)} (${r.slowest.remeasuredMs.toFixed(1)})`,
    slowestBytes: r.slowest.size,
  }));
  const header = ['target', 'executions', 'seconds', 'perSecond', 'reached', 'corpus', 'crashes', 'slowestMs', 'slowestBytes'] as const;
  const width = header.map((h) => Math.max(h.length, ...rows.map((row) => String(row[h]).length)));
  const line = (cells: readonly string[]): string => cells.map((c, i) => c.padStart(width[i] as number)).join('  ');
  console.log(line(header));
  for (const row of rows) console.log(line(header.map((h) => String(row[h]))));
  const total = results.reduce((n, r) => n + r.crashes.length + r.killed.length, 0);
  console.log(`total: ${results.reduce((n, r) => n + r.executions, 0)} executions, ${total} unique crashes (seed ${options.seed}, ${budget} per target)`);
  for (const [target, paths] of Object.entries(saved)) for (const path of paths) console.log(`kept ${target}: ${path}`);
  if (options.saveSlowest !== undefined) {
    mkdirSync(options.saveSlowest, { recursive: true });
    for (const r of results) writeFileSync(join(options.saveSlowest, `${r.target}-slowest.bin`), r.slowest.input);
  }

  if (options.report !== undefined) {
    const json = {
      command: `node --conditions source --import tsx packages/parsers/test/fuzz-campaign.ts ${process.argv.slice(2).join(' ')}`.trim(),
      node: process.version,
      startedAt: new Date().toISOString(),
      options: { ...options, report: undefined, regressions: undefined, saveSlowest: undefined },
      targets: results.map((r) => ({
        ...r,
        crashes: [...r.crashes, ...r.killed].map((c) => ({ kind: c.crash.kind, key: c.crash.key, message: c.crash.message, count: c.count, firstAt: c.firstAt, size: c.input.length, sha256: sha256(c.input), stack: c.crash.stack })),
        killed: undefined,
        slowest: { ...r.slowest, input: r.slowest.size <= 4096 ? Buffer.from(r.slowest.input).toString('base64') : undefined },
      })),
    };
    mkdirSync(dirname(options.report), { recursive: true });
    writeFileSync(options.report, `${JSON.stringify(json, null, 2)}\n`);
    console.log(`report: ${options.report}`);
  }
  return total > 0 ? 1 : 0;
}

if (process.argv.includes('--child')) {
  await child();
} else if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    process.exitCode = await main();
  } catch (error) {
    console.error(error instanceof RangeError ? error.message : error);
    process.exitCode = 2;
  }
}
