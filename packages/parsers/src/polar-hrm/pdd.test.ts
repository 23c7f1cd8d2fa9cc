import { describe, expect, it } from 'vitest';
import { buildHrmBytes, buildPddBytes } from '@optimo-import/fixtures';
import { corpusFiles, readBytes } from '../../test/corpus.js';
import { isParseError } from '../errors.js';
import { DEFAULT_LIMITS } from '../types.js';
import { applyPddExercise, findPddExercise, readPdd } from './pdd.js';
import { isPolarHrm, parsePolarHrm } from './polar-hrm.js';

const text = (s: string): Uint8Array => Uint8Array.from(s, (c) => c.charCodeAt(0) & 0xff);
const hrm = (options: Parameters<typeof buildHrmBytes>[0] = {}) =>
  parsePolarHrm(buildHrmBytes({ durationSeconds: 120, start: '2024-05-01T16:19:04', ...options }), { fileName: 'dir/24050101.hrm', sha256: 'abc', limits: DEFAULT_LIMITS, timeZone: 'Europe/Vienna' });

describe('readPdd', () => {
  it('the corpus day file: name, note, sport, start, time, distance, energy and the linked HRM', () => {
    const path = corpusFiles('hrm').find((f) => f.endsWith('.pdd'));
    if (!path) return console.warn('pdd: ../shared/corpus/hrm is absent; skipped');
    const day = readPdd(readBytes(path), 'mytourbook__20230321.pdd');
    expect(day).toMatchObject({ fileName: 'mytourbook__20230321.pdd', date: '2023-03-21', warnings: [] });
    expect(day.note).toBeUndefined();
    expect(day.exercises).toEqual([
      {
        number: 1,
        name: 'Arzler Alm Trail',
        note: 'Ibk - Hans-Psenner-Steg - Schillerweg - Hungerburg - AAT - Zur Eiche - Ibk',
        sportId: 2,
        sport: 'cycling',
        startTime: '2023-03-21 16:19:04',
        startSeconds: 58744,
        totalSeconds: 4950,
        distanceMeters: 19700,
        energyKilocalories: 832,
        hrmFile: '23032101.hrm',
      },
    ]);
    // A .pdd is no HRM: the HRM detector leaves it alone.
    expect(isPolarHrm(readBytes(path))).toBe(false);
  });

  it('a built day file with two exercises, Latin-1 text, LF or CRLF', () => {
    for (const lineEnding of ['\r\n', '\n'] as const) {
      const day = readPdd(
        buildPddBytes({
          date: '2024-05-01',
          dayNote: 'Müde',
          lineEnding,
          exercises: [
            { name: 'Morgenlauf', sportId: 1, startSeconds: 7 * 3600, totalSeconds: 1800, hrmFile: '24050101.hrm', rrFile: '24050101.hrv' },
            { name: 'Rad über den Pass', note: 'Gegenwind', sportId: 7, startSeconds: 58744, totalSeconds: 120, distanceMeters: 1000, energyKilocalories: 50, hrmFile: '24050102.hrm', gpxFile: '24050102.gpx' },
          ],
        }),
      );
      expect(day.note).toBe('Müde');
      expect(day.exercises.map((e) => [e.number, e.name, e.sportId, e.sport, e.startTime, e.hrmFile, e.gpxFile, e.rrFile])).toEqual([
        [1, 'Morgenlauf', 1, 'running', '2024-05-01 07:00:00', '24050101.hrm', undefined, '24050101.hrv'],
        [2, 'Rad über den Pass', 7, undefined, '2024-05-01 16:19:04', '24050102.hrm', '24050102.gpx', undefined],
      ]);
    }
  });

  it('a file far larger than a day file is refused unread', () => {
    const big = new Uint8Array(2 * 1024 * 1024).fill(0x30);
    big.set(text('[DayInfo]\r\n'));
    expect(() => readPdd(big, 'big.pdd')).toThrow(/big\.pdd: a \.pdd day file of 2097152 bytes/);
  });

  it('an exercise section of another version is skipped with a warning', () => {
    const day = readPdd(buildPddBytes({ exercises: [{ name: 'a', version: 102 }, { name: 'b' }] }));
    expect(day.exercises.map((e) => e.name)).toEqual(['b']);
    expect(day.warnings.map((w) => w.code)).toEqual(['pdd-exercise-skipped']);
  });

  it.each([
    ['not a day file', '[Params]\r\nVersion=106\r\n', /it has no \[DayInfo\] section/],
    ['another version', '[DayInfo]\r\n99\t1\t1\t6\t0\t512\r\n20240501\t0\r\n', /\[DayInfo\] is version 99, not 100/],
    ['a bad date', '[DayInfo]\r\n100\t1\t1\t6\t0\t512\r\n20241340\t0\r\n', /date "20241340" is not a date/],
    ['nothing', '', /no \[DayInfo\]/],
  ])('%s: a ParseError naming the file', (_name, body, message) => {
    try {
      readPdd(text(body), 'day.pdd');
      expect.fail('expected a ParseError');
    } catch (error) {
      expect(isParseError(error)).toBe(true);
      expect((error as Error).message).toMatch(/^\[polar-hrm\] day\.pdd: not a readable Polar day file \(\.pdd\): /);
      expect((error as Error).message).toMatch(message);
    }
  });
});

describe('findPddExercise and applyPddExercise', () => {
  const day = readPdd(
    buildPddBytes({
      date: '2024-05-01',
      exercises: [
        { name: 'Morning', sportId: 1, startSeconds: 7 * 3600, hrmFile: '24050101.hrm' },
        { name: 'Arzler Alm Trail', note: 'Hungerburg', sportId: 2, startSeconds: 58744, energyKilocalories: 832, hrmFile: 'C:\\Polar\\24050102.HRM' },
        { name: 'Own sport', sportId: 9, startSeconds: 20 * 3600 },
      ],
    }),
    'dir/20240501.pdd',
  );

  it('by the HRM link (any folder, any case), else by the start time', () => {
    expect(findPddExercise(day, 'x/24050101.hrm')?.name).toBe('Morning');
    expect(findPddExercise(day, '24050102.hrm')?.name).toBe('Arzler Alm Trail');
    const w = hrm();
    expect(findPddExercise(day, 'renamed.hrm', w)?.name).toBe('Arzler Alm Trail');
    expect(findPddExercise(day, 'renamed.hrm')).toBeUndefined();
    expect(findPddExercise(day, 'renamed.hrm', hrm({ start: '2024-05-01T12:00:00' }))).toBeUndefined();
  });

  it("gives the workout the exercise's name, note, sport and energy", () => {
    const w = hrm({ note: 'HRM note' });
    expect(w.sport).toBe('other');
    const out = applyPddExercise(w, findPddExercise(day, '24050102.hrm')!, day);
    expect(out).toMatchObject({ name: 'Arzler Alm Trail', notes: 'HRM note\nHungerburg', sport: 'cycling', sourceSport: { sport: '2' }, energyKilocalories: 832 });
    expect(out.extras).toMatchObject({ 'companion-pdd': '20240501.pdd', 'pdd-exercise': 2 });
    expect(out.warnings.map((x) => x.code)).not.toContain('sport-unknown');
    expect(w.name).toBeUndefined(); // the input is not changed
  });

  it("a sport id of the user's own list keeps the workout's sport, with a warning that says so", () => {
    const w = hrm({ channels: { cycling: true } });
    const out = applyPddExercise(w, day.exercises[2]!, day);
    expect(out.sport).toBe('cycling');
    expect(out.warnings.find((x) => x.code === 'sport-unknown')?.message).toMatch(/sport id 9/);
  });
});
