/**
 * Helpers of the worker's process tests: the real `optimo-import` bin spawned as child processes
 * (it runs the built dist/cli.js), a redis-server of the test's own on a free port (with or
 * without persistence) that a test may kill and start again, the sandbox over HTTPS in this
 * process (test/kit.ts), small fixture files, and polling with a deadline.
 *
 * The project's Redis keys have a fixed prefix (`optimo-import`), so a test that runs workers
 * gets a private redis-server: tests in other files, running at the same time, never meet its
 * queue, quota or ledger. Every process and server started here is registered and killed by
 * `stopEverything()` (call it in `afterEach`/`afterAll`), also when a test fails half way.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildFitActivity, buildGpxBytes, buildTcxBytes } from '@optimo-import/fixtures';
import type { WorkoutRecord } from '@optimo-import/mapper';
import type { RequestLogEntry } from '@optimo-import/sandbox';
import { isUploadError } from '@optimo-import/uploader';
import { Redis } from 'ioredis';
import type { Kit } from './kit.js';

const BIN = fileURLToPath(new URL('../bin/optimo-import.js', import.meta.url));
const BUILT_CLI = fileURLToPath(new URL('../dist/cli.js', import.meta.url));

/** Children and servers still running, killed by `stopEverything()`. */
const running = new Set<() => Promise<void>>();

/** Kills whatever a test left running (processes, redis-servers); safe to call twice. */
export async function stopEverything(): Promise<void> {
  const stops = [...running];
  running.clear();
  await Promise.all(stops.map((stop) => stop().catch(() => undefined)));
}

// ---------------------------------------------------------------------------------------------
// Waiting

export interface WaitOptions {
  /** Give up after this long. */
  timeoutMs: number;
  /** Look again this often. Default 50 ms. */
  intervalMs?: number;
  /** Added to the timeout's message (what was seen last). */
  detail?: () => string;
}

/** Polls `check` until it returns something other than `undefined` or `false`; throws at the deadline. */
export async function waitFor<T>(what: string, check: () => T | undefined | false | Promise<T | undefined | false>, options: WaitOptions): Promise<T> {
  const deadline = Date.now() + options.timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() >= deadline) throw new Error(`timed out after ${options.timeoutMs} ms waiting for ${what}${options.detail === undefined ? '' : `\n${options.detail()}`}`);
    await new Promise((resolve) => setTimeout(resolve, options.intervalMs ?? 50));
  }
}

// ---------------------------------------------------------------------------------------------
// A private redis-server

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address !== null ? address.port : 0));
    });
  });
}

export interface PrivateRedis {
  port: number;
  url: string;
  /** Its data folder (the append-only file when persistent). */
  dir: string;
  /** A connection of the test's own (`maxRetriesPerRequest: null`: it waits out a restart). */
  client: Redis;
  /** Stops the server with `signal` (SIGTERM: a clean shutdown; SIGKILL: a crash) and waits for its exit. */
  stop(signal?: NodeJS.Signals): Promise<void>;
  /** Starts it again on the same port and folder (with persistence, it reloads its data). */
  start(): Promise<void>;
  close(): Promise<void>;
}

export interface PrivateRedisOptions {
  /** `appendonly yes` + `appendfsync always`: every acknowledged write survives a crash. Default false (nothing kept). */
  persistent?: boolean;
}

/** A redis-server of the test's own on a free port. */
export async function startPrivateRedis(options: PrivateRedisOptions = {}): Promise<PrivateRedis> {
  const port = await freePort();
  const dir = await mkdtemp(join(tmpdir(), 'oi-redis-'));
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--daemonize', 'no', '--logfile', ''];
  args.push(...(options.persistent === true ? ['--appendonly', 'yes', '--appendfsync', 'always'] : ['--appendonly', 'no']));
  let child: ChildProcess | undefined;
  let log = '';
  const start = (): Promise<void> =>
    new Promise((resolve, reject) => {
      const proc = spawn('redis-server', args, { stdio: ['ignore', 'pipe', 'pipe'] });
      child = proc;
      let ready = false;
      const onData = (chunk: Buffer): void => {
        log = (log + chunk.toString()).slice(-4000);
        if (!ready && log.includes('Ready to accept connections')) {
          ready = true;
          resolve();
        }
      };
      proc.stdout?.on('data', onData);
      proc.stderr?.on('data', onData);
      proc.once('exit', (code) => {
        if (!ready) reject(new Error(`redis-server on port ${port} exited (${code}) before it was ready: ${log.slice(-500)}`));
      });
      proc.once('error', reject);
    });
  const stop = (signal: NodeJS.Signals = 'SIGTERM'): Promise<void> =>
    new Promise((resolve) => {
      const proc = child;
      if (proc === undefined || proc.exitCode !== null || proc.signalCode !== null) {
        resolve();
        return;
      }
      proc.once('exit', () => resolve());
      proc.kill(signal);
    });
  await start();
  const client = new Redis({ host: '127.0.0.1', port, maxRetriesPerRequest: null, retryStrategy: () => 100 });
  client.on('error', () => undefined); // it reconnects; a restart makes it complain
  const close = async (): Promise<void> => {
    running.delete(close);
    client.disconnect();
    await stop('SIGKILL');
    await rm(dir, { recursive: true, force: true });
  };
  running.add(close);
  return { port, url: `redis://127.0.0.1:${port}`, dir, client, stop, start, close };
}

