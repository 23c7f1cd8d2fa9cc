import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import type { ImportResult } from '../jobs/job-data.js';
import { createWorkerMetrics } from './metrics.js';
import { startHealthServer } from './server.js';
import type { HealthReport } from './server.js';

function result(fields: Partial<ImportResult>): ImportResult {
  return {
    jobId: 'riverside@' + 'a'.repeat(64),
    account: 'riverside',
    athleteId: '42',
    fileName: 'ride.fit',
    contentHash: 'a'.repeat(64),
    origin: 'watch',
    outcome: 'imported',
    workoutIds: ['w-1'],
    requests: 2,
    entries: [{ entry: 'ride.fit', index: 0, outcome: 'uploaded', workoutId: 'w-1', requests: 2 }],
    finishedAt: '2026-05-01T10:00:00.000Z',
    attempts: 1,
    ...fields,
  };
}

/** `name{labels} value` lines of the text, as a map. */
function samples(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const cut = line.lastIndexOf(' ');
    out.set(line.slice(0, cut), Number(line.slice(cut + 1)));
  }
  return out;
}

describe('createWorkerMetrics', () => {
  it('counts jobs, uploads, requests, failures and durations from results', async () => {
    const metrics = createWorkerMetrics({ defaultMetrics: false });
    metrics.jobFinished(result({}), 1500);
    metrics.jobFinished(
      result({
        outcome: 'partial',
        requests: 5,
        account: 'lakeside',
        code: 'bad-request',
        entries: [
          { entry: 'a.zip!one.fit', outcome: 'uploaded', workoutId: 'w-2', requests: 1 },
          { entry: 'a.zip!two.fit', outcome: 'already-uploaded', workoutId: 'w-3', requests: 2 },
          { entry: 'a.zip!three.fit', outcome: 'duplicate', requests: 0 },
          { entry: 'a.zip!four.fit', outcome: 'failed', code: 'bad-request', requests: 2 },
          { entry: 'a.zip!notes.txt', outcome: 'skipped', requests: 0 },
        ],
      }),
      250,
    );
    metrics.jobFinished(result({ outcome: 'failed', code: 'corrupt', workoutIds: [], requests: 0, entries: [] }), 10);
    metrics.jobFailed('transient');
    metrics.jobFailed('transient');
    metrics.requests('riverside', 3);

    const text = await metrics.metrics();
    const got = samples(text);
    expect(got.get('optimo_import_jobs_total{outcome="imported"}')).toBe(1);
    expect(got.get('optimo_import_jobs_total{outcome="partial"}')).toBe(1);
    expect(got.get('optimo_import_jobs_total{outcome="failed"}')).toBe(1);
    expect(got.get('optimo_import_jobs_total{outcome="duplicate"}')).toBe(0);
    expect(got.get('optimo_import_uploads_total{result="uploaded"}')).toBe(2);
    expect(got.get('optimo_import_uploads_total{result="already-uploaded"}')).toBe(1);
    expect(got.get('optimo_import_uploads_total{result="duplicate"}')).toBe(1);
    expect(got.get('optimo_import_uploads_total{result="failed"}')).toBe(1);
    expect([...got.keys()].some((key) => key.includes('skipped'))).toBe(false);
    expect(got.get('optimo_import_requests_total{account="riverside"}')).toBe(2 + 3);
    expect(got.get('optimo_import_requests_total{account="lakeside"}')).toBe(5);
    expect(got.get('optimo_import_failures_total{reason="bad-request"}')).toBe(1);
    expect(got.get('optimo_import_failures_total{reason="corrupt"}')).toBe(1);
    expect(got.get('optimo_import_failures_total{reason="transient"}')).toBe(2);
    expect(got.get('optimo_import_job_duration_seconds_count{outcome="imported"}')).toBe(1);
    expect(got.get('optimo_import_job_duration_seconds_sum{outcome="imported"}')).toBe(1.5);
    expect(got.get('optimo_import_job_duration_seconds_bucket{le="2.5",outcome="imported"}')).toBe(1);
    expect(got.get('optimo_import_job_duration_seconds_bucket{le="1",outcome="imported"}')).toBe(0);
    expect(text).toContain('# TYPE optimo_import_jobs_total counter');
    expect(text).toContain('# TYPE optimo_import_job_duration_seconds histogram');
    expect(text).not.toContain('process_cpu');
  });

  it("with countRequests 'calls', only requests() counts requests", async () => {
    const metrics = createWorkerMetrics({ defaultMetrics: false, countRequests: 'calls' });
    metrics.jobFinished(result({ requests: 7 }), 1);
    metrics.requests('riverside');
    expect(samples(await metrics.metrics()).get('optimo_import_requests_total{account="riverside"}')).toBe(1);
  });

  it("with uploads 'entries', workouts count as they finish, not again with the result", async () => {
    const metrics = createWorkerMetrics({ defaultMetrics: false, uploads: 'entries' });
    const failed = { entry: 'a.zip!two.fit', outcome: 'failed' as const, code: 'bad-request', requests: 1 };
    metrics.entryFinished({ entry: 'a.zip!one.fit', outcome: 'uploaded', workoutId: 'w-1', requests: 1 }, 'riverside');
    metrics.entryFinished(failed, 'riverside');
    metrics.jobFinished(result({ outcome: 'partial', code: 'bad-request', entries: [{ entry: 'a.zip!one.fit', outcome: 'uploaded', workoutId: 'w-1', requests: 1 }, failed] }), 5);
    const got = samples(await metrics.metrics());
    expect(got.get('optimo_import_uploads_total{result="uploaded"}')).toBe(1);
    expect(got.get('optimo_import_uploads_total{result="failed"}')).toBe(1);
    expect(got.get('optimo_import_failures_total{reason="bad-request"}')).toBe(1);
    expect(got.get('optimo_import_jobs_total{outcome="partial"}')).toBe(1);
    // The default: entryFinished() moves nothing.
    const byResults = createWorkerMetrics({ defaultMetrics: false });
    byResults.entryFinished(failed, 'riverside');
    expect(samples(await byResults.metrics()).get('optimo_import_uploads_total{result="failed"}')).toBe(0);
  });

  it('reads quota and queue gauges on each scrape, one quota call per scrape, and counts a callback that throws', async () => {
    let quotaCalls = 0;
    let failQueue = false;
    const errors: string[] = [];
    const metrics = createWorkerMetrics({
      quota: async () => {
        quotaCalls += 1;
        return [
          { account: 'riverside', left: 4000 - quotaCalls, used: 750 + quotaCalls, limit: 5000 },
          { account: 'lakeside', left: 0, used: 5000, limit: 5000 },
        ];
      },
      queueCounts: async () => {
        if (failQueue) throw new Error('Redis is down');
        return { waiting: 3, active: 1, delayed: 2, failed: 4, completed: 10 };
      },
      onCollectError: (error, gauge) => errors.push(`${gauge}: ${(error as Error).message}`),
    });
    let got = samples(await metrics.metrics());
    expect(quotaCalls).toBe(1);
    expect(got.get('optimo_import_quota_left{account="riverside"}')).toBe(3999);
    expect(got.get('optimo_import_quota_used{account="riverside"}')).toBe(751);
    expect(got.get('optimo_import_quota_limit{account="lakeside"}')).toBe(5000);
    expect(got.get('optimo_import_quota_left{account="lakeside"}')).toBe(0);
    expect(got.get('optimo_import_jobs{state="waiting"}')).toBe(3);
    expect(got.get('optimo_import_jobs{state="completed"}')).toBe(10);
    expect(got.has('process_cpu_user_seconds_total')).toBe(true);

    failQueue = true;
    got = samples(await metrics.metrics());
    expect(quotaCalls).toBe(2);
    expect(got.get('optimo_import_quota_left{account="riverside"}')).toBe(3998);
    expect(got.has('optimo_import_jobs{state="waiting"}')).toBe(false);
    // Counted during that scrape, shown from the next one.
    got = samples(await metrics.metrics());
    expect(got.get('optimo_import_collect_errors_total{gauge="optimo_import_jobs"}')).toBe(1);
    expect(errors).toEqual(['optimo_import_jobs: Redis is down', 'optimo_import_jobs: Redis is down']);
  });

  it('keeps its metrics out of the global registry, so two can live in one process', async () => {
    const one = createWorkerMetrics({ defaultMetrics: true });
    const two = createWorkerMetrics({ defaultMetrics: true });
    one.jobFinished(result({}), 1);
    expect(samples(await two.metrics()).get('optimo_import_jobs_total{outcome="imported"}')).toBe(0);
    const { register } = await import('prom-client');
    expect(await register.getSingleMetric('optimo_import_jobs_total')).toBeUndefined();
  });
});

