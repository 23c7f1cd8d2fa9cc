import { Agent, request } from 'node:https';
import { startSandbox } from '../src/index.js';
import type { Sandbox, SandboxOptions } from '../src/index.js';
import { readXml } from '../src/xml-read.js';
import type { XmlElement } from '../src/xml-read.js';

/** Test kit: a sandbox on port 0 with a settable clock, and an HTTPS client that trusts its certificate. */

export interface Clock {
  now: () => number;
  set: (iso: string) => void;
  advance: (ms: number) => void;
}

export function createClock(iso = '2026-06-15T10:00:00Z'): Clock {
  let time = Date.parse(iso);
  return {
    now: () => time,
    set: (next) => {
      time = Date.parse(next);
    },
    advance: (ms) => {
      time += ms;
    },
  };
}

export interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  root: XmlElement | undefined;
  /** `status` attribute of the root. */
  ok: boolean;
  /** The `<code>` of a failure, as a number. */
  code: number | undefined;
  errors: string[];
}

export interface TestSandbox {
  sandbox: Sandbox;
  clock: Clock;
  admin: string;
  coach: string;
  /** POSTs a body with a token (undefined: no Authorization header). */
  post(token: string | undefined, body: string | Buffer, options?: { method?: string; headers?: Record<string, string> }): Promise<Answer>;
  /** POSTs `<request method="…">inner</request>`. */
  call(token: string | undefined, method: string, inner?: string): Promise<Answer>;
  close(): Promise<void>;
}

export function requestXml(method: string, inner = ''): string {
  return `<?xml version="1.0" encoding="utf-8"?>\n<request method="${method}">${inner}</request>`;
}

export function child(element: XmlElement | undefined, name: string): XmlElement | undefined {
  return element?.children.find((item) => item.name === name);
}

export function children(element: XmlElement | undefined, name: string): XmlElement[] {
  return element?.children.filter((item) => item.name === name) ?? [];
}

/** Text of the element at a path of child names (`['workout', 'sport']`). */
export function textAt(element: XmlElement | undefined, ...path: string[]): string | undefined {
  let current = element;
  for (const name of path) current = child(current, name);
  return current?.text;
}

export function basicAuth(token: string): string {
  return `Basic ${Buffer.from(`${token}:X`).toString('base64')}`;
}

export function parseAnswer(status: number, headers: Answer['headers'], text: string): Answer {
  let root: XmlElement | undefined;
  try {
    root = readXml(Buffer.from(text));
  } catch {
    root = undefined;
  }
  const code = textAt(root, 'code');
  return {
    status,
    headers,
    text,
    root,
    ok: root?.attributes.status === 'ok',
    code: code === undefined ? undefined : Number(code),
    errors: children(root, 'error').map((error) => error.text),
  };
}

export function httpsPost(url: string, agent: Agent, token: string | undefined, body: string | Buffer, options: { method?: string; headers?: Record<string, string> } = {}): Promise<Answer> {
  const target = new URL(url);
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { 'Content-Type': 'application/xml; charset=utf-8', 'User-Agent': 'optimo-sandbox-tests/1', ...options.headers };
    if (token !== undefined) headers.Authorization = basicAuth(token);
    const req = request({ host: target.hostname, port: target.port, path: target.pathname, method: options.method ?? 'POST', agent, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve(parseAnswer(res.statusCode ?? 0, res.headers, Buffer.concat(chunks).toString('utf8'))));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

export async function startTestSandbox(options: SandboxOptions & { clockStart?: string } = {}): Promise<TestSandbox> {
  const clock = createClock(options.clockStart);
  const { clockStart: _clockStart, ...rest } = options;
  const sandbox = await startSandbox({ now: clock.now, timeZone: options.seed === undefined ? (options.timeZone ?? 'Europe/Lisbon') : undefined, ...rest });
  const agent = new Agent({ ca: sandbox.certPem, keepAlive: true, maxSockets: 8 });
  const account = sandbox.accounts[0];
  const post: TestSandbox['post'] = (token, body, postOptions) => httpsPost(sandbox.url, agent, token, body, postOptions);
  return {
    sandbox,
    clock,
    admin: account?.tokens.admin ?? '',
    coach: account?.tokens.coach ?? '',
    post,
    call: (token, method, inner = '') => post(token, requestXml(method, inner)),
    close: async () => {
      agent.destroy();
      await sandbox.close();
    },
  };
}

/** A `<workout>` for workout.create, with overrides (a value of '' leaves the field out). */
export function workoutXml(fields: Record<string, string>, extra = ''): string {
  const base: Record<string, string> = { athlete_id: '1', sport: 'running', start_time: '2026-06-14 07:12:05', duration: '3605', ...fields };
  const inner = Object.entries(base)
    .filter(([, value]) => value !== '')
    .map(([name, value]) => `<${name}>${value}</${name}>`)
    .join('');
  return `<workout>${inner}${extra}</workout>`;
}

/** `<samples>` with one sample per offset (seconds), heart rate and position made up from the offset. */
export function samplesXml(offsets: readonly number[]): string {
  return `<samples>${offsets
    .map((offset) => `<sample><offset>${offset}</offset><heart_rate>${100 + (offset % 60)}</heart_rate><lat>${(38.7 + offset / 100_000).toFixed(6)}</lat><lon>${(-9.14 + offset / 150_000).toFixed(6)}</lon></sample>`)
    .join('')}</samples>`;
}
