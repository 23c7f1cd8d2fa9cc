import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestSandbox, textAt } from './helpers.js';
import type { TestSandbox } from './helpers.js';

let t: TestSandbox;

beforeAll(async () => {
  t = await startTestSandbox();
});

afterAll(async () => t.close());

describe('token rotation', () => {
  it('rotateToken changes a token as a password change does: the old one is 401/40100 at once, records stay', async () => {
    const username = t.sandbox.accounts[0]!.staff.find((m) => m.token === t.coach)!.username;
    expect((await t.call(t.coach, 'staff.current')).ok).toBe(true);
    const fresh = t.sandbox.rotateToken(username);
    expect(fresh).not.toBe(t.coach);
    const old = await t.call(t.coach, 'staff.current');
    expect([old.status, old.code]).toEqual([401, 40100]);
    const now = await t.call(fresh, 'staff.current');
    expect(textAt(now.root, 'staff', 'username')).toBe(username);
    expect(t.sandbox.rotateToken(username, { newToken: t.coach })).toBe(t.coach); // and back
    expect((await t.call(t.coach, 'staff.current')).ok).toBe(true);
    expect(() => t.sandbox.rotateToken(username, { newToken: t.admin })).toThrow(/already has/);
    expect(() => t.sandbox.rotateToken('nobody')).toThrow(/no staff member/);
  });

});
