import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_ATHLETE_MAP_BYTES, parseAthleteMap, readAthleteMap } from './athlete-map.js';
import { isWatchError } from './watch-error.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'optimo-map-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function mapFile(name: string, text: string): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, text);
  return path;
}

async function errorOf(promise: Promise<unknown>): Promise<{ code: string; message: string; file?: string; key?: string }> {
  try {
    await promise;
  } catch (error) {
    if (isWatchError(error)) return error;
    throw error;
  }
  throw new Error('expected a WatchError');
}

describe('readAthleteMap', () => {
  it('reads both forms of entry', async () => {
    const path = await mapFile('ok.json', '\uFEFF{ "alice": " 10231 ", "bob": { "athleteId": "10377", "account": "club" }, "Carol Smith": { "athleteId": "3" } }');
    const map = await readAthleteMap(path);
    expect(map.source).toBe(path);
    expect([...map.entries]).toEqual([
      ['alice', { athleteId: '10231' }],
      ['bob', { athleteId: '10377', account: 'club' }],
      ['Carol Smith', { athleteId: '3' }],
    ]);
  });

  it('names the file when it is missing, too large or not JSON', async () => {
    const missing = join(dir, 'missing.json');
    expect(await errorOf(readAthleteMap(missing))).toMatchObject({ code: 'not-found', file: missing, message: `[watch] ${missing}: no such athlete map file` });

    const big = await mapFile('big.json', `{"a":"${'x'.repeat(MAX_ATHLETE_MAP_BYTES)}"}`);
    const tooLarge = await errorOf(readAthleteMap(big));
    expect(tooLarge.code).toBe('too-large');
    expect(tooLarge.message).toMatch(new RegExp(`^\\[watch\\] ${big}: the athlete map is \\d+ bytes, over the cap of ${MAX_ATHLETE_MAP_BYTES} bytes$`));

    const broken = await mapFile('broken.json', '{ "alice": "1", }');
    const badJson = await errorOf(readAthleteMap(broken));
    expect(badJson.code).toBe('bad-json');
    expect(badJson.message.startsWith(`[watch] ${broken}: the athlete map is not JSON: `)).toBe(true);

    expect(await errorOf(readAthleteMap(dir))).toMatchObject({ code: 'unreadable', message: `[watch] ${dir}: the athlete map is not a file` });
  });

  it('lists every bad key and value, each named', async () => {
    const path = await mapFile(
      'bad.json',
      JSON.stringify({ ok: '1', 'a/b': '2', done: '3', '.hidden': '4', blank: '  ', num: 5, nothing: {}, extra: { athleteId: '6', team: 'x' }, acct: { athleteId: '7', account: 'no spaces!' } }),
    );
    const error = await errorOf(readAthleteMap(path));
    expect(error.code).toBe('bad-key');
    expect(error.key).toBe('a/b');
    expect(error.message.split('\n')).toEqual([
      `[watch] ${path}: 8 problems:`,
      '  "a/b": a subfolder name, not a path: no / or \\',
      '  "done": "done" is where the watcher puts its results; it is never read',
      '  ".hidden": a hidden or temporary name, which the watcher ignores',
      '  "blank": the athlete id "  " must be 1 to 64 characters, not blank',
      '  "num": must be an athlete id (a string) or { "athleteId": "…", "account": "…" }, not number 5',
      '  "nothing": athleteId is missing',
      '  "extra": unknown field "team"; the fields are athleteId and account',
      '  "acct": account must be an account name (letters, digits, ., _ and -, at most 63); got "no spaces!"',
    ]);
  });
});

describe('parseAthleteMap', () => {
  it('refuses what is not an object, and an empty map', () => {
    expect(() => parseAthleteMap(['alice'], 'm.json')).toThrow('[watch] m.json: the athlete map must be a JSON object of subfolder name to athlete id, not an array');
    expect(() => parseAthleteMap(null)).toThrow('[watch] athlete map: the athlete map must be a JSON object');
    expect(() => parseAthleteMap({}, 'm.json')).toThrow('[watch] m.json: the athlete map names no subfolder');
  });

  it('keeps keys such as __proto__ and constructor as plain names', () => {
    const map = parseAthleteMap(JSON.parse('{"__proto__": "1", "constructor": "2"}'));
    expect(map.entries.get('__proto__')).toEqual({ athleteId: '1' });
    expect(map.entries.get('constructor')).toEqual({ athleteId: '2' });
    expect(map.entries.get('toString')).toBeUndefined();
  });
});