// ---------------------------------------------------------------------------------------------
// The optimo-import bin

export interface CliExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface CliProcess {
  readonly name: string;
  readonly child: ChildProcess;
  readonly pid: number;
  /** Standard output, line by line. */
  readonly out: string[];
  /** Standard error, line by line. */
  readonly err: string[];
  /** The lines of standard output that are JSON objects (`--json`). */
  readonly events: Array<Record<string, unknown>>;
  /** Resolves when the process has exited. */
  readonly exit: Promise<CliExit>;
  exited(): boolean;
  kill(signal: NodeJS.Signals): void;
  /** Waits for a JSON line matching `match`. */
  waitForEvent(what: string, match: (event: Record<string, unknown>) => boolean, timeoutMs: number): Promise<Record<string, unknown>>;
  /** The last lines of both streams, for failure messages. */
  tail(lines?: number): string;
}

export interface SpawnCliOptions {
  /** The whole environment of the process (nothing of the test runner's leaks in). */
  env: Record<string, string>;
  cwd: string;
  /** Shown in failure messages. */
  name: string;
}

/** The environment every spawned process starts from: enough to run node, nothing of the test's own settings. */
export function baseEnv(): Record<string, string> {
  const env: Record<string, string> = { PATH: process.env.PATH ?? '/usr/bin:/bin' };
  if (process.env.HOME !== undefined) env.HOME = process.env.HOME;
  if (process.env.TZ !== undefined) env.TZ = process.env.TZ;
  return env;
}

/** Runs `optimo-import <args>` (the built program) as a child process. */
export function spawnCli(args: readonly string[], options: SpawnCliOptions): CliProcess {
  if (!existsSync(BUILT_CLI)) throw new Error(`${BUILT_CLI} is missing: build first (npx turbo run build --filter=@optimo-import/worker...)`);
  const child = spawn(process.execPath, [BIN, ...args], { cwd: options.cwd, env: options.env, stdio: ['ignore', 'pipe', 'pipe'] });
  const out: string[] = [];
  const err: string[] = [];
  const events: Array<Record<string, unknown>> = [];
  const listeners = new Set<() => void>();
  const lineReader = (into: string[], json: boolean): ((chunk: Buffer) => void) => {
    let buffer = '';
    return (chunk) => {
      buffer += chunk.toString();
      const lines = buffer.split('\n');
      buffer = lines.pop() ?? '';
      for (const line of lines) {
        into.push(line);
        if (json && line.startsWith('{')) {
          try {
            events.push(JSON.parse(line) as Record<string, unknown>);
          } catch {
            // not an event line
          }
        }
      }
      for (const listener of listeners) listener();
    };
  };
  child.stdout?.on('data', lineReader(out, true));
  child.stderr?.on('data', lineReader(err, false));
  let done = false;
  const exit = new Promise<CliExit>((resolve) => {
    child.once('exit', (code, signal) => {
      done = true;
      for (const listener of listeners) listener();
      resolve({ code, signal });
    });
    child.once('error', () => {
      done = true;
      resolve({ code: null, signal: null });
    });
  });
  const tail = (lines = 30): string => `--- ${options.name} (pid ${child.pid ?? '?'}) stdout ---\n${out.slice(-lines).join('\n')}\n--- stderr ---\n${err.slice(-lines).join('\n')}`;
  const stop = async (): Promise<void> => {
    running.delete(stop);
    if (!done) {
      child.kill('SIGKILL');
      await exit;
    }
  };
  running.add(stop);
  void exit.then(() => running.delete(stop));
  return {
    name: options.name,
    child,
    pid: child.pid ?? -1,
    out,
    err,
    events,
    exit,
    exited: () => done,
    kill: (signal) => {
      if (!done) child.kill(signal);
    },
    waitForEvent(what, match, timeoutMs) {
      return waitFor(
        `${options.name}: ${what}`,
        () => {
          const found = events.find(match);
          if (found !== undefined) return found;
          if (done) throw new Error(`${options.name} exited before ${what}\n${tail()}`);
          return undefined;
        },
        { timeoutMs, detail: () => tail() },
      );
    },
    tail,
  };
}

