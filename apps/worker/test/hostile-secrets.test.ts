/**
 * What the project keeps about a run, read back for secrets and personal data (docs/security.md):
 *
 * - Redis after a queue migration and a `work` process: no key or value holds the token (as
 *   given, as the Basic credentials the uploader sends, or base64), nor the token file's text;
 * - `/metrics` and `/healthz` of the `work` process: no file name, path, athlete id, job id,
 *   content hash or token — only the documented label names;
 * - `failed/<name>.error.json`: mode 0600 plus what the failed file itself grants group and others.
 *
 * Redis database 15, as hostile.test.ts (a fresh account per test, cleaned up afterwards).
 */
import { readFile, stat, mkdir, writeFile, chmod } from 'node:fs/promises';
import { join } from 'node:path';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrateCommand } from '../src/commands/migrate-command.js';
import { workCommand } from '../src/commands/work-command.js';
import { createTestRunner } from '../src/watch/test-runner.js';
import { importFolderOnce, reportModeOf } from '../src/watch/watch-folder.js';
import { captureIo, cleanupAccount, connectRedis, freshAccount, QUIET, redisUrl, startSandboxKit, until, USAGE } from './cli-kit.js';
import type { SandboxKit } from './cli-kit.js';
import { brokenFitOf, goodFit } from './hostile-files.js';

const DB = 15;

/** Every value of a key, whatever its type, as text (binary values as latin1, so that any byte sequence can be searched). */
async function valuesOf(redis: Redis, key: string): Promise<string[]> {
  const type = await redis.type(key);
  const text = (buffers: Buffer[]): string[] => buffers.map((b) => b.toString('latin1'));
  switch (type) {
    case 'string':
      return text([(await redis.getBuffer(key)) ?? Buffer.alloc(0)]);
    case 'hash':
      return text(await redis.hgetallBuffer(key).then((h) => Object.entries(h).flatMap(([field, value]) => [Buffer.from(field), value])));
    case 'list':
      return text(await redis.lrangeBuffer(key, 0, -1));
    case 'set':
      return text(await redis.smembersBuffer(key));
    case 'zset':
      return text(await redis.zrangeBuffer(key, '0', '-1'));
    case 'stream':
      return (await redis.xrange(key, '-', '+')).flatMap(([id, fields]) => [id, ...fields]);
    default:
      return [];
  }
}

async function allKeys(redis: Redis): Promise<string[]> {
  const keys: string[] = [];
  let cursor = '0';
  do {
    const [next, batch] = await redis.scan(cursor, 'COUNT', 1000);
    cursor = next;
    keys.push(...batch);
  } while (cursor !== '0');
  return keys;
}

