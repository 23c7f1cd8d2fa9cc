import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import type { ClientLogEntry } from '../src/client-types.js';
import { isUploadError } from '../src/errors.js';
import { createRedisLimiter } from '../src/limiter/index.js';
import { uploadWorkout } from '../src/upload.js';
import type { UploadResult } from '../src/upload.js';
import { countedPerWindow, expectNoTokenWritten, keep, startKit, startPrivateRedis, testWorkout, TIME_ZONE, written } from './kit.js';
import type { Kit, PrivateRedis } from './kit.js';

/** One Redis bucket shared by two processes, and a Redis restarted in the middle of a batch. */
const DAY_SECONDS = 2;
const QUOTA = 8;
const kits: Kit[] = [];
const redises: PrivateRedis[] = [];
const folder = await mkdtemp(join(tmpdir(), 'optimo-quota-shared-'));
const shared = new Redis({ host: '127.0.0.1', port: 6379, maxRetriesPerRequest: 2 });
const keyPrefix = `optimo-test:quota-shared:${randomUUID()}:`;

afterAll(async () => {
  await Promise.all(kits.map((kit) => kit.close()));
  await Promise.all(redises.map((redis) => redis.stop()));
  const keys = await shared.keys(`${keyPrefix}*`);
  if (keys.length > 0) await shared.del(...keys);
  shared.disconnect();
  await rm(folder, { recursive: true, force: true });
  expectNoTokenWritten();
});

async function quotaKit(): Promise<Kit> {
  const kit = await startKit({ timeZone: TIME_ZONE, quota: QUOTA, daySeconds: DAY_SECONDS });
  kits.push(kit);
  return kit;
}

interface WorkerOutput {
  results: UploadResult[];
  done: boolean;
  errors: string[];
}

/** Runs test/quota-worker.ts in its own Node process. */
function runWorker(settings: object): Promise<WorkerOutput> {
  const packageRoot = fileURLToPath(new URL('..', import.meta.url));
  const child = spawn(process.execPath, ['--conditions=source', '--import', 'tsx', 'test/quota-worker.ts'], {
    cwd: packageRoot,
    env: { ...process.env, OPTIMO_QUOTA_WORKER: JSON.stringify(settings) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: WorkerOutput = { results: [], done: false, errors: [] };
  let buffer = '';
  child.stdout.on('data', (chunk: Buffer) => {
    buffer += chunk.toString();
    const lines = buffer.split('\n');
    buffer = lines.pop() ?? '';
    for (const line of lines) {
      keep(line);
      const record = JSON.parse(line) as { result?: UploadResult; done?: boolean; error?: string; log?: ClientLogEntry };
      if (record.result !== undefined) output.results.push(record.result);
      if (record.done === true) output.done = true;
      if (record.error !== undefined) output.errors.push(record.error);
    }
  });
  child.stderr.on('data', (chunk: Buffer) => {
    keep(chunk.toString());
    output.errors.push(chunk.toString());
  });
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', () => resolve(output));
  });
}

describe('one Redis bucket, shared', () => {
  it('two processes sharing one Redis bucket never pass the quota together', async () => {
    const kit = await quotaKit();
    const certFile = join(folder, 'sandbox.pem');
    await writeFile(certFile, kit.sandbox.certPem);
    const base = { url: kit.sandbox.url, certFile, token: kit.admin, redisPort: 6379, keyPrefix, daySeconds: DAY_SECONDS, tag: 'shared', count: 9 };
    const [a, b] = await Promise.all([runWorker({ ...base, from: 0 }), runWorker({ ...base, from: 9 })]);
    expect(a.errors).toEqual([]);
    expect(b.errors).toEqual([]);
    expect(a.done && b.done).toBe(true);
    const seen = [...kit.requests];
    expect(seen.filter((entry) => entry.status === 429)).toEqual([]);
    const windows = countedPerWindow(seen, DAY_SECONDS);
    expect(windows.size).toBeGreaterThanOrEqual(3);
    for (const count of windows.values()) expect(count).toBeLessThanOrEqual(QUOTA);
    const results = [...a.results, ...b.results];
    expect(new Set(results.map((result) => result.workoutId)).size).toBe(18);
    expect(results.reduce((sum, result) => sum + result.requests, 0)).toBe(seen.length);
    // both processes wrote log lines, and none holds the token (checked in afterAll with the rest)
    expect(written.filter((line) => line.includes('"event":"request"')).length).toBeGreaterThanOrEqual(18);
  });

  it('Redis restarted mid-run: the limiter asks for a sync, the client syncs, the batch goes on within the quota', async () => {
    const kit = await quotaKit();
    const redis = await startPrivateRedis();
    redises.push(redis);
    const connection = new Redis({ host: '127.0.0.1', port: redis.port, maxRetriesPerRequest: 1, retryStrategy: () => 50 });
    const limiter = createRedisLimiter({ redis: connection, account: 'demo', timeZone: TIME_ZONE, daySeconds: DAY_SECONDS, pollMs: 50 });
    const syncs: number[] = [];
    const client = kit.client({
      limiter,
      log: (entry) => {
        keep(entry);
        if (entry.event === 'sync') syncs.push(entry.time);
      },
    });
    const results: UploadResult[] = [];
    let limiterFailures = 0;
    let restartedAt = 0;
    for (let i = 0; i < 16; i += 1) {
      if (i === 6) {
        await redis.stop();
        await redis.start();
        restartedAt = Date.now();
      }
      for (;;) {
        try {
          results.push(await uploadWorkout(client, testWorkout(i, { tag: 'restart' }), { athleteId: 1, timeZone: TIME_ZONE, reconcileDelayMs: 0 }));
          break;
        } catch (error) {
          keep(error);
          // Redis unreachable for a moment: the queue would retry the job; nothing was sent
          if (!isUploadError(error) || error.code !== 'limiter' || limiterFailures > 20) throw error;
          limiterFailures += 1;
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
      }
    }
    await limiter.close();
    connection.disconnect();
    expect(syncs.filter((time) => time >= restartedAt).length).toBeGreaterThanOrEqual(1);
    const seen = [...kit.requests];
    expect(seen.filter((entry) => entry.status === 429)).toEqual([]);
    for (const count of countedPerWindow(seen, DAY_SECONDS).values()) expect(count).toBeLessThanOrEqual(QUOTA);
    expect(new Set(results.map((result) => result.workoutId)).size).toBe(16);
    const ids = (await kit.allWorkouts(1)).map((workout) => workout.externalId).filter((id) => id?.startsWith('test:restart:'));
    expect(ids).toHaveLength(16);
  });
});
