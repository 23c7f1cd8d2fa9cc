/**
 * One real worker process of the pipeline benchmark: `node apps/worker/bin/optimo-import.js work
 * --concurrency K --json`, the worker's built `dist/`, as a user runs it. Its JSON lines are read
 * as they come: `ready`, then one `result` per job it settles. Memory and CPU come from /proc.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { REPO_DIR } from './paths.js';
import type { ProcMemory } from './proc-stats.js';
import { readProcCpuMs, readProcMemory } from './proc-stats.js';

/** The worker's command-line entry (it runs `dist/cli.js`: the bench builds the worker first). */
export const WORKER_BIN = join(REPO_DIR, 'apps', 'worker', 'bin', 'optimo-import.js');

const READY_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 20_000;

/** A `result` line of `work --json`. */
export interface WorkerResultLine {
  jobId: string;
  outcome: string;
  requests?: number;
  code?: string;
  reason?: string;
  /** `performance.now()` of this process when the line came in. */
  at: number;
}

export interface WorkerProcess {
  pid: number;
  /** VmRSS when the worker said `ready` (connected, idle). */
  readyRssBytes?: number;
  /** CPU ms the process had used when it said `ready`. */
  readyCpuMs?: number;
  /** Lines that were neither `ready` nor `result` (a hold, a retry, a stop), and stderr's tail. */
  notes(): string[];
  /** VmHWM and VmRSS now, and CPU ms so far. */
  sample(): { memory?: ProcMemory; cpuMs?: number };
  /** SIGTERM (finish what is in flight, exit 0), SIGKILL if it does not end in 20 s; resolves with the exit code. */
  stop(): Promise<number | string>;
}

/**
 * Starts a worker and resolves once it said `ready`. `onResult` gets every `result` line.
 * Rejects with the worker's own words when it exits or stays silent first.
 */
export function startWorkerProcess(options: { concurrency: number; env: NodeJS.ProcessEnv; cwd: string; onResult: (line: WorkerResultLine) => void }): Promise<WorkerProcess> {
  const child = spawn(process.execPath, [WORKER_BIN, 'work', '--concurrency', String(options.concurrency), '--json'], {
    cwd: options.cwd,
    env: options.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const notes: string[] = [];
  let stderr = '';
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-2000);
  });
  const exited = new Promise<number | string>((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal ?? '?')));
  const describeExit = (code: number | string): string => `the worker process ended (exit ${code})${stderr.trim() ? `: ${lastLines(stderr)}` : ''}`;

  return new Promise<WorkerProcess>((resolve, reject) => {
    let ready = false;
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`[bench] the worker did not say ready within ${READY_TIMEOUT_MS / 1000} s${stderr.trim() ? `: ${lastLines(stderr)}` : ''}`));
    }, READY_TIMEOUT_MS);
    void exited.then((code) => {
      if (ready) return;
      clearTimeout(timer);
      reject(new Error(`[bench] ${describeExit(code)}`));
    });
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(new Error(`[bench] cannot start the worker: ${error.message}`, { cause: error }));
    });
    const lines = createInterface({ input: child.stdout as NonNullable<ChildProcess['stdout']> });
    lines.on('line', (text) => {
      const at = performance.now();
      let line: Record<string, unknown>;
      try {
        line = JSON.parse(text) as Record<string, unknown>;
      } catch {
        notes.push(`not JSON: ${text.slice(0, 200)}`);
        return;
      }
      if (line.event === 'result' && typeof line.jobId === 'string') {
        options.onResult({
          jobId: line.jobId,
          outcome: String(line.outcome),
          ...(typeof line.requests === 'number' ? { requests: line.requests } : {}),
          ...(typeof line.code === 'string' ? { code: line.code } : {}),
          ...(typeof line.reason === 'string' ? { reason: line.reason } : {}),
          at,
        });
      } else if (line.event === 'ready' && !ready) {
        ready = true;
        clearTimeout(timer);
        const pid = child.pid as number;
        const memory = readProcMemory(pid);
        const cpuMs = readProcCpuMs(pid);
        resolve({
          pid,
          ...(memory === undefined ? {} : { readyRssBytes: memory.rssBytes }),
          ...(cpuMs === undefined ? {} : { readyCpuMs: cpuMs }),
          notes: () => (stderr.trim() ? [...notes, `stderr: ${lastLines(stderr)}`] : [...notes]),
          sample: () => {
            const m = readProcMemory(pid);
            const c = readProcCpuMs(pid);
            return { ...(m === undefined ? {} : { memory: m }), ...(c === undefined ? {} : { cpuMs: c }) };
          },
          stop: () => stop(child, exited),
        });
      } else if (line.event !== 'stopping' && line.event !== 'stopped') {
        const { time: _time, ...rest } = line;
        notes.push(JSON.stringify(rest).slice(0, 300));
      }
    });
  });
}

async function stop(child: ChildProcess, exited: Promise<number | string>): Promise<number | string> {
  if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'late'>((resolve) => {
    timer = setTimeout(() => resolve('late'), STOP_TIMEOUT_MS);
  });
  const first = await Promise.race([exited, late]);
  clearTimeout(timer);
  if (first !== 'late') return first;
  child.kill('SIGKILL');
  return exited;
}

function lastLines(text: string): string {
  return text.trim().split('\n').slice(-4).join(' | ');
}