describe('secrets and personal data in what a queue run leaves behind', () => {
  const account = freshAccount('secrets');
  let kit: SandboxKit;
  let redis: Redis;
  let env: Record<string, string>;
  let token: string;
  let tokenFile: string;
  const stop = new AbortController();
  let working: Promise<number> | undefined;
  const work = captureIo();
  let metricsUrl: string;

  beforeAll(async () => {
    redis = connectRedis(DB);
    kit = await startSandboxKit({ timeZone: 'Europe/Lisbon' });
    const written = await kit.writeConfig({ [account]: undefined });
    env = { ...written.env, REDIS_URL: redisUrl(DB) };
    tokenFile = written.tokenFiles[account] as string;
    token = (await readFile(tokenFile, 'utf8')).trim();
    working = workCommand(['--metrics-port', '0', '--json'], work.io, { usage: USAGE, context: { env, cwd: kit.dir }, signal: stop.signal });
    const ready = await until('the worker to be ready', () => work.out.map((line) => JSON.parse(line) as { event: string; metrics?: string }).find((event) => event.event === 'ready'), 20_000);
    metricsUrl = ready.metrics as string;
    expect(metricsUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  }, 60_000);
  afterAll(async () => {
    stop.abort();
    await working;
    await cleanupAccount(redis, account);
    redis.disconnect();
    await kit?.close();
  });

  it('a migration through the queue: no Redis key or value holds the token, in any form', async () => {
    const folder = join(kit.dir, 'private-files');
    await mkdir(folder, { recursive: true });
    await writeFile(join(folder, 'PRIVATE-alice-smith-ride.fit'), goodFit(500));
    await writeFile(join(folder, 'PRIVATE-bob-jones-broken.fit'), brokenFitOf(501));
    const before = new Set(await allKeys(redis));
    const run = captureIo();
    const code = await migrateCommand([folder, '--athlete', '2', '--no-work'], run.io, { usage: USAGE, context: { env, cwd: kit.dir }, progress: QUIET, pollMs: 50 });
    expect(code, run.text()).toBe(1);

    const keys = await allKeys(redis);
    const written = keys.filter((key) => !before.has(key));
    expect(written.length).toBeGreaterThan(5); // the jobs, results, ledger, quota, migration
    const forms = [token, Buffer.from(`${token}:X`).toString('base64'), Buffer.from(token).toString('base64')];
    const found: string[] = [];
    for (const key of keys) {
      for (const form of forms) if (key.includes(form)) found.push(`key ${key}`);
      for (const value of await valuesOf(redis, key)) for (const form of forms) if (value.includes(form)) found.push(`value of ${key}`);
    }
    expect(found).toEqual([]);
    // The job itself: the account's name, never its endpoint's credentials nor its token file.
    const jobKeys = written.filter((key) => key.startsWith('optimo-import:imports:') && key.includes(`${account}@`) && !key.includes(':logs'));
    expect(jobKeys.length).toBeGreaterThanOrEqual(2);
    for (const key of jobKeys) {
      const data = await redis.hget(key, 'data');
      if (data === null) continue;
      const job = JSON.parse(data) as Record<string, unknown>;
      expect(Object.keys(job).filter((field) => /token|secret|password|auth/i.test(field))).toEqual([]);
      expect(data).not.toContain(tokenFile);
    }
  }, 120_000);

  it('/metrics and /healthz of the work process name no file, path, athlete, job, hash or token', async () => {
    await until('the worker to have counted the migration', async () => (await (await fetch(`${metricsUrl}/metrics`)).text()).includes('optimo_import_jobs_total{outcome="failed"} 1'), 20_000);
    const text = await (await fetch(`${metricsUrl}/metrics`)).text();
    for (const secret of ['PRIVATE', 'alice', 'bob', kit.dir, token, Buffer.from(`${token}:X`).toString('base64'), '@', '.fit', 'athlete']) expect(text, secret).not.toContain(secret);
    // Label names: only the documented ones (metrics.ts) and prom-client's process metrics'.
    const labels = new Set([...text.matchAll(/[{,]([a-zA-Z_][a-zA-Z0-9_]*)="/g)].map((m) => m[1] as string));
    const allowed = new Set(['outcome', 'result', 'account', 'reason', 'state', 'gauge', 'le', 'version', 'major', 'minor', 'patch', 'space', 'kind', 'type']);
    expect([...labels].filter((label) => !allowed.has(label))).toEqual([]);
    // A label value is a code, an outcome, a state or the account's configured name.
    for (const [, label, value] of text.matchAll(/[{,](outcome|result|reason|account|state)="([^"]*)"/g)) expect(value, label).toMatch(/^[a-z0-9._-]+$/i);
    const health = (await (await fetch(`${metricsUrl}/healthz`)).json()) as Record<string, unknown>;
    expect(health).toEqual({ ok: true, redis: 'up' });
  });
});

describe("the mode of a failed file's .error.json", () => {
  it('is 0600 plus what the file grants its group and others (under the umask): never more readable than the file', async () => {
    const kit = await startSandboxKit();
    const previous = process.umask(0o022);
    try {
      const dir = join(kit.dir, 'modes');
      await mkdir(dir, { recursive: true });
      const modes = { 'private.fit': 0o600, 'group.fit': 0o640, 'world.fit': 0o644, 'open.fit': 0o666, 'locked.fit': 0o000 };
      for (const [name, mode] of Object.entries(modes)) {
        await writeFile(join(dir, name), 'BAD content');
        await chmod(join(dir, name), mode);
      }
      const summary = await importFolderOnce({ folder: dir, runner: createTestRunner(), account: 'riverside', athleteId: '7', stableMs: 0 });
      expect(summary).toMatchObject({ failed: 5 });
      const reportMode = async (name: string): Promise<number> => (await stat(join(dir, 'failed', `${name}.error.json`))).mode & 0o777;
      expect(await reportMode('private.fit')).toBe(0o600);
      expect(await reportMode('group.fit')).toBe(0o640);
      expect(await reportMode('world.fit')).toBe(0o644);
      expect(await reportMode('open.fit')).toBe(0o644); // the umask takes group and others' write
      expect(await reportMode('locked.fit')).toBe(0o600); // the watcher can always read its own report
      expect(reportModeOf(0o100604)).toBe(0o604);
    } finally {
      process.umask(previous);
      await kit.close();
    }
  });
});
