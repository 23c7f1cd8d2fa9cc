import { randomBytes } from 'node:crypto';
import { createServer as createHttpServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { API_PATH, handleApiRequest } from './api-handler.js';
import type { ApiDependencies } from './api-handler.js';
import { createTokenIndex } from './auth.js';
import { createCertificate } from './certificate.js';
import type { Certificate } from './certificate.js';
import { SandboxError } from './errors.js';
import { createFaultRoller, parseFaults } from './faults.js';
import type { FaultSpec } from './faults.js';
import { isValidTimeZone } from './local-time.js';
import { handlePageRequest } from './page-routes.js';
import { REAL_DAY_SECONDS } from './quota.js';
import { createRequestLog } from './request-log.js';
import type { RequestLogEntry } from './request-log.js';
import { DEFAULT_QUOTA, applySeed, demoSeed, validateSeed } from './seed.js';
import type { SeedFile } from './seed.js';
import { createAccountStore, openDatabase } from './store.js';
import { createRecordStore } from './store-records.js';
import { failXml } from './xml-write.js';

/** Options of startSandbox; every one is optional. */
export interface SandboxOptions {
  /** HTTPS port; 0 (default) picks a free one. */
  port?: number;
  /** Port of the plain-HTTP listener that refuses everything with 403/40300; none by default. 0 picks a free one. */
  httpPort?: number;
  /** Address to listen on; default 127.0.0.1. */
  host?: string;
  /** SQLite file to keep state in (created if missing); default in memory. */
  dataFile?: string;
  /** Accounts, staff, athletes (and faults); default the demo account. A value from validateSeed or raw JSON. */
  seed?: SeedFile | unknown;
  /** The demo account's daily quota (only without a seed); default 5000. */
  quota?: number;
  /** The demo account's IANA zone (only without a seed); default UTC. */
  timeZone?: string;
  /** A certificate and key (PEM) to serve; default a fresh self-signed one. */
  tls?: Certificate;
  /** Faults, as `kind:probability,…` or an object; default the seed's, else none. */
  faults?: string | FaultSpec;
  /** Seed of the fault draws; default the seed file's, else random (reported in `faultsSeed`). */
  faultsSeed?: number;
  /** Length of the quota "day" in seconds (see quota.ts); default 86400, the local calendar day. */
  daySeconds?: number;
  /** Append the request log (JSON lines) to this file. */
  logFile?: string;
  /** Also hand every request-log entry to this function. */
  onLog?: (entry: RequestLogEntry) => void;
  /** The clock, epoch milliseconds; default Date.now. Drives the quota, `updated` and the log. */
  now?: () => number;
  /** How long a slow-after fault holds the answer, ms; default 600000 (10 minutes). */
  slowAfterMs?: number;
}

export interface SandboxAccount {
  name: string;
  timeZone: string;
  quota: number;
  /** The first admin's and the first coach's tokens. */
  tokens: { admin?: string; coach?: string };
  staff: Array<{ username: string; role: 'admin' | 'coach'; token: string }>;
}

export interface Sandbox {
  /** The API entry point, `https://127.0.0.1:PORT/api/2.1/xml-in`. */
  url: string;
  /** The page for people, `https://127.0.0.1:PORT/`. */
  pageUrl: string;
  port: number;
  /** The plain-HTTP port, when one was asked for. */
  httpPort: number | undefined;
  /** The certificate served (PEM): trust it as a CA. */
  certPem: string;
  accounts: SandboxAccount[];
  /** The seed the fault draws use (set when faults are on). */
  faultsSeed: number | undefined;
  /**
   * Changes a staff member's token, as a password change does: the old token answers 401/40100
   * at once, every record stays. Returns the new token (`newToken`, or a fresh random one).
   * `account` defaults to the first account. Throws SandboxError `bad-option` for an unknown
   * member or a token another member already has.
   */
  rotateToken(username: string, options?: { account?: string; newToken?: string }): string;
  close(): Promise<void>;
}

function badOption(name: string, message: string): never {
  throw new SandboxError('bad-option', `[sandbox] ${name} ${message}`, { where: name });
}

function checkPort(name: string, value: number | undefined): void {
  if (value !== undefined && (!Number.isInteger(value) || value < 0 || value > 65_535)) badOption(name, `must be a whole number from 0 to 65535, not ${value}`);
}

function listen(server: Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (error: Error): void => reject(new SandboxError('listen-failed', `[sandbox] cannot listen on ${host}:${port}: ${error.message}`, { cause: error }));
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

function refusePlainHttp(res: ServerResponse, onAnswer: () => void): void {
  const body = failXml(40300, ['plain HTTP is refused; use HTTPS.']);
  res.writeHead(403, { 'Content-Type': 'application/xml; charset=utf-8', 'Content-Length': String(Buffer.byteLength(body)), Connection: 'close' });
  res.end(body);
  onAnswer();
}

export async function startSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
  checkPort('port', options.port);
  checkPort('httpPort', options.httpPort);
  const now = options.now ?? Date.now;
  const daySeconds = options.daySeconds ?? REAL_DAY_SECONDS;
  if (!Number.isInteger(daySeconds) || daySeconds < 1) badOption('daySeconds', `must be a whole number of seconds, at least 1, not ${daySeconds}`);
  const slowAfterMs = options.slowAfterMs ?? 600_000;
  if (!Number.isFinite(slowAfterMs) || slowAfterMs < 0) badOption('slowAfterMs', 'must be a number of milliseconds, not negative');
  if (options.seed !== undefined && (options.quota !== undefined || options.timeZone !== undefined)) {
    badOption('quota/timeZone', 'set the demo account only; with a seed file, set them in the seed');
  }
  const quota = options.quota ?? DEFAULT_QUOTA;
  if (!Number.isInteger(quota) || quota < 0) badOption('quota', `must be a whole number, not negative, not ${quota}`);
  const timeZone = options.timeZone ?? 'UTC';
  if (!isValidTimeZone(timeZone)) badOption('timeZone', `'${timeZone}' is not an IANA time zone`);
  const seed = options.seed === undefined ? demoSeed(timeZone, quota) : validateSeed(options.seed);
  const faultText = options.faults ?? seed.faults;
  const faultSpec = typeof faultText === 'string' ? parseFaults(faultText) : faultText;
  const faultsOn = faultSpec !== undefined && Object.values(faultSpec).some((probability) => probability > 0);
  const faults = faultsOn ? createFaultRoller(faultSpec, options.faultsSeed ?? seed.faultsSeed) : undefined;

  const db = openDatabase(options.dataFile);
  const accounts = createAccountStore(db);
  const records = createRecordStore(db);
  try {
    applySeed(db, accounts, seed, now());
  } catch (error) {
    db.close();
    throw error;
  }
  const tls = options.tls ?? (await createCertificate());
  const log = createRequestLog(options.logFile, options.onLog);
  const deps: ApiDependencies = { accounts, records, tokens: createTokenIndex(accounts.staff()), now, daySeconds, faults, log, slowAfterMs, timers: new Set() };

  const https = createHttpsServer({ cert: tls.cert, key: tls.key }, (req: IncomingMessage, res: ServerResponse) => {
    const path = (req.url ?? '/').split('?')[0];
    const done = path === API_PATH ? handleApiRequest(req, res, deps) : handlePageRequest(req, res, { accounts, records, now, daySeconds });
    Promise.resolve(done).catch((error: unknown) => {
      if (!res.headersSent) {
        const body = failXml(50000, [`internal error: ${error instanceof Error ? error.message : String(error)}`]);
        res.writeHead(500, { 'Content-Type': 'application/xml; charset=utf-8' });
        res.end(body);
      } else res.destroy();
    });
  });
  https.keepAliveTimeout = 30_000;
  const host = options.host ?? '127.0.0.1';
  const servers: Server[] = [https];
  const closeAll = async (): Promise<void> => {
    for (const timer of deps.timers) clearTimeout(timer);
    deps.timers.clear();
    await Promise.all(servers.map(closeServer));
    log.close();
    if (db.open) db.close();
  };
  let port: number;
  let httpPort: number | undefined;
  try {
    port = await listen(https, options.port ?? 0, host);
    if (options.httpPort !== undefined) {
      const plain = createHttpServer((req, res) => {
        req.resume();
        refusePlainHttp(res, () =>
          log.write({ time: new Date(now()).toISOString(), account: null, method: null, status: 403, code: 40300, bytes: 0, faults: [] }),
        );
      });
      servers.push(plain);
      httpPort = await listen(plain, options.httpPort, host);
    }
  } catch (error) {
    await closeAll();
    throw error;
  }

  const hostInUrl = host.includes(':') ? `[${host}]` : host;
  const staff = accounts.staff();
  return {
    url: `https://${hostInUrl}:${port}${API_PATH}`,
    pageUrl: `https://${hostInUrl}:${port}/`,
    port,
    httpPort,
    certPem: tls.cert,
    faultsSeed: faults?.seed,
    accounts: accounts.accounts().map((account) => {
      const members = staff.filter((member) => member.accountId === account.id);
      const tokens: SandboxAccount['tokens'] = {};
      const admin = members.find((member) => member.role === 'admin');
      const coach = members.find((member) => member.role === 'coach');
      if (admin !== undefined) tokens.admin = admin.token;
      if (coach !== undefined) tokens.coach = coach.token;
      return {
        name: account.name,
        timeZone: account.timeZone,
        quota: account.requestLimit,
        tokens,
        staff: members.map((member) => ({ username: member.username, role: member.role, token: member.token })),
      };
    }),
    rotateToken: (username, rotate = {}) => {
      const account = rotate.account === undefined ? accounts.accounts()[0] : accounts.accountByName(rotate.account);
      if (!account) badOption('rotateToken', `has no account ${JSON.stringify(rotate.account)}`);
      const token = rotate.newToken ?? randomBytes(16).toString('hex');
      if (!/^[\x21-\x7e]{8,}$/.test(token) || token.includes(':')) badOption('rotateToken', 'needs a token of at least 8 printable characters without ":"');
      if (accounts.staff().some((member) => member.token === token)) badOption('rotateToken', 'was given a token another staff member already has');
      if (!accounts.setStaffToken(account.id, username, token)) badOption('rotateToken', `has no staff member ${JSON.stringify(username)} in account ${account.name}`);
      deps.tokens = createTokenIndex(accounts.staff());
      return token;
    },
    close: closeAll,
  };
}
