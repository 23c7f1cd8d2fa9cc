import { fork } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { BENCH_DIR } from './paths.js';
import type { SandboxChildReply, SandboxChildRequest, SandboxChildStart } from './sandbox-protocol.js';

/** A sandbox server running in a child process of the bench. */
export interface SandboxProcess {
  /** The API entry point, `https://127.0.0.1:PORT/api/2.1/xml-in`. */
  url: string;
  /** The self-signed certificate the server presents: the client trusts it as its only CA. */
  certPem: string;
  /** The demo account's admin token. */
  token: string;
  account: string;
  timeZone: string;
  quota: number;
  pid: number;
  /** CPU time (user + system, ms) the server process has used so far, and its RSS. */
  usage(): Promise<{ cpuMs: number; rssBytes: number }>;
  /** Closes the server and waits for the process to end (killed if it does not within 10 s). */
  close(): Promise<void>;
}

const CHILD = join(BENCH_DIR, 'src', 'sandbox-child.ts');
const START_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 10_000;
const USAGE_TIMEOUT_MS = 10_000;

/**
 * Starts `@optimo-import/sandbox` in a fresh Node process (`node --import tsx
 * bench/src/sandbox-child.ts`) on 127.0.0.1, a free port, with the demo account's quota and
 * zone as given. Rejects with the child's own message (or the tail of its stderr) when it cannot
 * start.
 */
export function startSandboxProcess(start: SandboxChildStart): Promise<SandboxProcess> {
  const child = fork(CHILD, [JSON.stringify(start)], { cwd: BENCH_DIR, execArgv: ['--import', 'tsx'], stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
  let stderr = '';
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-4000);
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const describeExit = (): string => `the sandbox process ended (exit ${child.exitCode ?? child.signalCode ?? '?'})${stderr.trim() ? `: ${lastLines(stderr)}` : ''}`;

  return new Promise<SandboxProcess>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`[bench] the sandbox process did not start within ${START_TIMEOUT_MS / 1000} s${stderr.trim() ? `: ${lastLines(stderr)}` : ''}`));
    }, START_TIMEOUT_MS);
    const onExit = (): void => {
      clearTimeout(timer);
      reject(new Error(`[bench] ${describeExit()}`));
    };
    child.once('exit', onExit);
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(new Error(`[bench] cannot start the sandbox process: ${error.message}`, { cause: error }));
    });
    child.once('message', (message: SandboxChildReply) => {
      clearTimeout(timer);
      child.off('exit', onExit);
      if (message.type !== 'ready') {
        void exited.then(() => reject(new Error(`[bench] the sandbox did not start: ${message.type === 'failed' ? message.message : describeExit()}`)));
        return;
      }
      resolve({
        url: message.url,
        certPem: message.certPem,
        token: message.token,
        account: message.account,
        timeZone: message.timeZone,
        quota: message.quota,
        pid: message.pid,
        usage: () => askUsage(child, describeExit),
        close: () => stop(child, exited),
      });
    });
  });
}

let nextUsageId = 1;

function askUsage(child: ChildProcess, describeExit: () => string): Promise<{ cpuMs: number; rssBytes: number }> {
  const id = nextUsageId++;
  return new Promise((resolve, reject) => {
    const done = (): void => {
      clearTimeout(timer);
      child.off('message', onMessage);
      child.off('exit', onExit);
    };
    const onMessage = (message: SandboxChildReply): void => {
      if (message.type !== 'usage' || message.id !== id) return;
      done();
      resolve({ cpuMs: message.cpuMicros / 1000, rssBytes: message.rssBytes });
    };
    const onExit = (): void => {
      done();
      reject(new Error(`[bench] ${describeExit()}`));
    };
    const timer = setTimeout(() => {
      done();
      reject(new Error('[bench] the sandbox process did not report its CPU time'));
    }, USAGE_TIMEOUT_MS);
    child.on('message', onMessage);
    child.once('exit', onExit);
    const request: SandboxChildRequest = { type: 'usage', id };
    child.send(request);
  });
}

async function stop(child: ChildProcess, exited: Promise<void>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  if (child.connected) {
    const request: SandboxChildRequest = { type: 'close' };
    child.send(request);
  } else child.kill('SIGTERM');
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'late'>((resolve) => {
    timer = setTimeout(() => resolve('late'), STOP_TIMEOUT_MS);
  });
  if ((await Promise.race([exited, late])) === 'late') {
    child.kill('SIGKILL');
    await exited;
  }
  clearTimeout(timer);
}

function lastLines(text: string): string {
  return text.trim().split('\n').slice(-6).join(' | ');
}
