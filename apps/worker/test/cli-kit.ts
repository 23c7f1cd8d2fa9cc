/**
 * Test kit of the command tests (migrate, watch, holds): the real sandbox over HTTPS in-process
 * with a request log and listeners, config files naming accounts with token files, the commands'
 * output captured, the folder of files the pipeline tests use, a small CSV reader, polling with a
 * deadline, and the cleanup of everything an account leaves in Redis.
 *
 * Redis: the queue tests use a database of their own (`REDIS_URL` `redis://127.0.0.1:6379/<db>`),
 * one per test file. The BullMQ queue and the results hash are shared by every worker on one
 * database, and a worker fails the jobs of an account it is not configured with
 * (`account-unknown`): two test files running workers for different accounts on one database at
 * once would fail each other's jobs. Within a file, fresh account names keep tests apart, and
 * `cleanupAccount` removes every key, result and job of an account.
 */
import { randomBytes } from 'node:crypto';
import { copyFile, mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { buildFitActivity, buildTcxBytes } from '@optimo-import/fixtures';
import { buildAthleteList, buildWorkoutList, readAthleteList, readWorkoutList } from '@optimo-import/mapper';
import type { WorkoutRecord } from '@optimo-import/mapper';
import { startSandbox } from '@optimo-import/sandbox';
import type { RequestLogEntry, Sandbox, SandboxOptions } from '@optimo-import/sandbox';
import { createClient } from '@optimo-import/uploader';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import type { CliIo } from '../src/cli.js';
import { KEY_PREFIX, QUEUE_NAME } from '../src/jobs/job-data.js';
import { REDIS_KEYS } from '../src/jobs/keys.js';
import type { ProgressStream } from '../src/migrate/progress.js';

export const EXAMPLES = resolve(import.meta.dirname, '../../../examples');
export const USAGE = 'Usage: optimo-import (test)';
/** Progress bars go nowhere. */
export const QUIET: ProgressStream = { write: () => true, isTTY: false };

/** A fresh account name: letters and digits, unique per call. */
export function freshAccount(tag: string): string {
  return `${tag}${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;
}

export interface CapturedIo {
  io: CliIo;
  out: string[];
  err: string[];
  /** Everything written, in order, one string. */
  text(): string;
}

export function captureIo(): CapturedIo {
  const out: string[] = [];
  const err: string[] = [];
  const all: string[] = [];
  return {
    io: {
      out: (line) => {
        out.push(line);
        all.push(line);
      },
      err: (line) => {
        err.push(line);
        all.push(line);
      },
    },
    out,
    err,
    text: () => all.join('\n'),
  };
}

/** Polls `check` until it returns something other than undefined/false, or throws after `timeoutMs`. */
export async function until<T>(what: string, check: () => Promise<T | undefined | false> | T | undefined | false, timeoutMs = 30_000, everyMs = 50): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((done) => setTimeout(done, everyMs));
  }
}

export interface SandboxKit {
  sandbox: Sandbox;
  /** A temp folder for this kit (the CA file, token files, config, files, state, reports). */
  dir: string;
  caFile: string;
  /** Every request the sandbox answered, in order. */
  requests: RequestLogEntry[];
  /** Called with every request-log entry; returns a function that stops it. */
  onRequest(listener: (entry: RequestLogEntry) => void): () => void;
  /** The environment of the account `default` (embedded mode): endpoint, token, CA. */
  defaultEnv(): Record<string, string>;
  /**
   * Writes a config file naming `accounts` (worker name → the sandbox account's name, default the
   * first) with a token file each (the admin's token), and returns the environment naming it and
   * the token files.
   */
  writeConfig(accounts: Record<string, string | undefined>): Promise<{ env: Record<string, string>; tokenFiles: Record<string, string> }>;
  /** The workouts of a sandbox account (default the first) on the server, read with its admin token. */
  workouts(options?: { account?: string; athleteId?: string }): Promise<WorkoutRecord[]>;
  /** The athlete ids of a sandbox account (default the first). */
  athleteIds(account?: string): Promise<string[]>;
  /** Successful `workout.create` answers (status 200, no code) of a sandbox account (default all). */
  creates(account?: string): number;
  close(): Promise<void>;
}

export async function startSandboxKit(options: SandboxOptions = {}): Promise<SandboxKit> {
  const requests: RequestLogEntry[] = [];
  const listeners = new Set<(entry: RequestLogEntry) => void>();
  const sandbox = await startSandbox({
    ...options,
    onLog: (entry) => {
      requests.push(entry);
      for (const listener of listeners) listener(entry);
    },
  });
  const dir = await mkdtemp(join(tmpdir(), 'oi-cli-'));
  const caFile = join(dir, 'sandbox-ca.pem');
  await writeFile(caFile, sandbox.certPem);
  const accountOf = (name?: string): Sandbox['accounts'][number] => {
    const found = name === undefined ? sandbox.accounts[0] : sandbox.accounts.find((account) => account.name === name);
    if (found === undefined) throw new Error(`no sandbox account ${name ?? '(first)'}`);
    return found;
  };
  const adminToken = (name?: string): string => {
    const token = accountOf(name).tokens.admin;
    if (token === undefined) throw new Error(`the sandbox account ${name ?? '(first)'} has no admin`);
    return token;
  };
  const call = async <T>(account: string | undefined, run: (client: ReturnType<typeof createClient>) => Promise<T>): Promise<T> => {
    const client = createClient({ endpoint: sandbox.url, token: adminToken(account), ca: sandbox.certPem, account: 'inspector' });
    try {
      return await run(client);
    } finally {
      client.close();
    }
  };
  return {
    sandbox,
    dir,
    caFile,
    requests,
    onRequest(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    defaultEnv: () => ({ OPTIMO_ENDPOINT: sandbox.url, OPTIMO_TOKEN: adminToken(), OPTIMO_CA_FILE: caFile }),
    async writeConfig(accounts) {
      const tokenFiles: Record<string, string> = {};
      const config: Record<string, unknown> = {};
      for (const [name, sandboxAccount] of Object.entries(accounts)) {
        const tokenFile = join(dir, `token-${name}`);
        await writeFile(tokenFile, `${adminToken(sandboxAccount)}\n`, { mode: 0o600 });
        tokenFiles[name] = tokenFile;
        config[name] = { endpoint: sandbox.url, tokenFile, caFile };
      }
      const configFile = join(dir, `optimo-import-${Object.keys(accounts).join('-')}.json`);
      await writeFile(configFile, JSON.stringify({ accounts: config }, null, 2));
      return { env: { OPTIMO_CONFIG: configFile }, tokenFiles };
    },
    async workouts(filter = {}) {
      const timeZone = accountOf(filter.account).timeZone;
      return call(filter.account, async (client) => {
        const items: WorkoutRecord[] = [];
        for (let page = 1; ; page += 1) {
          const { answer } = await client.call(buildWorkoutList({ perPage: 100, page, ...(filter.athleteId === undefined ? {} : { athleteId: filter.athleteId }) }));
          const list = readWorkoutList(answer, { timeZone });
          items.push(...list.items);
          if (page >= list.pages) return items;
        }
      });
    },
    async athleteIds(account) {
      const timeZone = accountOf(account).timeZone;
      return call(account, async (client) => {
        const { answer } = await client.call(buildAthleteList({ perPage: 100 }));
        return readAthleteList(answer, { timeZone }).items.map((athlete) => String(athlete.athleteId));
      });
    },
    creates(account) {
      return requests.filter((entry) => entry.method === 'workout.create' && entry.status === 200 && entry.code === null && (account === undefined || entry.account === account)).length;
    },
    async close() {
      listeners.clear();
      await sandbox.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** A ride recorded once and exported twice: the FIT and the TCX of it (the same fingerprint). */
export function ridePair(startTime: number, durationSeconds = 1800): { fit: Uint8Array; tcx: Uint8Array } {
  return {
    fit: buildFitActivity({ sport: 'cycling', startTime, durationSeconds }),
    tcx: buildTcxBytes({ sport: 'Biking', startTime, durationSeconds }),
  };
}

/** A FIT file cut after 40 bytes: fails with `truncated`. */
export function brokenFit(): Uint8Array {
  return Buffer.from(buildFitActivity({ durationSeconds: 60 })).subarray(0, 40);
}

/** `count` small FIT rides of distinct recordings (one day apart from `from`). */
export function distinctRides(count: number, from = Date.UTC(2022, 0, 3, 7, 0, 0)): Uint8Array[] {
  return Array.from({ length: count }, (_, index) => buildFitActivity({ sport: 'running', startTime: from + index * 86_400_000, durationSeconds: 300 + index }));
}

export interface MigrationFolder {
  folder: string;
  /** Every file, sorted by name (as the commands walk a folder). */
  files: string[];
  ride: { fit: string; tcx: string };
  bad: string;
}

/** The examples, the FIT and the TCX of one ride, and a broken FIT, copied into `<dir>/<name>`. */
export async function migrationFolder(dir: string, name = 'files'): Promise<MigrationFolder> {
  const folder = join(dir, name);
  await mkdir(folder, { recursive: true });
  for (const file of await readdir(EXAMPLES)) await copyFile(join(EXAMPLES, file), join(folder, file));
  const pair = ridePair(Date.UTC(2023, 8, 3, 6, 30, 0));
  const ride = { fit: join(folder, 'sunday-ride.fit'), tcx: join(folder, 'sunday-ride.tcx') };
  await writeFile(ride.fit, pair.fit);
  await writeFile(ride.tcx, pair.tcx);
  const bad = join(folder, 'broken.fit');
  await writeFile(bad, brokenFit());
  const files = (await readdir(folder)).sort().map((file) => join(folder, file));
  return { folder, files, ride, bad };
}

/** RFC 4180 rows (quoted fields, doubled quotes, CRLF); a leading byte-order mark is dropped. */
export function parseCsv(text: string): Array<Record<string, string>> {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  const body = text.startsWith('\uFEFF') ? text.slice(1) : text;
  for (let i = 0; i < body.length; i += 1) {
    const char = body[i] as string;
    if (quoted) {
      if (char === '"' && body[i + 1] === '"') {
        field += '"';
        i += 1;
      } else if (char === '"') quoted = false;
      else field += char;
    } else if (char === '"') quoted = true;
    else if (char === ',') {
      row.push(field);
      field = '';
    } else if (char === '\r' && body[i + 1] === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      i += 1;
    } else field += char;
  }
  if (field !== '' || row.length > 0) {
    row.push(field);
    rows.push(row);
  }
  const [header, ...data] = rows;
  if (header === undefined) return [];
  return data.map((cells) => Object.fromEntries(header.map((name, index) => [name, cells[index] ?? ''])));
}

/** A Redis connection to the test database `db` (BullMQ-ready). */
export function connectRedis(db: number): Redis {
  return new Redis({ host: '127.0.0.1', port: 6379, db, maxRetriesPerRequest: null });
}

export function redisUrl(db: number): string {
  return `redis://127.0.0.1:6379/${db}`;
}

async function scanKeys(redis: Redis, pattern: string): Promise<string[]> {
  const found: string[] = [];
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 500);
    cursor = next;
    found.push(...keys);
  } while (cursor !== '0');
  return found;
}

