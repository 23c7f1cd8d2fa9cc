/**
 * `optimo-import work --metrics-port 0`: the worker's health and Prometheus endpoint while it
 * imports a file for real (sandbox over HTTPS, Redis database 10), and its orderly stop.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { workCommand } from '../src/commands/work-command.js';
import { sha256Hex } from '../src/jobs/hash.js';
import { createQueueRunner } from '../src/jobs/queue-runner.js';
import { captureIo, cleanupAccount, connectRedis, distinctRides, freshAccount, redisUrl, startSandboxKit, until, USAGE } from './cli-kit.js';
import type { SandboxKit } from './cli-kit.js';

const DB = 10;

describe('work --metrics-port', () => {
  let redis: Redis;
  let kit: SandboxKit;
  const account = freshAccount('metrics');
  beforeAll(async () => {
    redis = connectRedis(DB);
    kit = await startSandboxKit();
  });
  afterAll(async () => {
    await cleanupAccount(redis, account);
    redis.disconnect();
    await kit.close();
  });

  it('serves /healthz and /metrics with the jobs, uploads, requests and quota of the imports it ran; SIGTERM-like stop exits 0', async () => {
    const { env } = await kit.writeConfig({ [account]: undefined });
    const captured = captureIo();
    const stop = new AbortController();
    const running = workCommand(['--metrics-port', '0', '--json'], captured.io, { usage: USAGE, context: { env: { ...env, REDIS_URL: redisUrl(DB) }, cwd: kit.dir }, signal: stop.signal });
    const ready = await until('the ready line', () => captured.out.map((line) => JSON.parse(line) as { event?: string; metrics?: string }).find((line) => line.event === 'ready'));
    expect(ready.metrics).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);

    const [ride] = distinctRides(1);
    const path = join(kit.dir, 'ride.fit');
    await writeFile(path, ride as Uint8Array);
    const runner = createQueueRunner({ redis });
    try {
      const hash = sha256Hex(ride as Uint8Array);
      const { jobId } = await runner.enqueue({ v: 1, account, athleteId: '1', file: { kind: 'path', path }, fileName: 'ride.fit', contentHash: hash, origin: 'submit', submittedAt: Date.now() });
      const result = await runner.waitFor(jobId);
      expect(result.outcome).toBe('imported');

      const health = await fetch(`${ready.metrics}/healthz`);
      expect(health.status).toBe(200);
      expect(await health.json()).toMatchObject({ ok: true, redis: 'up' });

      const text = await until('the job in the metrics', async () => {
        const body = await (await fetch(`${ready.metrics}/metrics`)).text();
        return body.includes('optimo_import_jobs_total{outcome="imported"} 1') ? body : undefined;
      });
      expect(text).toMatch(/optimo_import_uploads_total\{result="uploaded"\} 1/);
      expect(text).toMatch(new RegExp(`optimo_import_quota_left\\{account="${account}"\\} \\d+`));
      expect(text).toMatch(/optimo_import_jobs\{state="completed"\} \d+/);
      expect(text).toMatch(/process_resident_memory_bytes \d+/);
      // No file names, athlete ids or tokens in the metrics.
      expect(text).not.toContain('ride.fit');
      expect(text).not.toContain(kit.sandbox.accounts[0]?.tokens.admin ?? '(none)');
    } finally {
      await runner.close();
      stop.abort();
    }
    expect(await running).toBe(0);
    expect(captured.out.map((line) => (JSON.parse(line) as { event?: string }).event)).toContain('stopped');
  });
});