// ---------------------------------------------------------------------------------------------
// The sandbox side

/** Requests the server counted, per quota window `floor(epoch seconds / daySeconds)` (contract 2.2: 401 and 429 are not counted, nor a request dropped before it was handled). */
export function countedPerWindow(entries: readonly RequestLogEntry[], daySeconds: number): Map<number, number> {
  const out = new Map<number, number>();
  for (const entry of entries) {
    if (entry.account === null || entry.status === 401 || entry.status === 429 || entry.faults.includes('reset-before')) continue;
    const window = Math.floor(Date.parse(entry.time) / (daySeconds * 1000));
    out.set(window, (out.get(window) ?? 0) + 1);
  }
  return out;
}

/** `workout.create` requests the server stored a workout for (ok answers, held ones included). */
export function createsOf(entries: readonly RequestLogEntry[]): RequestLogEntry[] {
  return entries.filter((entry) => entry.method === 'workout.create' && entry.status === 200 && entry.code === null);
}

/** Every workout of the account on the server (admin, not through the code under test), waiting out a spent quota. */
export async function serverWorkouts(kit: Kit, timeoutMs = 60_000): Promise<WorkoutRecord[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await kit.workouts();
    } catch (error) {
      if (!isUploadError(error) || error.code !== 'quota-spent' || Date.now() > deadline) throw error;
      const until = error.resetAt ?? Date.now() + 1000;
      await new Promise((resolve) => setTimeout(resolve, Math.max(50, until - Date.now() + 50)));
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Files

export interface TestFile {
  path: string;
  name: string;
  format: 'fit' | 'tcx' | 'gpx';
  /** Epoch ms. */
  startTime: number;
}

/** 2023-01-02T06:00:00Z; file i starts i × 3 hours later, so no two are one recording. */
const FIRST_START = Date.UTC(2023, 0, 2, 6, 0, 0);

/** The bytes of small workout `index` (two minutes at 1 s) as FIT, TCX or GPX, each its own recording. */
export function workoutBytes(index: number, format: TestFile['format'], startTime = FIRST_START + index * 3 * 3_600_000): Uint8Array {
  const durationSeconds = 120 + (index % 7);
  if (format === 'fit') return buildFitActivity({ sport: 'running', startTime, durationSeconds, serialNumber: 4_000_000 + index });
  if (format === 'tcx') return buildTcxBytes({ sport: 'Running', startTime, durationSeconds, seed: index + 1 });
  return buildGpxBytes({ sport: 'running', startTime, durationSeconds, seed: index + 1 });
}

/** Writes `count` distinct small files (FIT, TCX and GPX in turn) into `folder`; `from` offsets the recordings. */
export async function writeWorkoutFiles(folder: string, count: number, from = 0): Promise<TestFile[]> {
  await mkdir(folder, { recursive: true });
  const formats = ['fit', 'tcx', 'gpx'] as const;
  const files: TestFile[] = [];
  for (let i = from; i < from + count; i += 1) {
    const format = formats[i % 3] as TestFile['format'];
    const startTime = FIRST_START + i * 3 * 3_600_000;
    const name = `w${String(i).padStart(4, '0')}.${format}`;
    const path = join(folder, name);
    await writeFile(path, workoutBytes(i, format, startTime));
    files.push({ path, name, format, startTime });
  }
  return files;
}

/** The environment of a queue-mode process against the kit's sandbox and a private Redis. */
export function workerEnv(kit: Kit, redis: PrivateRedis, extra: Record<string, string> = {}): Record<string, string> {
  return { ...baseEnv(), ...kit.env, REDIS_URL: redis.url, ...extra };
}