describe('startHealthServer', () => {
  const redis = new Redis({ host: '127.0.0.1', port: 6379, maxRetriesPerRequest: 1 });
  // Nothing listens on port 1: a Redis that is down.
  const down = new Redis({ host: '127.0.0.1', port: 1, maxRetriesPerRequest: 0, lazyConnect: true, retryStrategy: () => null, enableOfflineQueue: false });
  down.on('error', () => undefined);
  afterAll(async () => {
    await redis.quit();
    down.disconnect();
  });

  const healthOf =
    (connection: Redis) =>
    async (): Promise<HealthReport> => {
      try {
        await connection.ping();
        return { ok: true, redis: 'up' };
      } catch (error) {
        return { ok: false, redis: 'down', error: (error as Error).message };
      }
    };

  it('serves /metrics and /healthz, 404 and 405 otherwise', async () => {
    const metrics = createWorkerMetrics({ queueCounts: async () => ({ waiting: 1 }) });
    metrics.jobFinished(result({ outcome: 'duplicate', entries: [{ entry: 'ride.fit', outcome: 'duplicate', requests: 0 }] }), 100);
    const server = await startHealthServer({ port: 0, metrics, health: healthOf(redis) });
    try {
      expect(server.port).toBeGreaterThan(0);
      expect(server.url).toBe(`http://127.0.0.1:${server.port}`);
      const scrape = await fetch(`${server.url}/metrics`);
      expect(scrape.status).toBe(200);
      expect(scrape.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
      const got = samples(await scrape.text());
      expect(got.get('optimo_import_jobs_total{outcome="duplicate"}')).toBe(1);
      expect(got.get('optimo_import_uploads_total{result="duplicate"}')).toBe(1);
      expect(got.get('optimo_import_jobs{state="waiting"}')).toBe(1);

      const healthy = await fetch(`${server.url}/healthz?verbose=1`);
      expect(healthy.status).toBe(200);
      expect(healthy.headers.get('content-type')).toBe('application/json; charset=utf-8');
      expect(await healthy.json()).toEqual({ ok: true, redis: 'up' });

      const head = await fetch(`${server.url}/healthz`, { method: 'HEAD' });
      expect(head.status).toBe(200);
      expect(await head.text()).toBe('');
      expect((await fetch(`${server.url}/`)).status).toBe(404);
      expect((await fetch(`${server.url}/metrics/x`)).status).toBe(404);
      const post = await fetch(`${server.url}/metrics`, { method: 'POST', body: 'x' });
      expect(post.status).toBe(405);
      expect(post.headers.get('allow')).toBe('GET, HEAD');
    } finally {
      await server.close();
    }
  });

  it('answers 503 when Redis is down or the health check throws', async () => {
    const metrics = createWorkerMetrics({ defaultMetrics: false });
    const server = await startHealthServer({ port: 0, metrics, health: healthOf(down) });
    const throwing = await startHealthServer({
      port: 0,
      metrics,
      health: async () => {
        throw new Error('boom');
      },
    });
    try {
      const answer = await fetch(`${server.url}/healthz`);
      expect(answer.status).toBe(503);
      expect(await answer.json()).toMatchObject({ ok: false, redis: 'down' });
      const thrown = await fetch(`${throwing.url}/healthz`);
      expect(thrown.status).toBe(503);
      expect(await thrown.json()).toEqual({ ok: false, redis: 'down', error: 'boom' });
    } finally {
      await server.close();
      await throwing.close();
    }
  });

  it('rejects a bad port', async () => {
    const metrics = createWorkerMetrics({ defaultMetrics: false });
    await expect(startHealthServer({ port: 70_000, metrics, health: async () => ({ ok: true, redis: 'up' }) })).rejects.toThrow('[health] option `port` must be a whole number from 0 to 65535, got 70000');
  });
});
