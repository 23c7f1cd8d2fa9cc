/**
 * The `work` process's metrics and health endpoint (`--metrics-port`): Prometheus text on
 * `/metrics`, a JSON health report on `/healthz` (503 when Redis does not answer).
 */
import type { LimiterStatus } from '@optimo-import/uploader';
import type { Redis } from 'ioredis';
import type { EntryReport, ImportResult } from '../jobs/job-data.js';
import { createImportQueue } from '../jobs/queue.js';
import { createWorkerMetrics } from '../metrics/metrics.js';
import { startHealthServer } from '../metrics/server.js';
import { readQueueCounts } from '../status/status.js';
import type { HealthServer } from '../metrics/server.js';

export interface RunningMetrics {
  /** `http://host:port` when the endpoint runs. */
  url: string | undefined;
  result(result: ImportResult, durationMs: number): void;
  entry(entry: EntryReport, account: string): void;
  setback(code: string): void;
  setQuotaSource(source: () => Promise<Array<{ account: string; status: LimiterStatus }>>): void;
  close(): Promise<void>;
}

export async function startWorkerMetrics(options: { redis: Redis; port: number | undefined; host: string }): Promise<RunningMetrics> {
  const { redis } = options;
  const queue = createImportQueue(redis);
  // The connection's errors (Redis restarting) are reported by the worker's own 'error' lines and
  // /healthz; without a listener BullMQ prints each one, stack and all, to stderr.
  queue.on('error', () => undefined);
  let quotaSource: (() => Promise<Array<{ account: string; status: LimiterStatus }>>) | undefined;
  const metrics = createWorkerMetrics({
    uploads: 'entries',
    quota: async () => ((await quotaSource?.()) ?? []).map(({ account, status }) => ({ account, left: status.available, used: status.usedToday, limit: status.limit })),
    queueCounts: async () => ({ ...(await readQueueCounts(queue)) }),
  });
  let server: HealthServer | undefined;
  if (options.port !== undefined) {
    server = await startHealthServer({
      port: options.port,
      host: options.host,
      metrics,
      health: async () => {
        const up = await redis.ping().then(
          () => true,
          () => false,
        );
        return { ok: up, redis: up ? 'up' : 'down' };
      },
    });
  }
  return {
    url: server?.url,
    result: (result, durationMs) => metrics.jobFinished(result, durationMs),
    entry: (entry, account) => metrics.entryFinished(entry, account),
    setback: (code) => metrics.jobFailed(code),
    setQuotaSource(source) {
      quotaSource = source;
    },
    async close() {
      await server?.close();
      await queue.close();
    },
  };
}