/** Glob-escapes an account name (they hold only letters, digits, `.`, `_` and `-`). */
const globSafe = (text: string): string => text.replace(/[*?[\]\\]/g, '\\$&');

/**
 * Removes what an account left in Redis: its BullMQ jobs (any state), results, duplicate claims,
 * ledger, quota, zone, hold, and the migrations it ran.
 */
export async function cleanupAccount(redis: Redis, account: string): Promise<void> {
  const queue = new Queue(QUEUE_NAME, { connection: redis, prefix: KEY_PREFIX, skipMetasUpdate: true });
  try {
    const jobs = await queue.getJobs(['waiting', 'prioritized', 'active', 'delayed', 'failed', 'completed', 'waiting-children']);
    for (const job of jobs) if (job?.id?.startsWith(`${account}@`) === true) await job.remove().catch(() => undefined);
  } finally {
    await queue.close();
  }
  const resultIds: string[] = [];
  let cursor = '0';
  do {
    const [next, entries] = await redis.hscan(REDIS_KEYS.results, cursor, 'MATCH', `${globSafe(account)}@*`, 'COUNT', 500);
    cursor = next;
    for (let i = 0; i < entries.length; i += 2) resultIds.push(entries[i] as string);
  } while (cursor !== '0');
  if (resultIds.length > 0) await redis.hdel(REDIS_KEYS.results, ...resultIds);
  for (const id of await redis.zrange(REDIS_KEYS.migrations, '0', '-1')) {
    if ((await redis.hget(REDIS_KEYS.migration(id), 'account')) !== account) continue;
    await redis.multi().del(REDIS_KEYS.migration(id), REDIS_KEYS.migrationFinished(id)).zrem(REDIS_KEYS.migrations, id).exec();
  }
  const keys = [
    ...(await scanKeys(redis, `${REDIS_KEYS.recordings(globSafe(account), '')}*`)),
    ...(await scanKeys(redis, `${REDIS_KEYS.ledgerPrefix}${globSafe(account)}|*`)),
    `${REDIS_KEYS.quotaPrefix}${account}`,
    ...(await scanKeys(redis, `${REDIS_KEYS.quotaPrefix}${globSafe(account)}:*`)),
  ];
  if (keys.length > 0) await redis.del(...keys);
  await redis.hdel(REDIS_KEYS.accountZone, account);
  await redis.hdel(REDIS_KEYS.accountHold, account);
}
