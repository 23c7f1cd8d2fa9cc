import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseAthleteMap } from './athlete-map.js';
import { resolveAthlete } from './resolve-athlete.js';

const athleteMap = parseAthleteMap({ alice: '1001', bob: { athleteId: '2002', account: 'club' } }, 'map.json');

describe('resolveAthlete', () => {
  // [file, --athlete, map?, expected]
  const cases: Array<[string, string | undefined, boolean, string]> = [
    ['alice/a.fit', undefined, false, 'subfolder alice/riverside'],
    ['alice/2024/05/a.fit', undefined, false, 'subfolder alice/riverside'],
    ['alice/a.fit', '9', false, 'athlete 9/riverside'],
    ['a.fit', '9', false, 'athlete 9/riverside'],
    ['a.fit', undefined, false, 'no-athlete'],
    ['alice/a.fit', undefined, true, 'map 1001/riverside'],
    ['bob/x/a.fit', undefined, true, 'map 2002/club'],
    ['bob/a.fit', '9', true, 'map 2002/club'],
    ['carol/a.fit', '9', true, 'athlete 9/riverside'],
    ['carol/a.fit', undefined, true, 'no-athlete'],
    ['a.fit', undefined, true, 'no-athlete'],
    ['a.fit', '9', true, 'athlete 9/riverside'],
    [`${'x'.repeat(65)}/a.fit`, undefined, false, 'bad-athlete'],
  ];
  it.each(cases)('%s with --athlete %s and map %s → %s', (file, athleteId, withMap, expected) => {
    const got = resolveAthlete(file.split('/').join(join('a', 'b').slice(1, 2)), {
      account: 'riverside',
      ...(athleteId === undefined ? {} : { athleteId }),
      ...(withMap ? { athleteMap } : {}),
    });
    expect(got.ok ? `${got.via} ${got.athleteId}/${got.account}` : got.code).toBe(expected);
  });

  it('explains each failure', () => {
    const root = resolveAthlete('a.fit', { account: 'r' });
    expect(root.ok ? '' : root.reason).toBe(
      'no athlete is known for a file directly in the watched folder: start the watcher with --athlete ID, or put the file in a subfolder named after its athlete',
    );
    const unmapped = resolveAthlete(join('carol', 'a.fit'), { account: 'r', athleteMap });
    expect(unmapped.ok ? '' : unmapped.reason).toBe(
      'no athlete is known for the subfolder "carol": the athlete map map.json does not name it (add it to the map, or start the watcher with --athlete ID)',
    );
  });
});
