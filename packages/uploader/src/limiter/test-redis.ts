/**
 * Redis helpers of the limiter tests: a connection to the shared test Redis (127.0.0.1:6379), a
 * unique key prefix per limiter with clean-up, and a private `redis-server` a test may kill.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:net';
import type { Redis } from 'ioredis';
import { redisLimiterKey } from './redis-limiter.js';

export const REDIS_SERVER = '/usr/bin/redis-server';

/** Tracks the keys of the limiters a test made, to delete them afterwards. */
export function createKeyTracker(redis: Redis): { prefix(): string; cleanup(...accounts: string[]): Promise<void> } {
  const prefixes: string[] = [];
  return {
    prefix() {
      const prefix = `optimo-test:limiter:${randomUUID()}:`;
      prefixes.push(prefix);
      return prefix;
    },
    async cleanup(...accounts) {
      const keys = prefixes.splice(0).flatMap((prefix) => accounts.map((account) => redisLimiterKey(account, prefix)));
      if (keys.length > 0) await redis.del(...keys);
    },
  };
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address !== null ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

export interface RedisServer {
  port: number;
  /** SIGKILL, as a crash: no shutdown save. */
  kill(): Promise<void>;
}

/** Starts `redis-server` on the port with the extra arguments; resolves once it accepts connections. */
export async function startRedisServer(port: number, args: string[]): Promise<RedisServer> {
  const child: ChildProcess = spawn(REDIS_SERVER, ['--port', String(port), '--bind', '127.0.0.1', '--daemonize', 'no', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`redis-server did not start: ${output}`)), 10_000);
    const onData = (chunk: Buffer): void => {
      output += chunk.toString();
      if (output.includes('Ready to accept connections')) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`redis-server exited (${code}): ${output}`));
    });
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    port,
    async kill() {
      child.kill('SIGKILL');
      await exited;
    },
  };
}

/** Waits until the connection answers PING (after a server restart). */
export async function waitReady(redis: Redis): Promise<void> {
  for (let i = 0; i < 200; i++) {
    try {
      if ((await redis.ping()) === 'PONG') return;
    } catch {
      // still reconnecting
    }
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error('Redis did not come back');
}
