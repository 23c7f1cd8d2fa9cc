/**
 * A redis-server of the run's own on a free port of 127.0.0.1, in the run's folder: with
 * persistence (`appendonly yes`, `appendfsync always`: every acknowledged write survives a crash)
 * it can be killed with SIGKILL and started again on the same port with the same data.
 */
import { createServer } from 'node:net';
import { mkdir } from 'node:fs/promises';
import { Redis } from 'ioredis';
import { spawnChild } from './children.js';
import type { Child } from './children.js';

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address !== null ? address.port : 0));
    });
  });
}

export interface RedisServer {
  port: number;
  url: string;
  dir: string;
  /** The run's own connection (`maxRetriesPerRequest: null`: it waits out a restart). */
  client: Redis;
  /** Every redis-server process started so far (their output is evidence too). */
  readonly processes: Child[];
  /** Stops it (SIGKILL: a crash) and waits for the exit. */
  stop(signal?: NodeJS.Signals): Promise<void>;
  /** Starts it again on the same port and folder; resolves once it accepts connections. */
  start(): Promise<void>;
  close(): Promise<void>;
}

export async function startRedisServer(options: { dir: string; persistent: boolean }): Promise<RedisServer> {
  await mkdir(options.dir, { recursive: true });
  const port = await freePort();
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--dir', options.dir, '--save', '', '--daemonize', 'no', '--logfile', ''];
  args.push(...(options.persistent ? ['--appendonly', 'yes', '--appendfsync', 'always'] : ['--appendonly', 'no']));
  const processes: Child[] = [];
  let current: Child | undefined;
  const start = async (): Promise<void> => {
    const child = spawnChild({ name: `redis-server#${processes.length + 1}`, command: 'redis-server', args, cwd: options.dir, env: { PATH: process.env.PATH ?? '/usr/bin:/bin' } });
    processes.push(child);
    current = child;
    const deadline = Date.now() + 20_000;
    while (!child.lines.some((line) => line.text.includes('Ready to accept connections'))) {
      if (child.exited() !== undefined) throw new Error(`[chaos] redis-server on port ${port} exited before it was ready:\n${child.tail(10)}`);
      if (Date.now() > deadline) throw new Error(`[chaos] redis-server on port ${port} not ready after 20 s:\n${child.tail(10)}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  };
  const stop = async (signal: NodeJS.Signals = 'SIGKILL'): Promise<void> => {
    const child = current;
    if (child === undefined || child.exited() !== undefined) return;
    child.kill(signal);
    await child.exit;
  };
  await start();
  const client = new Redis({ host: '127.0.0.1', port, maxRetriesPerRequest: null, retryStrategy: () => 100 });
  client.on('error', () => undefined); // it reconnects; a restart makes it complain
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    dir: options.dir,
    client,
    processes,
    stop,
    start,
    async close() {
      client.disconnect();
      await stop('SIGTERM');
    },
  };
}
