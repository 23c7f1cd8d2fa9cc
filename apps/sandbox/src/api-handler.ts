import type { IncomingMessage, ServerResponse } from 'node:http';
import { readBasicAuth } from './auth.js';
import type { TokenIndex } from './auth.js';
import type { FaultDraw, FaultKind, FaultRoller } from './faults.js';
import type { MethodContext } from './method-kit.js';
import { METHODS } from './methods.js';
import { quotaWindowAt, secondsUntilReset } from './quota.js';
import type { RequestLog } from './request-log.js';
import type { AccountRow, AccountStore, StaffRow } from './store.js';
import type { RecordStore } from './store-records.js';
import { XmlReadError, readXml } from './xml-read.js';
import { failXml, okXml } from './xml-write.js';
import type { ApiErrorCode } from './xml-write.js';

/**
 * One API request, checked in the contract's order (optimo-api.md 2.5): token (401) → daily limit
 * (429) → body size (413) → XML and method (40010) → the method's own checks. Plain HTTP (403) is
 * answered by the plain listener before any of this. The request is counted once it passes the
 * daily-limit check, so 401 and 429 never count and everything after does (413 and 40010 too).
 */
export const API_PATH = '/api/2.1/xml-in';
/** 10 MiB of request body as sent; exactly this many bytes is accepted. */
export const MAX_BODY_BYTES = 10_485_760;
/** Past this many bytes an over-limit body is no longer drained: the 413 goes out and the connection closes. */
const DRAIN_LIMIT_BYTES = 4 * MAX_BODY_BYTES;

export interface ApiDependencies {
  accounts: AccountStore;
  records: RecordStore;
  tokens: TokenIndex;
  now: () => number;
  daySeconds: number;
  faults: FaultRoller | undefined;
  log: RequestLog;
  slowAfterMs: number;
  /** Timers of held answers (slow-after), cleared on close. */
  timers: Set<NodeJS.Timeout>;
}

interface Exchange {
  req: IncomingMessage;
  res: ServerResponse;
  deps: ApiDependencies;
  time: number;
  account: AccountRow | null;
  method: string | null;
  bytes: number;
  faults: FaultKind[];
}

const XML_TYPE = 'application/xml; charset=utf-8';

function send(exchange: Exchange, status: number, body: string, headers: Record<string, string> = {}, code: ApiErrorCode | null = null): void {
  const { res } = exchange;
  res.writeHead(status, { 'Content-Type': XML_TYPE, 'Content-Length': String(Buffer.byteLength(body)), ...headers });
  res.end(body);
  writeLog(exchange, status, code);
}

function writeLog(exchange: Exchange, status: number | null, code: number | null): void {
  exchange.deps.log.write({
    time: new Date(exchange.time).toISOString(),
    account: exchange.account?.name ?? null,
    method: exchange.method,
    status,
    code,
    bytes: exchange.bytes,
    faults: exchange.faults,
  });
}

function fail(exchange: Exchange, status: number, code: ApiErrorCode, errors: string[], headers: Record<string, string> = {}, extra = ''): void {
  send(exchange, status, failXml(code, errors, extra), headers, code);
}

interface Body {
  data: Buffer;
  tooLarge: boolean;
  /** True when the body was abandoned past the drain limit (the connection must close). */
  abandoned: boolean;
}

function readBody(exchange: Exchange): Promise<Body> {
  const { req } = exchange;
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let tooLarge = false;
    let settled = false;
    const finish = (abandoned: boolean): void => {
      if (settled) return;
      settled = true;
      resolve({ data: tooLarge ? Buffer.alloc(0) : Buffer.concat(chunks), tooLarge, abandoned });
    };
    const declared = Number(req.headers['content-length'] ?? NaN);
    if (declared > DRAIN_LIMIT_BYTES) {
      tooLarge = true;
      exchange.bytes = 0;
      req.pause();
      finish(true);
      return;
    }
    req.on('data', (chunk: Buffer) => {
      exchange.bytes += chunk.length;
      if (exchange.bytes > MAX_BODY_BYTES) {
        tooLarge = true;
        chunks.length = 0;
        if (exchange.bytes > DRAIN_LIMIT_BYTES) {
          req.pause();
          finish(true);
        }
      } else chunks.push(chunk);
    });
    req.on('end', () => finish(false));
    req.on('error', (error) => {
      if (!settled) {
        settled = true;
        reject(error);
      }
    });
  });
}

function dropConnection(exchange: Exchange): void {
  writeLog(exchange, null, null);
  exchange.req.socket.destroy();
}

