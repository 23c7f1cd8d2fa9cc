/**
 * The embedded mode, for comparison: one process, `optimo-import migrate <files> --athlete ID`
 * without a Redis URL, its state (file ledger, results) in a temporary folder. Timed from the
 * migration's `startedAt` (its report: just before the first file is enqueued) to the last
 * result's `finishedAt` (the state folder's results.jsonl): the same span as the queue rows. The
 * process's own wall time (Node start, hashing, the report, and the up to 1 s the command's
 * progress poll lets pass before it notices the end) is kept apart. Memory and CPU: /proc,
 * read every 20 ms while the process runs.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ImportResult } from '@optimo-import/worker';
import { describeFailure } from './contender.js';
import type { PipelineFile } from './pipeline-corpus.js';
import type { PipelineMode, PipelineRunResult } from './pipeline-run.js';
import { emptyRunResult, tallyResults } from './pipeline-run.js';
import type { PipelineTarget } from './pipeline-target.js';
import { openPipelineTarget, workerEnv } from './pipeline-target.js';
import { WORKER_BIN } from './pipeline-worker.js';
import { watchProcess } from './proc-stats.js';

const SAMPLE_EVERY_MS = 20;
const RUN_TIMEOUT_MS = 600_000;

export async function runEmbeddedMode(mode: PipelineMode, round: number, files: readonly PipelineFile[]): Promise<PipelineRunResult> {
  const run = emptyRunResult(mode.id, round, files.length);
  let target: PipelineTarget | undefined;
  try {
    target = await openPipelineTarget();
    const stateDir = join(target.dir, 'state');
    const reportBase = join(target.dir, 'report');
    const args = [WORKER_BIN, 'migrate', ...files.map((file) => file.path), '--athlete', target.athleteId, '--report', reportBase, '--state-dir', stateDir, '--concurrency', String(mode.concurrency)];
    const sandboxCpuBefore = (await target.sandbox.usage()).cpuMs;
    const t0 = performance.now();
    const child = spawn(process.execPath, args, { cwd: target.dir, env: workerEnv({ OPTIMO_CONFIG: target.configFile }), stdio: ['ignore', 'pipe', 'pipe'] });
    const watch = watchProcess(child.pid as number, SAMPLE_EVERY_MS);
    let output = '';
    const keep = (chunk: Buffer): void => {
      output = (output + chunk.toString('utf8')).slice(-3000);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    let timer: NodeJS.Timeout | undefined;
    const code = await new Promise<number | string>((resolve, reject) => {
      timer = setTimeout(() => {
        child.kill('SIGKILL');
        reject(new Error(`migrate did not end within ${RUN_TIMEOUT_MS / 1000} s`));
      }, RUN_TIMEOUT_MS);
      child.once('error', reject);
      child.once('exit', (exitCode, signal) => resolve(exitCode ?? signal ?? '?'));
    }).finally(() => {
      clearTimeout(timer);
      watch.stop();
    });
    run.processSeconds = (performance.now() - t0) / 1000;
    run.sandboxCpuMs = (await target.sandbox.usage()).cpuMs - sandboxCpuBefore;
    const { memory, cpuMs } = watch.last();
    run.processes.push({ label: 'migrate (embedded)', ...(memory === undefined ? {} : { peakRssBytes: memory.peakRssBytes }), ...(cpuMs === undefined ? {} : { cpuMs }) });
    // Exit 1 means "some file failed or was partial": the results say which. 2 and signals are failures of the run.
    if (code !== 0 && code !== 1) throw new Error(`migrate exited with ${code}: ${output.trim().split('\n').slice(-4).join(' | ')}`);

    const report = JSON.parse(readFileSync(`${reportBase}.json`, 'utf8')) as { startedAt: string; files: unknown[] };
    const results = readResults(join(stateDir, 'results.jsonl'));
    const finished = results.map((result) => Date.parse(result.finishedAt)).filter(Number.isFinite);
    if (finished.length) run.seconds = (Math.max(...finished) - Date.parse(report.startedAt)) / 1000;
    if (report.files.length !== files.length) run.notes.push(`the report lists ${report.files.length} files, ${files.length} were given`);
    tallyResults(run, results);
    run.serverRequests = await target.countPipelineRequests();
  } catch (error) {
    run.failure = describeFailure(error);
  } finally {
    await target?.close();
  }
  return run;
}

/** The embedded result store: one JSON line per result, the last line of a job winning. */
function readResults(file: string): ImportResult[] {
  const byJob = new Map<string, ImportResult>();
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (!line.startsWith('{')) continue;
    const value = JSON.parse(line) as Partial<ImportResult> & { removed?: string };
    if (typeof value.removed === 'string') byJob.delete(value.removed);
    else if (typeof value.jobId === 'string') byJob.set(value.jobId, value as ImportResult);
  }
  return [...byJob.values()];
}
