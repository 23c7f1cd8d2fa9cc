import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_STORED_FILE_BYTES, parseJobData, PRIORITY } from '../jobs/job-data.js';
import type { ImportResult } from '../jobs/job-data.js';
import { redisKeysOf } from '../jobs/keys.js';
import { createImportQueue } from '../jobs/queue.js';
import { isImportClientError } from './client-error.js';
import type { ImportClientError } from './client-error.js';
import { createImportClient } from './import-client.js';
import { connectTestRedis, createTestPrefix, deleteKeys, resultOf, startTestWorker } from './test-redis.js';

const prefix = createTestPrefix();
const keys = redisKeysOf(prefix);
const redis = connectTestRedis();
const queue = createImportQueue(redis, prefix);
let folder: string;

beforeAll(async () => {
  folder = await mkdtemp(join(tmpdir(), 'import-client-'));
});

afterAll(async () => {
  await queue.close();
  await deleteKeys(redis, prefix);
  await redis.quit();
  await rm(folder, { recursive: true, force: true });
});

const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

async function rejection(promise: Promise<unknown>): Promise<ImportClientError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  if (!isImportClientError(error)) throw new Error(`expected an ImportClientError, got ${String(error)}`);
  return error;
}

describe('submit', () => {
  it('stores bytes before the job, validated, with a TTL; the same bytes are the same job', async () => {
    const client = createImportClient({ redis, prefix, now: () => 1_700_000_000_000 });
    const bytes = randomBytes(1000);
    const jobId = await client.submit({ account: 'riverside', athleteId: '42', file: bytes, fileName: 'ride.fit', format: 'fit' });
    expect(jobId).toBe(`riverside@${sha256(bytes)}`);

    const job = await queue.getJob(jobId);
    expect(job?.name).toBe('import');
    expect(job?.opts.priority).toBe(PRIORITY.submit);
    const data = parseJobData(job?.data);
    expect(data).toEqual({
      v: 1,
      account: 'riverside',
      athleteId: '42',
      file: { kind: 'redis', key: keys.file(jobId), size: 1000 },
      fileName: 'ride.fit',
      contentHash: sha256(bytes),
      format: 'fit',
      origin: 'submit',
      submittedAt: 1_700_000_000_000,
    });
    expect(Buffer.compare((await redis.getBuffer(keys.file(jobId))) ?? Buffer.alloc(0), bytes)).toBe(0);
    const ttl = await redis.ttl(keys.file(jobId));
    expect(ttl).toBeGreaterThan(13 * 86_400);
    expect(ttl).toBeLessThanOrEqual(14 * 86_400);

    expect(await client.submit({ account: 'riverside', athleteId: '42', file: new Uint8Array(bytes), fileName: 'again.fit' })).toBe(jobId);
    expect((await queue.getJob(jobId))?.data.fileName).toBe('ride.fit');
    // Another account is another job.
    expect(await client.submit({ account: 'lakeside', athleteId: '42', file: bytes, fileName: 'ride.fit' })).toBe(`lakeside@${sha256(bytes)}`);
    await client.close();
    expect(await redis.ping()).toBe('PONG');
  });

  it('hashes a path by reading it and enqueues the path', async () => {
    const client = createImportClient({ redis, prefix });
    const bytes = randomBytes(3000);
    const path = join(folder, 'run.tcx');
    await writeFile(path, bytes);
    const jobId = await client.submit({ account: 'riverside', athleteId: '7', file: path, fileName: 'run.tcx', timeZone: 'Europe/Lisbon' });
    expect(jobId).toBe(`riverside@${sha256(bytes)}`);
    const data = parseJobData((await queue.getJob(jobId))?.data);
    expect(data.file).toEqual({ kind: 'path', path });
    expect(data.timeZone).toBe('Europe/Lisbon');
    expect(await redis.exists(keys.file(jobId))).toBe(0);
    await client.close();
  });

  it('lists every problem of a bad input at once', async () => {
    const client = createImportClient({ redis, prefix });
    const error = await rejection(client.submit({ account: 'bad account!', athleteId: '  ', file: 'relative/ride.fit', fileName: '', format: 'pdf' as 'fit' }));
    expect(error.code).toBe('invalid-input');
    expect(error.message).toMatch(/^\[import-client\] invalid job: /);
    const fields = error.problems.map((problem) => problem.split(':')[0]);
    expect(fields).toEqual(expect.arrayContaining(['file', 'account', 'athleteId', 'fileName', 'format']));
    expect(error.problems.find((problem) => problem.startsWith('file'))).toContain('absolute path');

    const notBytes = await rejection(client.submit({ account: 'riverside', athleteId: '1', file: 42 as unknown as string, fileName: 'x.fit' }));
    expect(notBytes.problems).toEqual(['file: a path (string) or the file\'s bytes (Uint8Array), got number']);
    expect((await rejection(client.submit({ account: 'riverside', athleteId: '1', file: new Uint8Array(0), fileName: 'x.fit' }))).problems).toEqual(['file: empty (0 bytes)']);
    await client.close();
  });

  it('refuses bytes over the cap and paths it cannot read, and stores nothing', async () => {
    const client = createImportClient({ redis, prefix });
    const big = new Uint8Array(MAX_STORED_FILE_BYTES + 1);
    const tooLarge = await rejection(client.submit({ account: 'riverside', athleteId: '1', file: big, fileName: 'huge.fit' }));
    expect(tooLarge.code).toBe('file-too-large');
    expect(tooLarge.message).toContain(`over the ${MAX_STORED_FILE_BYTES} bytes`);
    expect(await redis.exists(keys.file(`riverside@${sha256(big)}`))).toBe(0);

    const missing = await rejection(client.submit({ account: 'riverside', athleteId: '1', file: join(folder, 'nope.fit'), fileName: 'nope.fit' }));
    expect(missing.code).toBe('unreadable-file');
    expect(missing.message).toContain('ENOENT');
    const notFile = await rejection(client.submit({ account: 'riverside', athleteId: '1', file: folder, fileName: 'folder' }));
    expect(notFile.code).toBe('unreadable-file');
    await client.close();
  });

  it('rejects bad options at construction, and use after close', async () => {
    expect(() => createImportClient({ redis: 'http://localhost' })).toThrow('[import-client] option `redis` must be an ioredis connection or a redis:// or rediss:// URL, got "http://localhost"');
    expect(() => createImportClient({ redis, fileTtlSeconds: 0 })).toThrow(/option `fileTtlSeconds`/);
    const client = createImportClient({ redis: 'redis://127.0.0.1:6379', prefix });
    await client.close();
    expect((await rejection(client.submit({ account: 'a', athleteId: '1', file: new Uint8Array(1), fileName: 'a' }))).code).toBe('closed');
  });
});

