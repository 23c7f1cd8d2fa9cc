/**
 * Test kit for the uploader's end-to-end tests: the real sandbox over HTTPS (in-process, port 0),
 * clients whose every log entry and thrown error is kept for the token check, small workouts,
 * and a private redis-server that a test may restart.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { inspect } from 'node:util';
import { buildWorkoutList, readResponse, readWorkoutList } from '@optimo-import/mapper';
import type { WorkoutRecord } from '@optimo-import/mapper';
import { startSandbox } from '@optimo-import/sandbox';
import type { RequestLogEntry, Sandbox, SandboxOptions } from '@optimo-import/sandbox';
import type { Samples, Workout } from '@optimo-import/workout';
import { expect } from 'vitest';
import { createClient } from '../src/client.js';
import { isUploadError } from '../src/errors.js';
import type { Client } from '../src/client-types.js';
import type { ClientOptions } from '../src/options.js';

export const TIME_ZONE = 'Europe/Lisbon';

/** Every line written during this file's tests (client log, sandbox log, thrown errors), for the token check. */
export const written: string[] = [];
/** Every token any sandbox of this file handed out. */
export const secrets = new Set<string>();

export function keep(item: unknown): void {
  written.push(typeof item === 'string' ? item : `${JSON.stringify(item)} ${inspect(item, { depth: Infinity, showHidden: true })}`);
}

/** No token, nor its basic-auth form, in anything written. */
export function expectNoTokenWritten(): void {
  expect(secrets.size).toBeGreaterThan(0);
  expect(written.length).toBeGreaterThan(0);
  const text = written.join('\n');
  for (const secret of secrets) {
    expect(text.includes(secret), 'a token in a log line').toBe(false);
    expect(text.includes(Buffer.from(`${secret}:X`).toString('base64')), 'a basic-auth header in a log line').toBe(false);
  }
}

/** Awaits a promise and keeps what it rejected with. */
export async function settle<T>(promise: Promise<T>): Promise<T | Error> {
  try {
    return await promise;
  } catch (error) {
    keep(error);
    return error as Error;
  }
}

export interface Kit {
  sandbox: Sandbox;
  admin: string;
  coach: string;
  /** Every request-log entry of the sandbox, in order. */
  requests: RequestLogEntry[];
  client(extra?: Partial<ClientOptions>): Client;
  /** The server's workouts by external id (admin, every folder, not through the client under test). */
  workoutsWith(externalId: string): Promise<WorkoutRecord[]>;
  /** Every workout of an athlete (every page); waits out a spent quota. */
  allWorkouts(athleteId: number): Promise<WorkoutRecord[]>;
  close(): Promise<void>;
}

export const FAST_RETRY = { retries: 6, minDelayMs: 10, maxDelayMs: 80, maxRetryTimeMs: 10_000 } as const;

export async function startKit(options: SandboxOptions & { watch?: (entry: RequestLogEntry) => void } = {}): Promise<Kit> {
  const { watch, ...sandboxOptions } = options;
  const requests: RequestLogEntry[] = [];
  const sandbox = await startSandbox({
    port: 0,
    ...(sandboxOptions.seed === undefined ? { timeZone: TIME_ZONE, quota: 100_000 } : {}),
    ...sandboxOptions,
    onLog: (entry) => {
      requests.push(entry);
      keep(entry);
      watch?.(entry);
    },
  });
  for (const account of sandbox.accounts) for (const member of account.staff) secrets.add(member.token);
  const admin = sandbox.accounts[0]!.tokens.admin!;
  const clients: Client[] = [];
  const make = (extra: Partial<ClientOptions> = {}): Client => {
    const client = createClient({
      endpoint: sandbox.url,
      token: admin,
      ca: sandbox.certPem,
      userAgent: 'optimo-import-tests/0.1.0',
      timeouts: { connectMs: 2000, answerMs: 2000 },
      retry: FAST_RETRY,
      log: (entry) => keep(entry),
      ...extra,
    });
    clients.push(client);
    return client;
  };
  const inspector = createClient({ endpoint: sandbox.url, token: admin, ca: sandbox.certPem, retry: FAST_RETRY, timeouts: { answerMs: 800 } });
  clients.push(inspector);
  return {
    sandbox,
    admin,
    coach: sandbox.accounts[0]!.tokens.coach!,
    requests,
    client: make,
    async workoutsWith(externalId) {
      const { answer } = await inspector.call(buildWorkoutList({ externalId, perPage: 100 }));
      return readWorkoutList(answer, { timeZone: sandbox.accounts[0]!.timeZone }).items;
    },
    async allWorkouts(athleteId) {
      const items: WorkoutRecord[] = [];
      for (let page = 1; ; ) {
        try {
          const { answer } = await inspector.call(buildWorkoutList({ athleteId, perPage: 100, page }));
          const list = readWorkoutList(answer, { timeZone: sandbox.accounts[0]!.timeZone });
          items.push(...list.items);
          if (page >= list.pages) return items;
          page += 1;
        } catch (error) {
          if (!isUploadError(error) || error.code !== 'quota-spent' || error.resetAt === undefined) throw error;
          await new Promise((resolve) => setTimeout(resolve, Math.max(0, error.resetAt! - Date.now()) + 20));
        }
      }
    },
    async close() {
      for (const client of clients) client.close();
      await sandbox.close();
    },
  };
}

