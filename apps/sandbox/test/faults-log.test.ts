import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { Agent } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseFaults } from '../src/index.js';
import type { RequestLogEntry } from '../src/index.js';
import { httpsPost, requestXml, startTestSandbox, textAt, workoutXml } from './helpers.js';
import type { TestSandbox } from './helpers.js';

/** Injected faults (reproducible with a seed) and the request log. */
const dir = mkdtempSync(join(tmpdir(), 'optimo-sandbox-faults-'));
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

async function withSandbox(options: Parameters<typeof startTestSandbox>[0], run: (t: TestSandbox) => Promise<void>): Promise<void> {
  const t = await startTestSandbox(options);
  try {
    await run(t);
  } finally {
    await t.close();
  }
}

/** Reads the data file through a fault-free sandbox: workouts stored and requests counted. */
async function inspect(dataFile: string): Promise<{ workouts: number; requests: number }> {
  let result = { workouts: 0, requests: 0 };
  await withSandbox({ dataFile }, async (t) => {
    const list = await t.call(t.admin, 'workout.list', '<folder>active</folder>');
    const system = await t.call(t.admin, 'system.current');
    result = { workouts: Number(list.root?.children[0]?.attributes.total), requests: Number(textAt(system.root, 'system', 'api', 'requests')) - 2 };
  });
  return result;
}

async function outcomes(options: Parameters<typeof startTestSandbox>[0], count: number): Promise<string[]> {
  const seen: string[] = [];
  await withSandbox(options, async (t) => {
    for (let i = 0; i < count; i += 1) {
      const answer = await t.call(t.admin, 'system.current');
      seen.push(`${answer.status}:${answer.code ?? ''}:${String(answer.headers['content-type']).split(';')[0]}`);
    }
  });
  return seen;
}

describe('faults', () => {
  it('parses kind:probability lists and rejects anything else', () => {
    expect(parseFaults('error5xx:0.1, reset-after:1,quota-early:0')).toEqual({ error5xx: 0.1, 'reset-after': 1, 'quota-early': 0 });
    for (const bad of ['error5xx', 'error5xx:2', 'boom:0.1', 'error5xx:0.1:3', 'html5xx:-0.5', 'slow-after:1e-3']) expect(() => parseFaults(bad)).toThrow(/\[faults\]/);
  });

  it('are reproducible with a seed, and differ with another', async () => {
    const spec = 'error5xx:0.2,html5xx:0.2,quota-early:0.2';
    const first = await outcomes({ faults: spec, faultsSeed: 42 }, 30);
    const again = await outcomes({ faults: spec, faultsSeed: 42 }, 30);
    const other = await outcomes({ faults: spec, faultsSeed: 43 }, 30);
    expect(again).toEqual(first);
    expect(other).not.toEqual(first);
    expect(first.some((outcome) => outcome.startsWith('200::'))).toBe(true);
    expect(first.some((outcome) => /^50[0234]:50000:application\/xml$/.test(outcome))).toBe(true);
    expect(first.some((outcome) => outcome.endsWith('text/html'))).toBe(true);
    expect(first.some((outcome) => outcome.startsWith('429:42900'))).toBe(true);
  });

  it('the seed file can carry the faults', async () => {
    const seed = { faults: 'error5xx:1', faultsSeed: 5, accounts: [{ name: 'seeded', staff: [{ username: 'a', role: 'admin', token: 'seeded-admin-token' }] }] };
    await withSandbox({ seed }, async (t) => {
      const answer = await t.call('seeded-admin-token', 'system.current');
      expect([500, 502, 503, 504]).toContain(answer.status);
      expect(answer.code).toBe(50000);
      expect(t.sandbox.faultsSeed).toBe(5);
    });
  });

  it('reset-before drops the connection before handling: nothing stored, nothing counted', async () => {
    const dataFile = join(dir, 'reset-before.db');
    await withSandbox({ dataFile, faults: 'reset-before:1' }, async (t) => {
      await expect(t.call(t.admin, 'workout.create', workoutXml({ external_id: 'rb' }))).rejects.toThrow(/socket hang up|ECONNRESET/);
    });
    expect(await inspect(dataFile)).toEqual({ workouts: 0, requests: 0 });
  });

  it('reset-after drops the connection after storing: stored and counted', async () => {
    const dataFile = join(dir, 'reset-after.db');
    await withSandbox({ dataFile, faults: 'reset-after:1' }, async (t) => {
      await expect(t.call(t.admin, 'workout.create', workoutXml({ external_id: 'ra' }))).rejects.toThrow(/socket hang up|ECONNRESET/);
    });
    expect(await inspect(dataFile)).toEqual({ workouts: 1, requests: 1 });
  });

  it('slow-after stores, then holds the answer past the client’s timeout', async () => {
    const dataFile = join(dir, 'slow-after.db');
    const entries: RequestLogEntry[] = [];
    await withSandbox({ dataFile, faults: 'slow-after:1', slowAfterMs: 60_000, onLog: (entry) => entries.push(entry) }, async (t) => {
      const agent = new Agent({ ca: t.sandbox.certPem, timeout: 300 });
      const started = Date.now();
      const pending = httpsPost(t.sandbox.url, agent, t.admin, requestXml('workout.create', workoutXml({ external_id: 'slow' })));
      const timeout = new Promise<string>((resolve) => setTimeout(() => resolve('timed out'), 700));
      expect(await Promise.race([pending.then(() => 'answered', () => 'failed'), timeout])).toBe('timed out');
      expect(Date.now() - started).toBeLessThan(5000);
      expect(entries.map((entry) => [entry.method, entry.status, entry.faults])).toEqual([['workout.create', 200, ['slow-after']]]);
      agent.destroy();
    });
    expect(await inspect(dataFile)).toEqual({ workouts: 1, requests: 1 });
  });

  it('quota-early answers 429 with Retry-After before the quota is spent, without counting', async () => {
    const dataFile = join(dir, 'quota-early.db');
    await withSandbox({ dataFile, faults: 'quota-early:1' }, async (t) => {
      const answer = await t.call(t.admin, 'workout.create', workoutXml({}));
      expect(answer.status).toBe(429);
      expect(answer.code).toBe(42900);
      expect(Number(answer.headers['retry-after'])).toBeGreaterThan(0);
    });
    expect(await inspect(dataFile)).toEqual({ workouts: 0, requests: 0 });
  });

  it('error5xx and html5xx answer a server error instead of handling: nothing stored, counted', async () => {
    const dataFile = join(dir, 'error5xx.db');
    await withSandbox({ dataFile, faults: 'html5xx:1' }, async (t) => {
      const answer = await t.call(t.admin, 'workout.create', workoutXml({}));
      expect([500, 502, 503, 504]).toContain(answer.status);
      expect(answer.headers['content-type']).toMatch(/^text\/html/);
      expect(answer.text).toMatch(/<html>/);
    });
    expect(await inspect(dataFile)).toEqual({ workouts: 0, requests: 1 });
  });
});