describe('result, waitForResult and events', () => {
  it('follows a job from waiting to completed', async () => {
    const client = createImportClient({ redis: 'redis://127.0.0.1:6379', prefix });
    const seen: ImportResult[] = [];
    await client.on('result', (result) => seen.push(result));
    const jobId = await client.submit({ account: 'events-ok', athleteId: '42', file: randomBytes(64), fileName: 'ride.fit' });
    expect(await client.result(jobId)).toEqual({ jobId, state: 'waiting', attemptsMade: 0 });
    expect(await client.result('events-ok@nothing')).toEqual({ jobId: 'events-ok@nothing', state: 'unknown', attemptsMade: 0 });

    const waiting = client.waitForResult(jobId, { timeoutMs: 20_000 });
    const worker = startTestWorker({ prefix, decide: (data, id) => resultOf(data, id, { workoutIds: ['w-9'] }) });
    try {
      const result = await waiting;
      expect(result).toMatchObject({ jobId, outcome: 'imported', workoutIds: ['w-9'], account: 'events-ok' });
      const status = await client.result(jobId);
      expect(status.state).toBe('completed');
      expect(status.result).toEqual(result);
      expect(status.attemptsMade).toBe(1);
      // Already finished: at once.
      expect(await client.waitForResult(jobId)).toEqual(result);
      await expect.poll(() => seen.map((one) => one.jobId)).toContain(jobId);
    } finally {
      await worker.close();
      await client.close();
    }
  });

  it('gives the stored reason of a failed job, and a made-up result when none was stored', async () => {
    const client = createImportClient({ redis, prefix });
    const seen: ImportResult[] = [];
    const listener = (result: ImportResult): void => {
      seen.push(result);
    };
    await client.on('result', listener);
    const corrupt = await client.submit({ account: 'events-bad', athleteId: '42', file: randomBytes(64), fileName: 'broken.fit' });
    const silent = await client.submit({ account: 'events-bad', athleteId: '42', file: randomBytes(64), fileName: 'silent.fit' });
    const worker = startTestWorker({
      prefix,
      decide: (data, id) =>
        data.fileName === 'silent.fit'
          ? { store: false, fail: 'worker lost its result' }
          : resultOf(data, id, { outcome: 'failed', workoutIds: [], code: 'corrupt', reason: '[fit] byte 14: bad header', entries: [] }),
    });
    try {
      const failed = await client.waitForResult(corrupt, { timeoutMs: 20_000 });
      expect(failed).toMatchObject({ outcome: 'failed', code: 'corrupt', reason: '[fit] byte 14: bad header' });
      const status = await client.result(corrupt);
      expect(status).toMatchObject({ state: 'failed', failedReason: 'corrupt: [fit] byte 14: bad header', attemptsMade: 1 });

      const madeUp = await client.waitForResult(silent, { timeoutMs: 20_000 });
      expect(madeUp).toMatchObject({ jobId: silent, outcome: 'failed', reason: 'worker lost its result', fileName: 'silent.fit', account: 'events-bad', workoutIds: [], attempts: 1 });
      await expect.poll(() => seen.map((one) => one.jobId).sort()).toEqual([corrupt, silent].sort());
      client.off('result', listener);
    } finally {
      await worker.close();
      await client.close();
    }
  });

  it('times out, aborts, and refuses an unknown job', async () => {
    const client = createImportClient({ redis, prefix });
    const jobId = await client.submit({ account: 'events-wait', athleteId: '1', file: randomBytes(32), fileName: 'slow.fit' });
    const timeout = await rejection(client.waitForResult(jobId, { timeoutMs: 50 }));
    expect(timeout).toMatchObject({ code: 'timeout', jobId });
    expect(timeout.message).toBe(`[import-client] ${jobId}: no result within 50 ms`);

    const controller = new AbortController();
    const aborted = client.waitForResult(jobId, { signal: controller.signal });
    controller.abort(new Error('stop'));
    await expect(aborted).rejects.toThrow('stop');

    expect((await rejection(client.waitForResult('events-wait@none'))).code).toBe('unknown-job');
    const pending = rejection(client.waitForResult(jobId));
    await client.close();
    expect((await pending).code).toBe('closed');
  });
});
