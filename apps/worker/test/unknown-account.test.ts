/**
 * Several workers with different accounts share one queue: a worker never fails a job of an
 * account it has no config for while another worker may have it; it puts the job back, and the
 * worker that has the account imports it. After the grace period nobody took it: failed, with
 * the reason.
 */
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sha256Hex } from '../src/jobs/hash.js';
import type { ImportJobData } from '../src/jobs/job-data.js';
import { createQueuePipeline } from '../src/jobs/pipeline.js';
import { createQueueRunner } from '../src/jobs/queue-runner.js';
import { createImportWorker } from '../src/jobs/queue-worker.js';
import { cleanupAccount, connectRedis, distinctRides, freshAccount, until } from './cli-kit.js';
import { startKit } from './kit.js';
import type { Kit } from './kit.js';

/** This file's Redis database (cli-kit.ts: one per file that runs workers). */
const DB = 12;

function jobOf(account: string, bytes: Uint8Array, name: string): ImportJobData {
  return { v: 1, account, athleteId: '1', file: { kind: 'redis', key: `optimo-import:file:${account}@${sha256Hex(bytes)}`, size: bytes.length }, fileName: name, contentHash: sha256Hex(bytes), origin: 'submit', submittedAt: Date.now() };
}

describe('a job of an account configured on another worker', () => {
  let redis: Redis;
  let kit: Kit;
  const mine = freshAccount('known');
  const elsewhere = freshAccount('elsewhere');
  beforeAll(async () => {
    redis = connectRedis(DB);
    kit = await startKit({ account: elsewhere });
  });
  afterAll(async () => {
    for (const account of [mine, elsewhere]) await cleanupAccount(redis, account);
    redis.disconnect();
    await kit.close();
  });

  it('is put back (delayed, not failed) by a worker without it, and imported by the worker that has it', async () => {
    const [ride, late] = distinctRides(2);
    const runner = createQueueRunner({ redis });
    // Worker X knows only `mine` (configured with the same endpoint under another name).
    const other = { ...kit.accounts[0], name: mine } as (typeof kit.accounts)[number];
    const pipelineX = createQueuePipeline(redis, { accounts: [other] });
    const workerX = createImportWorker({ connection: redis.duplicate(), deps: pipelineX.deps, unknownAccountRetryMs: 300 });
    try {
      const job = jobOf(elsewhere, ride as Uint8Array, 'ride.fit');
      await redis.set(job.file.kind === 'redis' ? job.file.key : '', Buffer.from(ride as Uint8Array), 'EX', 600);
      const { jobId } = await runner.enqueue(job);
      // X takes it and puts it back, again and again: never failed, never a result.
      await until('put back by X', async () => (await runner.queue.getJob(jobId))?.attemptsStarted !== undefined && ((await runner.queue.getJob(jobId))?.attemptsStarted ?? 0) >= 2);
      expect(await (await runner.queue.getJob(jobId))?.getState()).not.toBe('failed');
      expect(await runner.result(jobId)).toBeUndefined();

      // Y has the account: it imports the file.
      const pipelineY = createQueuePipeline(redis, { accounts: kit.accounts });
      const workerY = createImportWorker({ connection: redis.duplicate(), deps: pipelineY.deps });
      try {
        const result = await runner.waitFor(jobId);
        expect(result.outcome).toBe('imported');
        expect(result.account).toBe(elsewhere);
        // The submitted bytes are gone from Redis once the result is final.
        expect(await redis.exists(job.file.kind === 'redis' ? job.file.key : '')).toBe(0);
      } finally {
        await workerY.close();
        await pipelineY.close();
      }

      // With no grace left, X fails such a job for good, saying which accounts it has.
      await workerX.close();
      const strict = createImportWorker({ connection: redis.duplicate(), deps: pipelineX.deps, unknownAccountGraceMs: 0 });
      try {
        const second = jobOf(elsewhere, late as Uint8Array, 'late.fit');
        await redis.set(second.file.kind === 'redis' ? second.file.key : '', Buffer.from(late as Uint8Array), 'EX', 600);
        const failed = await runner.waitFor((await runner.enqueue(second)).jobId);
        expect(failed.outcome).toBe('failed');
        expect(failed.code).toBe('account-unknown');
        expect(failed.reason).toContain(`"${elsewhere}" is not configured on this worker`);
        expect(failed.reason).toContain(`"${mine}"`);
      } finally {
        await strict.close();
      }
    } finally {
      await workerX.close();
      await runner.close();
      await pipelineX.close();
    }
  });
});
