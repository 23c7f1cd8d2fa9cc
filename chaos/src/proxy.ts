/**
 * The observing proxy: an HTTPS server between the importer's processes and the sandbox, which
 * passes every request through unchanged and notes for each one what the sandbox's own request
 * log cannot say — which process sent it (the client's TCP connection, found in /proc), on which
 * connection, with which token (a label; the token itself is never kept), and when the answer
 * went back. Resets are passed on as resets, held answers as held answers.
 *
 * That is what makes "no request after a 40100 until the token changed" and "no request after a
 * 429 until the reset" checkable per process: the answer's time and connection are known, and so
 * are the later requests of the same process (invariants.ts).
 */
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import { Agent, createServer, request as httpsRequest } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';

export interface ProxyEntry {
  id: number;
  /** The process that opened the connection; undefined when it could not be found. */
  pid: number | undefined;
  /** The client connection it came on (numbered by the proxy). */
  connection: number;
  /** The token's label (`labelToken`), `none` without one. */
  token: string;
  /** The request's `method` attribute, read from the start of the body. */
  method: string | null;
  /** Request body bytes passed on (the sandbox's log has the same count: how the two logs are matched). */
  bytes: number;
  /** Epoch ms: the request's headers arrived. */
  start: number;
  /** Epoch ms: the answer was written in full, or the request ended without one. */
  end: number | undefined;
  /** The answer's status; null when none went back. */
  status: number | null;
  /** `answered`; `dropped` (the sandbox reset the connection: passed on as a reset); `client-gone` (the client gave up first); `pending`. */
  outcome: 'answered' | 'dropped' | 'client-gone' | 'pending';
}

export interface ProxyOptions {
  upstreamPort: number;
  /** The sandbox's certificate (trusted for the upstream connection). */
  upstreamCa: string;
  /** The proxy's own certificate and key (PEM); the importer trusts `cert`. */
  cert: string;
  key: string;
  /** The label of a presented token (never the token): e.g. `token#1`, or `unknown`. */
  labelToken: (token: string) => string;
  /** Pids of the processes a connection may come from (looked up in /proc). */
  candidatePids: () => number[];
  /** Called with each entry once it is settled. */
  onEntry?: (entry: ProxyEntry) => void;
}

export interface ObservingProxy {
  /** `https://127.0.0.1:PORT/api/2.1/xml-in`. */
  url: string;
  port: number;
  readonly entries: ProxyEntry[];
  /** Requests of `pid` still waiting for their answer. */
  inFlight(pid: number): ProxyEntry[];
  /**
   * Notes the connections `pid` holds to the proxy, to be called just before the process is
   * signalled: a connection it opened whose first request the proxy reads only after the process
   * died (its /proc entries gone) is still traced to it.
   */
  rememberConnectionsOf(pid: number): void;
  close(): Promise<void>;
}

const HOP_HEADERS = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade', 'te', 'trailer']);

function endToEnd(headers: IncomingHttpHeaders): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(headers)) if (value !== undefined && !HOP_HEADERS.has(name)) out[name] = value;
  return out;
}

/** The user name of a Basic Authorization header (the token), or undefined. */
function tokenOf(header: string | undefined): string | undefined {
  const match = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header ?? '');
  if (match?.[1] === undefined) return undefined;
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon === -1 ? decoded : decoded.slice(0, colon);
}

/** `0100007F:1F90` → port 8080. */
function portOf(address: string): number {
  return Number.parseInt(address.split(':')[1] ?? '', 16);
}

/** Every TCP connection to serverPort on this host: the client's port and its socket's inode. */
function clientSockets(serverPort: number): { clientPort: number; inode: string }[] {
  const found: { clientPort: number; inode: string }[] = [];
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text: string;
    try {
      text = readFileSync(table, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const columns = line.trim().split(/\s+/);
      const [local, remote, inode] = [columns[1], columns[2], columns[9]];
      if (local === undefined || remote === undefined || inode === undefined) continue;
      if (portOf(remote) === serverPort) found.push({ clientPort: portOf(local), inode });
    }
  }
  return found;
}

/** The inode of the client's end of the TCP connection clientPort → serverPort on this host. */
function socketInode(clientPort: number, serverPort: number): string | undefined {
  return clientSockets(serverPort).find((socket) => socket.clientPort === clientPort)?.inode;
}

/** The inodes of the sockets `pid` holds open. */
function socketInodesOf(pid: number): Set<string> {
  const inodes = new Set<string>();
  let fds: string[];
  try {
    fds = readdirSync(`/proc/${pid}/fd`);
  } catch {
    return inodes;
  }
  for (const fd of fds) {
    try {
      const match = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
      if (match?.[1] !== undefined) inodes.add(match[1]);
    } catch {
      // closed meanwhile
    }
  }
  return inodes;
}

