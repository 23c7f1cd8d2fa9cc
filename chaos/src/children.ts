/**
 * Child processes of a run: every one is registered, its output kept line by line with the time
 * each line came, and killed by `killAll()` — which `main.ts` calls on exit, on Ctrl-C and at the
 * hard time limit, so a run never leaves a worker or a redis-server behind. Only processes this
 * module started are ever signalled, each by its own pid.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';

export interface Line {
  /** Epoch ms when the line arrived. */
  time: number;
  stream: 'out' | 'err';
  text: string;
}

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** Epoch ms. */
  time: number;
}

export interface Child {
  readonly name: string;
  readonly pid: number;
  readonly startedAt: number;
  readonly lines: Line[];
  /** Lines of stdout that are JSON objects, parsed. */
  readonly events: Array<Record<string, unknown> & { time?: string }>;
  readonly exit: Promise<Exit>;
  exited(): Exit | undefined;
  kill(signal: NodeJS.Signals): void;
  /** The last lines of both streams, for messages. */
  tail(count?: number): string;
}

const running = new Map<number, ChildProcess>();

/** SIGKILLs every child still running (synchronous: safe in an `exit` handler). */
export function killAll(): void {
  for (const [pid, child] of running) {
    if (child.exitCode === null && child.signalCode === null) {
      try {
        child.kill('SIGKILL');
      } catch {
        // already gone
      }
    }
    running.delete(pid);
  }
}

/** Pids of the children running now. */
export function runningPids(): number[] {
  return [...running.keys()];
}

export interface SpawnOptions {
  name: string;
  command: string;
  args: readonly string[];
  cwd: string;
  /** The whole environment (nothing of this process's leaks in). */
  env: Record<string, string>;
  /** Called with each line as it comes. */
  onLine?: (line: Line) => void;
}

export function spawnChild(options: SpawnOptions): Child {
  const child = spawn(options.command, [...options.args], { cwd: options.cwd, env: options.env, stdio: ['ignore', 'pipe', 'pipe'] });
  const pid = child.pid ?? -1;
  if (pid > 0) running.set(pid, child);
  const lines: Line[] = [];
  const events: Array<Record<string, unknown>> = [];
  const reader = (stream: Line['stream']): ((chunk: Buffer) => void) => {
    let buffer = '';
    return (chunk) => {
      buffer += chunk.toString('utf8');
      const parts = buffer.split('\n');
      buffer = parts.pop() ?? '';
      for (const text of parts) {
        const line: Line = { time: Date.now(), stream, text };
        lines.push(line);
        if (stream === 'out' && text.startsWith('{')) {
          try {
            events.push(JSON.parse(text) as Record<string, unknown>);
          } catch {
            // not an event
          }
        }
        options.onLine?.(line);
      }
    };
  };
  child.stdout?.on('data', reader('out'));
  child.stderr?.on('data', reader('err'));
  let exited: Exit | undefined;
  const exit = new Promise<Exit>((resolve) => {
    child.once('exit', (code, signal) => {
      exited = { code, signal, time: Date.now() };
      running.delete(pid);
      resolve(exited);
    });
    child.once('error', (error) => {
      lines.push({ time: Date.now(), stream: 'err', text: `[chaos] could not start ${options.command}: ${error.message}` });
      exited = { code: null, signal: null, time: Date.now() };
      running.delete(pid);
      resolve(exited);
    });
  });
  return {
    name: options.name,
    pid,
    startedAt: Date.now(),
    lines,
    events,
    exit,
    exited: () => exited,
    kill(signal) {
      if (exited === undefined) child.kill(signal);
    },
    tail(count = 20) {
      return lines
        .slice(-count)
        .map((line) => `${options.name}${line.stream === 'err' ? '!' : ':'} ${line.text}`)
        .join('\n');
    },
  };
}

/** Resolves with the exit, or undefined after `ms`. */
export async function exitWithin(child: Child, ms: number): Promise<Exit | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), ms);
  });
  try {
    return await Promise.race([child.exit, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
