/**
 * Entry of the sandbox server process started by sandbox-process.ts (`node --import tsx`, IPC):
 * starts `@optimo-import/sandbox` on 127.0.0.1, port 0, from the argument JSON
 * (`{ quota, timeZone }`), and answers the parent's messages. Its own process, so the server has
 * an event loop (and a core, when one is free) of its own, apart from the client's.
 */
import type { SandboxChildReply, SandboxChildRequest, SandboxChildStart } from './sandbox-protocol.js';

const send = (message: SandboxChildReply): void => {
  process.send?.(message);
};

const start = JSON.parse(process.argv[2] ?? '{}') as SandboxChildStart;
let close: (() => Promise<void>) | undefined;

try {
  const { startSandbox } = await import('@optimo-import/sandbox');
  const sandbox = await startSandbox({ host: '127.0.0.1', port: 0, quota: start.quota, timeZone: start.timeZone });
  close = sandbox.close;
  const account = sandbox.accounts[0];
  const token = account?.tokens.admin;
  if (!account || !token) throw new Error('the sandbox started without an account with an admin token');
  send({ type: 'ready', url: sandbox.url, certPem: sandbox.certPem, token, account: account.name, timeZone: account.timeZone, quota: account.quota, pid: process.pid });
} catch (error) {
  // The first line: better-sqlite3, for one, follows its headline with every path it tried.
  send({ type: 'failed', message: (error instanceof Error ? error.message : String(error)).split('\n')[0] ?? '' });
  process.exitCode = 1;
  await close?.();
  close = undefined;
  process.disconnect?.();
}

const shutDown = async (): Promise<void> => {
  await close?.();
  close = undefined;
  process.disconnect?.();
};

process.on('message', (message: SandboxChildRequest) => {
  if (message.type === 'usage') {
    const cpu = process.cpuUsage();
    send({ type: 'usage', id: message.id, cpuMicros: cpu.user + cpu.system, rssBytes: process.memoryUsage.rss() });
  } else if (message.type === 'close') {
    void shutDown();
  }
});
// The parent went away without saying so: close the server rather than linger.
process.on('disconnect', () => {
  void close?.();
});