/** The pid among `pids` holding the socket with this inode. */
function pidOfInode(inode: string, pids: readonly number[]): number | undefined {
  const target = `socket:[${inode}]`;
  for (const pid of pids) {
    let fds: string[];
    try {
      fds = readdirSync(`/proc/${pid}/fd`);
    } catch {
      continue;
    }
    for (const fd of fds) {
      try {
        if (readlinkSync(`/proc/${pid}/fd/${fd}`) === target) return pid;
      } catch {
        // closed meanwhile
      }
    }
  }
  return undefined;
}

export async function startProxy(options: ProxyOptions): Promise<ObservingProxy> {
  const entries: ProxyEntry[] = [];
  const pending = new Set<ProxyEntry>();
  const agent = new Agent({ keepAlive: true, maxSockets: Infinity, ca: options.upstreamCa });
  const connections = new WeakMap<Socket, { id: number; pid: number | undefined }>();
  let connectionCount = 0;
  let serverPort = 0;
  /** Client port → pid, noted just before a process was signalled (see `rememberConnectionsOf`). */
  const remembered = new Map<number, number>();

  const connectionOf = (socket: Socket): { id: number; pid: number | undefined } => {
    let known = connections.get(socket);
    if (known === undefined) {
      connectionCount += 1;
      const inode = socket.remotePort === undefined ? undefined : socketInode(socket.remotePort, serverPort);
      const pid = inode === undefined ? undefined : pidOfInode(inode, options.candidatePids());
      known = { id: connectionCount, pid: pid ?? (socket.remotePort === undefined ? undefined : remembered.get(socket.remotePort)) };
      connections.set(socket, known);
    }
    return known;
  };

  const settle = (entry: ProxyEntry, outcome: ProxyEntry['outcome'], status: number | null): void => {
    if (entry.outcome !== 'pending') return;
    entry.outcome = outcome;
    entry.status = status;
    entry.end = Date.now();
    pending.delete(entry);
    options.onEntry?.(entry);
  };

  const handle = (req: IncomingMessage, res: ServerResponse): void => {
    const connection = connectionOf(req.socket);
    const token = tokenOf(req.headers.authorization);
    const entry: ProxyEntry = {
      id: entries.length + 1,
      pid: connection.pid,
      connection: connection.id,
      token: token === undefined ? 'none' : options.labelToken(token),
      method: null,
      bytes: 0,
      start: Date.now(),
      end: undefined,
      status: null,
      outcome: 'pending',
    };
    entries.push(entry);
    pending.add(entry);
    let head = '';
    req.on('data', (chunk: Buffer) => {
      entry.bytes += chunk.length;
      if (head.length < 400) {
        head += chunk.toString('latin1', 0, Math.min(chunk.length, 400));
        entry.method ??= /<request\s[^>]*method="([^"]*)"/.exec(head)?.[1] ?? null;
      }
    });
    const upstream = httpsRequest({
      host: '127.0.0.1',
      port: options.upstreamPort,
      method: req.method,
      path: req.url,
      headers: { ...endToEnd(req.headers), host: `127.0.0.1:${options.upstreamPort}` },
      agent,
    });
    upstream.on('response', (answer) => {
      res.writeHead(answer.statusCode ?? 502, endToEnd(answer.headers));
      answer.pipe(res);
      answer.on('error', () => {
        settle(entry, 'dropped', null);
        req.socket.destroy();
      });
      res.on('finish', () => settle(entry, 'answered', answer.statusCode ?? null));
    });
    upstream.on('error', () => {
      // The sandbox dropped the connection (a reset fault) or it went away: the client sees a reset too.
      if (entry.outcome === 'pending') settle(entry, 'dropped', null);
      req.socket.destroy();
    });
    res.on('close', () => {
      if (!res.writableFinished) {
        settle(entry, 'client-gone', null);
        upstream.destroy();
      }
    });
    req.pipe(upstream);
  };

  const server = createServer({ cert: options.cert, key: options.key, keepAliveTimeout: 30_000 }, handle);
  // Trace each connection as soon as its handshake ends, not at its first request: the sooner, the
  // likelier its process is still alive to be found in /proc.
  server.on('secureConnection', (socket: Socket) => {
    connectionOf(socket);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  serverPort = (server.address() as AddressInfo).port;
  return {
    url: `https://127.0.0.1:${serverPort}/api/2.1/xml-in`,
    port: serverPort,
    entries,
    inFlight: (pid) => [...pending].filter((entry) => entry.pid === pid),
    rememberConnectionsOf(pid) {
      const inodes = socketInodesOf(pid);
      for (const socket of clientSockets(serverPort)) if (inodes.has(socket.inode)) remembered.set(socket.clientPort, pid);
    },
    async close() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      agent.destroy();
      for (const entry of [...pending]) settle(entry, 'client-gone', null);
    },
  };
}
