import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { validateSeed } from '../src/index.js';
import { startTestSandbox, textAt, workoutXml } from './helpers.js';

/** Seeded accounts chosen by token, coaches kept apart, state kept in a data file across restarts. */
const readme = readFileSync(fileURLToPath(new URL('../README.md', import.meta.url)), 'utf8');
const example = /## The seed file\s+```json\n([\s\S]+?)```/.exec(readme)?.[1] ?? '';
const dir = mkdtempSync(join(tmpdir(), 'optimo-sandbox-accounts-'));
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('seeded accounts', () => {
  it('the README example is a valid seed', () => {
    expect(validateSeed(JSON.parse(example)).accounts.map((account) => account.name)).toEqual(['riverside-tri', 'mountain-club']);
  });

  it('tokens choose the account; each coach sees only their own athletes', async () => {
    const seed = { ...(JSON.parse(example) as Record<string, unknown>), faults: undefined };
    const t = await startTestSandbox({ seed });
    try {
      expect(t.sandbox.accounts.map((account) => [account.name, account.timeZone, account.quota])).toEqual([
        ['riverside-tri', 'Europe/Lisbon', 5000],
        ['mountain-club', 'America/Denver', 200],
      ]);
      const name = async (token: string) => textAt((await t.call(token, 'system.current')).root, 'system', 'name');
      expect(await name('riverside-admin-token')).toBe('riverside-tri');
      expect(await name('mountain-admin-token')).toBe('mountain-club');
      const dora = t.sandbox.accounts[0]?.staff.find((member) => member.username === 'dora')?.token ?? '';
      expect(dora).toMatch(/^[0-9a-f]{32}$/);
      const athletes = async (token: string) => (await t.call(token, 'athlete.list')).root?.children[0]?.children.map((athlete) => textAt(athlete, 'first_name'));
      expect(await athletes('riverside-coach-carlos')).toEqual(['Rita']);
      expect(await athletes(dora)).toEqual(['Bruno']);
      expect(await athletes('riverside-admin-token')).toEqual(['Rita', 'Bruno', 'Sara']);
      expect(await athletes('mountain-admin-token')).toEqual([]);
      // Records of another account are not found, even for its admin.
      expect((await t.call('mountain-admin-token', 'athlete.get', '<athlete_id>1</athlete_id>')).code).toBe(40400);
      expect((await t.call(dora, 'workout.create', workoutXml({ athlete_id: '1' }))).code).toBe(40300);
    } finally {
      await t.close();
    }
  });
});

describe('--data FILE', () => {
  it('keeps records, tokens and the day’s count across restarts', async () => {
    const dataFile = join(dir, 'state.db');
    const first = await startTestSandbox({ dataFile, quota: 10 });
    const admin = first.admin;
    expect((await first.call(admin, 'workout.create', workoutXml({ external_id: 'kept' }))).ok).toBe(true);
    await first.close();
    const second = await startTestSandbox({ dataFile, quota: 12 });
    try {
      expect(second.admin).toBe(admin);
      const system = await second.call(admin, 'system.current');
      expect(textAt(system.root, 'system', 'api', 'requests')).toBe('2');
      expect(textAt(system.root, 'system', 'api', 'request_limit')).toBe('12');
      const list = await second.call(admin, 'workout.list', '<external_id>kept</external_id>');
      expect(list.root?.children[0]?.attributes.total).toBe('1');
    } finally {
      await second.close();
    }
  });
});