export const T0 = Date.UTC(2026, 5, 1, 6, 0, 0);

/** A small workout (one request) or a longer one (`samples`), with its own start and external id. */
export function testWorkout(index: number, options: { samples?: number; externalId?: string | null; tag?: string } = {}): Workout {
  const count = options.samples ?? 5;
  const samples: Samples = {
    offsetSeconds: Array.from({ length: count }, (_, t) => t),
    heartRateBpm: Array.from({ length: count }, (_, t) => 110 + (t % 50)),
    latitudeDegrees: Array.from({ length: count }, (_, t) => 38.7 + t / 100_000),
    longitudeDegrees: Array.from({ length: count }, (_, t) => -9.14 + t / 150_000),
    distanceMeters: Array.from({ length: count }, (_, t) => t * 3.1),
  };
  const startTime = T0 + index * 7_200_000;
  const elapsedSeconds = Math.max(count, 60) + index;
  const workout: Workout = {
    source: { format: 'fit', sha256: 'cd'.repeat(32), index: 0, count: 1 },
    sport: 'running',
    sourceSport: { sport: 'running' },
    name: `Test run ${index}`,
    startTime,
    utcOffsetSource: 'none',
    elapsedSeconds,
    distanceMeters: count * 3.1,
    summary: { heartRateAvgBpm: 130 },
    laps: [],
    samples,
    pauses: [],
    device: {},
    externalId: options.externalId === null ? '' : (options.externalId ?? `test:${options.tag ?? 'w'}:${index}`),
    fingerprint: new Date(startTime).toISOString(),
    warnings: [],
  };
  return workout;
}

/** Counts the sandbox log entries by method and status (null for a dropped connection). */
export function tally(entries: readonly RequestLogEntry[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const entry of entries) {
    const name = `${entry.method ?? '-'} ${entry.status ?? 'dropped'}`;
    out[name] = (out[name] ?? 0) + 1;
  }
  return out;
}

/** Requests the server counted, per quota window (401, 429 and dropped-before-handling are not counted). */
export function countedPerWindow(entries: readonly RequestLogEntry[], daySeconds: number): Map<number, number> {
  const out = new Map<number, number>();
  for (const entry of entries) {
    if (entry.status === 401 || entry.status === 429 || entry.faults.includes('reset-before')) continue;
    const window = Math.floor(Date.parse(entry.time) / (daySeconds * 1000));
    out.set(window, (out.get(window) ?? 0) + 1);
  }
  return out;
}

/** True when an answer body is an ok API answer (for raw checks). */
export function isOk(body: string): boolean {
  return readResponse(body).kind === 'ok';
}

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
  /** Stops the server (SIGTERM) and waits for the exit. */
  stop(): Promise<void>;
  /** Starts it again on the same port, empty (no persistence). */
  start(): Promise<void>;
}

/** A redis-server of our own on a free port, without persistence, so a test may restart it. */
export async function startPrivateRedis(): Promise<PrivateRedis> {
  const port = await freePort();
  let child: ChildProcess | undefined;
  const start = (): Promise<void> =>
    new Promise((resolve, reject) => {
      const proc = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: ['ignore', 'pipe', 'pipe'] });
      child = proc;
      let out = '';
      const onData = (chunk: Buffer): void => {
        out += chunk.toString();
        if (out.includes('Ready to accept connections')) {
          proc.stdout?.off('data', onData);
          proc.stdout?.resume();
          resolve();
        }
      };
      proc.stdout?.on('data', onData);
      proc.stderr?.resume();
      proc.once('exit', (code) => reject(new Error(`redis-server exited (${code}): ${out.slice(-300)}`)));
      proc.once('error', reject);
    });
  await start();
  return {
    port,
    start,
    stop: () =>
      new Promise((resolve) => {
        const proc = child;
        if (proc === undefined || proc.exitCode !== null) {
          resolve();
          return;
        }
        proc.removeAllListeners('exit');
        proc.once('exit', () => resolve());
        proc.kill('SIGTERM');
      }),
  };
}
