/**
 * A second process sharing one Redis bucket: `node --import ./test-ts-loader.mjs
 * test-hammer-child.ts '<json>'` hammers the limiter and prints its grants as one JSON line.
 */
import { Redis } from 'ioredis';
import { createRedisLimiter } from './redis-limiter.js';
import { hammer } from './test-hammer.js';

interface ChildInput {
  port: number;
  keyPrefix: string;
  account: string;
  daySeconds: number;
  burst: number;
  reservePercent: number;
  startAt: number;
  durationMs: number;
}

const input = JSON.parse(process.argv[2] ?? '{}') as ChildInput;
const redis = new Redis({ host: '127.0.0.1', port: input.port });
try {
  const limiter = createRedisLimiter({
    redis,
    keyPrefix: input.keyPrefix,
    account: input.account,
    timeZone: 'UTC',
    daySeconds: input.daySeconds,
    burst: input.burst,
    reservePercent: input.reservePercent,
    pollMs: 50,
  });
  const grants = await hammer(limiter, 'child', input.startAt, input.durationMs);
  process.stdout.write(`${JSON.stringify(grants)}\n`);
} finally {
  redis.disconnect();
}
