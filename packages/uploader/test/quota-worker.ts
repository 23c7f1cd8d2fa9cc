/**
 * One uploading process for the "two processes share one Redis bucket" test: a client with a
 * Redis limiter uploads `count` workouts and prints one JSON line per result and per log entry.
 * Run by the test: `node --conditions=source --import tsx test/quota-worker.ts` with its settings
 * in the environment variable OPTIMO_QUOTA_WORKER (JSON).
 */
import { readFileSync } from 'node:fs';
import { Redis } from 'ioredis';
import { createClient } from '../src/client.js';
import { createRedisLimiter } from '../src/limiter/index.js';
import { uploadWorkout } from '../src/upload.js';
import { testWorkout, TIME_ZONE } from './kit.js';

interface WorkerSettings {
  url: string;
  certFile: string;
  token: string;
  redisPort: number;
  keyPrefix: string;
  daySeconds: number;
  tag: string;
  from: number;
  count: number;
}

const settings = JSON.parse(process.env.OPTIMO_QUOTA_WORKER ?? '{}') as WorkerSettings;
const print = (record: object): void => void process.stdout.write(`${JSON.stringify(record)}\n`);
const redis = new Redis({ host: '127.0.0.1', port: settings.redisPort, maxRetriesPerRequest: 3 });
const limiter = createRedisLimiter({ redis, keyPrefix: settings.keyPrefix, account: 'demo', timeZone: TIME_ZONE, daySeconds: settings.daySeconds, pollMs: 50 });
const client = createClient({
  endpoint: settings.url,
  token: settings.token,
  ca: readFileSync(settings.certFile, 'utf8'),
  userAgent: 'optimo-import-tests/0.1.0',
  limiter,
  retry: { retries: 4, minDelayMs: 10, maxDelayMs: 80, maxRetryTimeMs: 10_000 },
  timeouts: { connectMs: 2000, answerMs: 2000 },
  log: (entry) => print({ log: entry }),
});

try {
  for (let i = settings.from; i < settings.from + settings.count; i += 1) {
    const result = await uploadWorkout(client, testWorkout(i, { tag: settings.tag }), { athleteId: 1, timeZone: TIME_ZONE, reconcileDelayMs: 0 });
    print({ result, index: i });
  }
  print({ done: true });
} catch (error) {
  print({ error: String(error) });
  process.exitCode = 1;
} finally {
  client.close();
  await limiter.close();
  redis.disconnect();
}