describe('request log', () => {
  it('writes one JSON line per request with time, account, method, status, code, bytes and faults, never a token', async () => {
    const logFile = join(dir, 'requests.log');
    const entries: RequestLogEntry[] = [];
    await withSandbox({ logFile, onLog: (entry) => entries.push(entry), httpPort: 0, clockStart: '2026-06-15T10:00:00Z', faults: 'reset-after:0', quota: 4 }, async (t) => {
      const create = requestXml('workout.create', workoutXml({ external_id: 'logged' }));
      await t.post(t.admin, create);
      await t.call(t.coach, 'workout.get', '<workout_id>1</workout_id>');
      await t.call('wrong-token', 'system.current');
      await t.post(t.admin, 'not xml');
      await t.call(t.admin, 'system.current');
      await t.call(t.admin, 'system.current');
      const lines = readFileSync(logFile, 'utf8').trim().split('\n');
      expect(lines).toHaveLength(6);
      const logged = lines.map((line) => JSON.parse(line) as RequestLogEntry);
      expect(logged).toEqual(entries);
      expect(logged[0]).toEqual({ time: '2026-06-15T10:00:00.000Z', account: 'demo', method: 'workout.create', status: 200, code: null, bytes: Buffer.byteLength(create), faults: [] });
      expect(logged.map((entry) => [entry.account, entry.method, entry.status, entry.code])).toEqual([
        ['demo', 'workout.create', 200, null],
        ['demo', 'workout.get', 200, null],
        [null, null, 401, 40100],
        ['demo', null, 200, 40010],
        ['demo', 'system.current', 200, null],
        ['demo', null, 429, 42900],
      ]);
      const text = readFileSync(logFile, 'utf8');
      expect(text).not.toContain(t.admin);
      expect(text).not.toContain(t.coach);
    });
  });
});
