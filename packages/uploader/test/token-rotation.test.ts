import { randomBytes } from 'node:crypto';
import type { RequestLogEntry, Sandbox } from '@optimo-import/sandbox';
import { startSandbox } from '@optimo-import/sandbox';
import { afterAll, describe, expect, it } from 'vitest';
import { createClient } from '../src/client.js';
import type { UploadError } from '../src/errors.js';
import { isUploadError } from '../src/errors.js';
import { uploadWorkout } from '../src/upload.js';
import { expectNoTokenWritten, FAST_RETRY, keep, secrets, testWorkout, TIME_ZONE } from './kit.js';

/**
 * A token rotated in the middle of a batch: the sandbox's `rotateToken` changes the admin's
 * token as a password change does (the old one is refused at once, every record stays). After
 * the first 40100 the client sends nothing more until it is given the new token.
 */
const running: Sandbox[] = [];
afterAll(async () => {
  await Promise.all(running.map((sandbox) => sandbox.close()));
  expectNoTokenWritten();
});

function seed(adminToken: string): object {
  return {
    accounts: [
      {
        name: 'rotation',
        timeZone: TIME_ZONE,
        quota: 1000,
        staff: [{ username: 'admin', role: 'admin', token: adminToken }],
        athletes: [{ firstName: 'Rita', lastName: 'Runner' }],
      },
    ],
  };
}

describe('token rotated mid-batch', () => {
  it('after the 40100 no request goes out for the account until the new token is set', async () => {
    const oldToken = randomBytes(16).toString('hex');
    const newToken = randomBytes(16).toString('hex');
    secrets.add(oldToken);
    secrets.add(newToken);
    const log: RequestLogEntry[] = [];
    const sandbox = await startSandbox({ port: 0, seed: seed(oldToken), onLog: (entry) => (keep(entry), log.push(entry)) });
    running.push(sandbox);
    const client = createClient({ endpoint: sandbox.url, token: oldToken, ca: sandbox.certPem, retry: FAST_RETRY, timeouts: { connectMs: 2000, answerMs: 2000 }, log: keep });
    const outcomes: string[] = [];
    const upload = async (i: number): Promise<void> => {
      try {
        const result = await uploadWorkout(client, testWorkout(i, { tag: 'rotation' }), { athleteId: 1, timeZone: TIME_ZONE, reconcileDelayMs: 0 });
        outcomes.push(`${i} ok ${result.requests}`);
      } catch (error) {
        keep(error);
        if (!isUploadError(error)) throw error;
        outcomes.push(`${i} ${error.code} ${error.requests}`);
      }
    };

    for (let i = 0; i < 3; i += 1) await upload(i);
    // the password changes: the server now refuses the old token
    expect(sandbox.rotateToken('admin', { account: 'rotation', newToken })).toBe(newToken);
    const after = log.length;
    for (let i = 3; i < 8; i += 1) await upload(i);

    // workout 3 meets the 40100 with its first request; nothing more goes out
    expect(outcomes[3]).toBe('3 bad-token 1');
    expect(outcomes.filter((_, i) => i !== 3)).toEqual(['0 ok 1', '1 ok 1', '2 ok 1', '4 token-stopped 0', '5 token-stopped 0', '6 token-stopped 0', '7 token-stopped 0']);
    expect(log.slice(after).map((entry) => [entry.status, entry.code])).toEqual([[401, 40100]]);
    expect(client.state().tokenStopped).toBe(true);

    client.setToken(newToken);
    for (let i = 3; i < 8; i += 1) await upload(i);
    expect(outcomes.slice(8)).toEqual(['3 ok 1', '4 ok 1', '5 ok 1', '6 ok 1', '7 ok 1']);
    expect(log.slice(after).map((entry) => entry.status)).toEqual([401, 200, 200, 200, 200, 200]);
    expect(log.slice(0, after).map((entry) => entry.status)).toEqual([200, 200, 200]); // the three creates before the rotation
    client.close();
  });

  it('a 40100 stops only the client whose token met it', async () => {
    const tokenA = randomBytes(16).toString('hex');
    const tokenB = randomBytes(16).toString('hex');
    secrets.add(tokenA);
    secrets.add(tokenB);
    const sandbox = await startSandbox({ port: 0, seed: seed(tokenA), onLog: keep });
    running.push(sandbox);
    const good = createClient({ endpoint: sandbox.url, token: tokenA, ca: sandbox.certPem, retry: FAST_RETRY, log: keep });
    const stale = createClient({ endpoint: sandbox.url, token: tokenB, ca: sandbox.certPem, retry: FAST_RETRY, log: keep });
    const error = (await uploadWorkout(stale, testWorkout(1, { tag: 'other' }), { athleteId: 1, timeZone: TIME_ZONE }).catch((caught: unknown) => (keep(caught), caught))) as UploadError;
    expect(error.code).toBe('bad-token');
    const ok = await uploadWorkout(good, testWorkout(1, { tag: 'other' }), { athleteId: 1, timeZone: TIME_ZONE });
    expect(ok.requests).toBe(1);
    good.close();
    stale.close();
  });
});
