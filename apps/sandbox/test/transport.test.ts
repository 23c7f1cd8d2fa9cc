import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_BODY_BYTES } from '../src/index.js';
import { basicAuth, parseAnswer, requestXml, startTestSandbox, textAt, workoutXml } from './helpers.js';
import type { Answer, TestSandbox } from './helpers.js';

/** Transport rules (optimo-api.md 2.1, 2.2, 2.5): 401, 403 plain HTTP, 413, 429, 40010, what counts. */
let t: TestSandbox;

beforeAll(async () => {
  t = await startTestSandbox({ httpPort: 0, quota: 40 });
});
afterAll(async () => {
  await t.close();
});

async function requestsUsed(token = t.admin): Promise<number> {
  return Number(textAt((await t.call(token, 'system.current')).root, 'system', 'api', 'requests'));
}

/** A workout.create body of exactly `size` bytes (the notes pad it). */
function bodyOfSize(size: number): Buffer {
  const shell = requestXml('workout.create', workoutXml({ external_id: `size-${size}` }, '<notes>PAD</notes>'));
  const pad = size - Buffer.byteLength(shell) + 3;
  const body = Buffer.from(shell.replace('PAD', 'x'.repeat(pad)));
  expect(body.length).toBe(size);
  return body;
}

function plainHttp(port: number, token: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, path: '/api/2.1/xml-in', method: 'POST', headers: { Authorization: basicAuth(token) } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve(parseAnswer(res.statusCode ?? 0, res.headers, Buffer.concat(chunks).toString())));
    });
    req.on('error', reject);
    req.end(requestXml('system.current'));
  });
}

describe('tokens (401/40100)', () => {
  it('a missing or wrong token is 401 with 40100, and does not count', async () => {
    const before = await requestsUsed();
    for (const answer of [await t.call(undefined, 'system.current'), await t.call('not-a-token', 'system.current'), await t.post(undefined, 'garbage')]) {
      expect(answer.status).toBe(401);
      expect(answer.code).toBe(40100);
      expect(answer.headers['www-authenticate']).toMatch(/^Basic/);
    }
    expect(await requestsUsed()).toBe(before + 1);
  });

  it('the password is ignored; the token is the user name', async () => {
    const answer = await t.post(undefined, requestXml('staff.current'), { headers: { Authorization: `Basic ${Buffer.from(`${t.coach}:anything-at-all`).toString('base64')}` } });
    expect(textAt(answer.root, 'staff', 'role')).toBe('coach');
  });
});

describe('plain HTTP (403/40300)', () => {
  it('is refused on the plain port, whatever the token, and does not count', async () => {
    const before = await requestsUsed();
    const answer = await plainHttp(t.sandbox.httpPort ?? 0, t.admin);
    expect(answer.status).toBe(403);
    expect(answer.code).toBe(40300);
    expect(await requestsUsed()).toBe(before + 1);
  });
});

describe('body size (413/41300)', () => {
  it('accepts a body of exactly 10,485,760 bytes and refuses one byte more, which counts', async () => {
    expect(MAX_BODY_BYTES).toBe(10_485_760);
    const exact = await t.post(t.admin, bodyOfSize(10_485_760));
    expect(exact.status).toBe(200);
    expect(exact.ok, exact.text.slice(0, 300)).toBe(true);
    const before = await requestsUsed();
    const over = await t.post(t.admin, bodyOfSize(10_485_761));
    expect(over.status).toBe(413);
    expect(over.code).toBe(41300);
    expect(await requestsUsed()).toBe(before + 2);
  });
});

describe('XML and method (40010)', () => {
  it.each([
    ['not XML', 'hello'],
    ['an unclosed element', '<request method="system.current">'],
    ['a wrong root', '<query method="system.current"/>'],
    ['no method', '<request/>'],
    ['an unknown method', requestXml('workout.purge')],
    ['a DOCTYPE', '<?xml version="1.0"?><!DOCTYPE request [<!ENTITY x "y">]><request method="system.current"/>'],
    ['an external entity', '<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><request method="system.current">&x;</request>'],
    ['an undeclared entity', '<request method="staff.current">&nbsp;</request>'],
    ['another encoding', '<?xml version="1.0" encoding="ISO-8859-1"?><request method="system.current"/>'],
  ])('%s is 40010 (HTTP 200), and counts', async (_name, body) => {
    const before = await requestsUsed();
    const answer = await t.post(t.admin, body);
    expect(answer.status).toBe(200);
    expect(answer.code, answer.text).toBe(40010);
    expect(answer.text).not.toContain('root:');
    expect(await requestsUsed()).toBe(before + 2);
  });

  it('bytes that are not UTF-8 are 40010', async () => {
    const body = Buffer.concat([Buffer.from('<request method="athlete.create"><athlete><first_name>'), Buffer.from([0xe9]), Buffer.from('</first_name></athlete></request>')]);
    expect((await t.post(t.admin, body)).code).toBe(40010);
  });

  it('a GET is 40010 (requests are POST)', async () => {
    expect((await t.post(t.admin, '', { method: 'GET' })).code).toBe(40010);
  });

  it('the five XML entities, character references, CDATA and namespaces are read', async () => {
    const answer = await t.post(
      t.admin,
      '<?xml version="1.0" encoding="UTF-8"?><o:request xmlns:o="urn:x" method="workout.create"><o:workout><athlete_id>1</athlete_id><sport>running</sport><start_time>2026-06-14 07:00:00</start_time><duration>60</duration><name>&lt;A&amp;B&gt; &quot;q&quot; &apos;s&apos; &#233;<![CDATA[ & <c>]]></name></o:workout></o:request>',
    );
    expect(answer.ok, answer.text).toBe(true);
    const got = await t.call(t.admin, 'workout.get', `<workout_id>${textAt(answer.root, 'workout_id') ?? ''}</workout_id>`);
    expect(textAt(got.root, 'workout', 'name')).toBe(`<A&B> "q" 's' é & <c>`);
  });
});

describe('daily limit (429/42900)', () => {
  it('counts every authenticated answer, system.current included, and refuses past the limit without counting', async () => {
    const local = await startTestSandbox({ quota: 5, clockStart: '2026-06-15T22:59:30Z' });
    try {
      const first = await local.call(local.admin, 'system.current');
      expect(textAt(first.root, 'system', 'api', 'requests')).toBe('1');
      expect(textAt(first.root, 'system', 'api', 'request_limit')).toBe('5');
      // Lisbon is UTC+1 in June: local midnight is 23:00Z, 30 seconds away.
      expect(textAt(first.root, 'system', 'api', 'resets_in')).toBe('30');
      await local.call(local.coach, 'staff.current');
      await local.post(local.coach, 'not xml');
      await local.call(local.admin, 'workout.get', '<workout_id>999</workout_id>');
      const last = await local.call(local.admin, 'system.current');
      expect(textAt(last.root, 'system', 'api', 'requests')).toBe('5');
      for (const token of [local.admin, local.coach]) {
        const refused = await local.call(token, 'system.current');
        expect(refused.status).toBe(429);
        expect(refused.code).toBe(42900);
        expect(refused.headers['retry-after']).toBe('30');
      }
      // Token before limit, limit before size.
      expect((await local.call('wrong', 'system.current')).status).toBe(401);
      expect((await local.post(local.admin, Buffer.alloc(MAX_BODY_BYTES + 1, 32))).status).toBe(429);
      local.clock.advance(30_000);
      const next = await local.call(local.admin, 'system.current');
      expect(next.ok).toBe(true);
      expect(textAt(next.root, 'system', 'api', 'requests')).toBe('1');
    } finally {
      await local.close();
    }
  });
});
