import { createServer } from 'node:net';
import type { AddressInfo, Server, Socket } from 'node:net';
import { buildAthleteGet, buildStaffCurrent, buildWorkoutList, readStaffCurrent } from '@optimo-import/mapper';
import { afterAll, describe, expect, it } from 'vitest';
import { createClient } from '../src/client.js';
import type { UploadError } from '../src/errors.js';
import { expectNoTokenWritten, FAST_RETRY, keep, settle, startKit, TIME_ZONE } from './kit.js';
import type { Kit } from './kit.js';

/** The client over real HTTPS against the sandbox: certificates, auth, timeouts, faults on reads. */
const kits: Kit[] = [];
const servers: Server[] = [];
afterAll(async () => {
  await Promise.all(kits.map((kit) => kit.close()));
  await Promise.all(servers.filter((server) => server.listening).map((server) => new Promise((resolve) => server.close(resolve))));
  expectNoTokenWritten();
});

async function kit(options: Parameters<typeof startKit>[0] = {}): Promise<Kit> {
  const started = await startKit(options);
  kits.push(started);
  return started;
}

describe('client over HTTPS (sandbox)', () => {
  it('speaks to the sandbox: basic auth, the extra CA, system.current syncs the zone', async () => {
    const k = await kit();
    const client = k.client();
    const { info, requests } = await client.system();
    expect(info).toMatchObject({ name: 'demo', timeZone: TIME_ZONE, requests: 1, requestLimit: 100_000 });
    expect(requests).toBe(1);
    expect(client.state().timeZone).toBe(TIME_ZONE);
    expect(await client.timeZone()).toBe(TIME_ZONE);
    const staff = readStaffCurrent((await client.call(buildStaffCurrent())).answer);
    expect(staff.role).toBe('admin');
    expect(k.requests.map((entry) => entry.method)).toEqual(['system.current', 'staff.current']);
  });

  it('without the sandbox CA the certificate is refused: failed at once, nothing repeated', async () => {
    const k = await kit();
    const client = k.client({ ca: undefined });
    const error = (await settle(client.call(buildWorkoutList()))) as UploadError;
    expect(error).toMatchObject({ code: 'failed', classification: 'failed', bodySent: false, requests: 1 });
    expect((error.cause as NodeJS.ErrnoException).code).toMatch(/SELF_SIGNED|UNABLE_TO_VERIFY|CERT/);
    expect(k.requests).toEqual([]);
  });

  it('plain HTTP is refused before any request: at construction', async () => {
    const k = await kit({ httpPort: 0 });
    expect(() => createClient({ endpoint: `http://127.0.0.1:${k.sandbox.httpPort}/api/2.1/xml-in`, token: k.admin })).toThrow(/must be an https:\/\/ URL/);
  });

  it('an HTTPS client pointed at a plain-HTTP port fails on TLS, never sending the token in clear', async () => {
    const k = await kit({ httpPort: 0 });
    const client = k.client({ endpoint: `https://127.0.0.1:${k.sandbox.httpPort}/api/2.1/xml-in` });
    const error = (await settle(client.call(buildWorkoutList()))) as UploadError;
    expect(error).toMatchObject({ code: 'failed', bodySent: false });
    expect(k.requests).toEqual([]);
  });

  it('a wrong token: 401 bad-token, then no request at all until the token changes', async () => {
    const k = await kit();
    const client = k.client({ token: 'not-a-token-of-this-account' });
    const first = (await settle(client.call(buildWorkoutList()))) as UploadError;
    expect(first).toMatchObject({ code: 'bad-token', status: 401, apiCode: 40100 });
    const second = (await settle(client.call(buildWorkoutList()))) as UploadError;
    expect(second).toMatchObject({ code: 'token-stopped', requests: 0 });
    expect(k.requests.map((entry) => entry.status)).toEqual([401]);
    client.setToken(k.admin);
    await client.call(buildWorkoutList());
    expect(k.requests.map((entry) => entry.status)).toEqual([401, 200]);
  });

  it('a coach naming an athlete not theirs: 40300, failed for good', async () => {
    const k = await kit();
    const client = k.client({ token: k.coach });
    const error = (await settle(client.call(buildAthleteGet(3)))) as UploadError;
    expect(error).toMatchObject({ code: 'failed', apiCode: 40300, requests: 1 });
  });

  it('reads under 5xx, HTML pages and resets are repeated until they succeed', async () => {
    const k = await kit({ faults: 'error5xx:0.25,html5xx:0.2,reset-before:0.1,reset-after:0.1', faultsSeed: 7 });
    const client = k.client({ retry: { ...FAST_RETRY, retries: 10 } });
    for (let i = 0; i < 12; i += 1) await client.call(buildWorkoutList({ page: 1 }));
    const faulted = k.requests.filter((entry) => entry.faults.length > 0);
    expect(faulted.length).toBeGreaterThan(3);
    expect(k.requests.filter((entry) => entry.status === 200)).toHaveLength(12);
  });

  it('an answer that does not come in time: answer-timeout, and a read is repeated', async () => {
    const k = await kit({ faults: 'slow-after:0.5', faultsSeed: 11, slowAfterMs: 1500 });
    const entries: string[] = [];
    const client = k.client({ timeouts: { connectMs: 1000, answerMs: 300 }, retry: { ...FAST_RETRY, retries: 10 }, log: (entry) => (keep(entry), entries.push(entry.failure ?? entry.classification ?? '')) });
    await client.call(buildWorkoutList());
    await client.call(buildWorkoutList());
    expect(entries).toContain('answer-timeout');
    expect(entries.filter((entry) => entry === 'ok')).toHaveLength(2);
  });

  it('a server that accepts and never finishes the handshake: connect timeout, then refused', async () => {
    const sockets = new Set<Socket>();
    const silent = createServer((socket) => {
      sockets.add(socket);
      socket.resume(); // reads and drops the ClientHello: the handshake never completes
    });
    servers.push(silent);
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const port = (silent.address() as AddressInfo).port;
    const logged: string[] = [];
    const client = createClient({
      endpoint: `https://127.0.0.1:${port}/api/2.1/xml-in`,
      token: 'silent-server-token',
      timeouts: { connectMs: 150 },
      retry: { retries: 1, minDelayMs: 1, maxDelayMs: 1 },
      log: (entry) => (keep(entry), logged.push(`${entry.failure}`)),
    });
    const started = Date.now();
    const error = (await settle(client.call(buildWorkoutList()))) as UploadError;
    expect(error).toMatchObject({ code: 'transient', bodySent: false, requests: 2 });
    expect(logged).toEqual(['connect-timeout', 'connect-timeout']);
    expect(Date.now() - started).toBeLessThan(2000);
    await new Promise((resolve) => {
      silent.close(resolve);
      for (const socket of sockets) socket.destroy();
    });
    const refused = (await settle(client.call(buildWorkoutList()))) as UploadError;
    expect(refused).toMatchObject({ code: 'transient', bodySent: false });
    expect(logged.slice(2)).toEqual(['refused', 'refused']);
    client.close();
  });
});