/** Handles a request to API_PATH on the HTTPS listener. */
export async function handleApiRequest(req: IncomingMessage, res: ServerResponse, deps: ApiDependencies): Promise<void> {
  const exchange: Exchange = { req, res, deps, time: deps.now(), account: null, method: null, bytes: 0, faults: [] };

  const staff = deps.tokens.find(readBasicAuth(req.headers.authorization));
  const account = staff === undefined ? undefined : deps.accounts.accountById(staff.accountId);
  if (staff === undefined || account === undefined) {
    fail(exchange, 401, 40100, ['the API token is missing or not valid.'], { 'WWW-Authenticate': 'Basic realm="Optimo Sport API", charset="UTF-8"' });
    return;
  }
  exchange.account = account;

  const draw: FaultDraw = deps.faults?.draw() ?? { kind: undefined, status: 500 };
  const window = quotaWindowAt(exchange.time, account.timeZone, deps.daySeconds);
  const used = deps.accounts.requestsUsed(account.id, window.start);
  const retryAfter = String(secondsUntilReset(window, exchange.time));
  if (used >= account.requestLimit || draw.kind === 'quota-early') {
    if (draw.kind === 'quota-early') exchange.faults.push('quota-early');
    fail(exchange, 429, 42900, [`the daily limit of ${account.requestLimit} requests is reached; it resets in ${retryAfter} seconds.`], {
      'Retry-After': retryAfter,
    });
    return;
  }
  deps.accounts.setRequestsUsed(account.id, window.start, used + 1);

  let body: Body;
  try {
    body = await readBody(exchange);
  } catch {
    // The client went away mid-body: nothing to answer; the request was counted (it was seen).
    writeLog(exchange, null, null);
    return;
  }
  if (body.tooLarge) {
    fail(exchange, 413, 41300, [`the request body is larger than ${MAX_BODY_BYTES} bytes.`], body.abandoned ? { Connection: 'close' } : {});
    return;
  }

  if (draw.kind === 'reset-before') {
    exchange.faults.push('reset-before');
    deps.accounts.setRequestsUsed(account.id, window.start, deps.accounts.requestsUsed(account.id, window.start) - 1);
    dropConnection(exchange);
    return;
  }
  if (draw.kind === 'error5xx') {
    exchange.faults.push('error5xx');
    send(exchange, draw.status, failXml(50000, ['internal error (an injected error5xx fault).']), {}, 50000);
    return;
  }
  if (draw.kind === 'html5xx') {
    exchange.faults.push('html5xx');
    const html = `<!DOCTYPE html>\n<html><head><title>${draw.status} Server Error</title></head><body><h1>${draw.status} Server Error</h1><p>The server is having trouble (an injected html5xx fault).</p></body></html>\n`;
    res.writeHead(draw.status, { 'Content-Type': 'text/html; charset=utf-8', 'Content-Length': String(Buffer.byteLength(html)) });
    res.end(html);
    writeLog(exchange, draw.status, null);
    return;
  }

  const reply = answerRequest(exchange, staff, account, body.data, used + 1, secondsUntilReset(window, exchange.time));
  if (draw.kind === 'reset-after') {
    exchange.faults.push('reset-after');
    dropConnection(exchange);
    return;
  }
  if (draw.kind === 'slow-after') {
    // Logged now, as handled; the answer itself goes out much later (or never, if closed first).
    exchange.faults.push('slow-after');
    writeLog(exchange, reply.status, reply.code);
    const timer = setTimeout(() => {
      deps.timers.delete(timer);
      if (!res.destroyed) writeReply(res, reply);
    }, deps.slowAfterMs);
    deps.timers.add(timer);
    return;
  }
  writeReply(res, reply);
  writeLog(exchange, reply.status, reply.code);
}

interface Reply {
  status: number;
  body: string;
  code: ApiErrorCode | null;
}

function writeReply(res: ServerResponse, reply: Reply): void {
  res.writeHead(reply.status, { 'Content-Type': XML_TYPE, 'Content-Length': String(Buffer.byteLength(reply.body)) });
  res.end(reply.body);
}

function failReply(status: number, code: ApiErrorCode, errors: string[], extra = ''): Reply {
  return { status, body: failXml(code, errors, extra), code };
}

/** Runs the method now (storing what it stores) and returns its answer. */
function answerRequest(exchange: Exchange, staff: StaffRow, account: AccountRow, data: Buffer, used: number, resetsIn: number): Reply {
  if (exchange.req.method !== 'POST') return failReply(200, 40010, [`requests are sent with HTTP POST, not ${exchange.req.method ?? 'no method'}.`]);
  let root;
  try {
    root = readXml(data);
  } catch (error) {
    if (!(error instanceof XmlReadError)) throw error;
    return failReply(200, 40010, [error.message]);
  }
  const name = root.attributes.method;
  exchange.method = name ?? null;
  if (root.name !== 'request') return failReply(200, 40010, [`the root element is <${root.name}>; requests are <request method="…">.`]);
  if (name === undefined || name.trim() === '') return failReply(200, 40010, ['the <request> has no method attribute.']);
  const handler = METHODS.get(name);
  if (handler === undefined) return failReply(200, 40010, [`'${name}' is not a method of this API.`]);
  const { deps } = exchange;
  const context: MethodContext = {
    accounts: deps.accounts,
    records: deps.records,
    account,
    staff,
    now: exchange.time,
    quota: { used, limit: account.requestLimit, resetsIn },
  };
  try {
    const outcome = handler(root, context);
    if (outcome.ok) return { status: 200, body: okXml(outcome.xml), code: null };
    return failReply(200, outcome.failure.code, outcome.failure.errors, outcome.failure.extra);
  } catch (error) {
    return failReply(500, 50000, [`internal error: ${error instanceof Error ? error.message : String(error)}`]);
  }
}
