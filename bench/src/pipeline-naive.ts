/**
 * The alternative a user would pick: there is no off-the-shelf importer for the Optimo Sport
 * API, so the one to compare with is the script a user would write, parse and upload file by file
 * in one process (pipeline-naive-child.ts). Run in a child process of its own, against a fresh
 * sandbox, like the modes of the worker.
 */
import { fork } from 'node:child_process';
import { join } from 'node:path';
import { describeFailure } from './contender.js';
import type { NaiveChildReply, NaiveChildStart } from './pipeline-naive-protocol.js';
import type { PipelineFile } from './pipeline-corpus.js';
import type { PipelineMode, PipelineRunResult } from './pipeline-run.js';
import { emptyRunResult } from './pipeline-run.js';
import type { PipelineTarget } from './pipeline-target.js';
import { openPipelineTarget, workerEnv } from './pipeline-target.js';
import { BENCH_DIR } from './paths.js';

const CHILD = join(BENCH_DIR, 'src', 'pipeline-naive-child.ts');
const RUN_TIMEOUT_MS = 600_000;

export async function runNaiveMode(mode: PipelineMode, round: number, files: readonly PipelineFile[]): Promise<PipelineRunResult> {
  const run = emptyRunResult(mode.id, round, files.length);
  let target: PipelineTarget | undefined;
  try {
    target = await openPipelineTarget();
    const sandboxCpuBefore = (await target.sandbox.usage()).cpuMs;
    const t0 = performance.now();
    const child = fork(CHILD, [], { cwd: BENCH_DIR, env: workerEnv({}), execArgv: ['--import', 'tsx'], stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
    let stderr = '';
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (chunk: string) => {
      stderr = (stderr + chunk).slice(-2000);
    });
    const exited = new Promise<number | string>((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal ?? '?')));
    const start: NaiveChildStart = { type: 'start', paths: files.map((file) => file.path), endpoint: target.sandbox.url, token: target.sandbox.token, certPem: target.sandbox.certPem, athleteId: target.athleteId };
    child.send(start);
    let timer: NodeJS.Timeout | undefined;
    const reply = await Promise.race([
      new Promise<NaiveChildReply>((resolve) => child.once('message', (message: NaiveChildReply) => resolve(message))),
      exited.then((code): NaiveChildReply => ({ type: 'failed', message: `the naive script ended (exit ${code}) without an answer${stderr.trim() ? `: ${stderr.trim().split('\n').slice(-3).join(' | ')}` : ''}` })),
      new Promise<NaiveChildReply>((resolve) => {
        timer = setTimeout(() => resolve({ type: 'failed', message: `no answer within ${RUN_TIMEOUT_MS / 1000} s` }), RUN_TIMEOUT_MS);
      }),
    ]);
    clearTimeout(timer);
    if (reply.type === 'failed') child.kill('SIGKILL');
    const code = await exited;
    run.processSeconds = (performance.now() - t0) / 1000;
    if (reply.type === 'failed') throw new Error(reply.message);
    if (code !== 0) run.notes.push(`the naive script exited with ${code}`);
    run.sandboxCpuMs = (await target.sandbox.usage()).cpuMs - sandboxCpuBefore;
    run.seconds = reply.seconds;
    run.readMs = reply.readMs;
    run.parseMs = reply.parseMs;
    run.uploadMs = reply.uploadMs;
    run.settled = reply.files;
    run.uploaded = reply.uploaded;
    run.failedWorkouts = reply.workouts - reply.uploaded;
    run.resultRequests = reply.requests;
    run.processes.push({ label: 'naive script', readyRssBytes: reply.readyRssBytes, peakRssBytes: reply.peakRssBytes, cpuMs: reply.cpuMs });
    for (const failure of reply.failures) run.notes.push(failure);
    run.serverRequests = await target.countPipelineRequests();
  } catch (error) {
    run.failure = describeFailure(error);
  } finally {
    await target?.close();
  }
  return run;
}
