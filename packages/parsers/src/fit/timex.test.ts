import { buildFitActivity } from '@optimo-import/fixtures';
import { validateWorkout } from '@optimo-import/workout';
import type { Workout } from '@optimo-import/workout';
import { describe, expect, it } from 'vitest';
import { machineTimeZone, resolveLocalStart } from '../local-time.js';
import { parseFit, single, warningCodes } from './test-helpers.js';
import { storesLocalTimeAsUtc, TIMEX_MANUFACTURER, timexLocalTime } from './timex.js';

/** The builder's default start, 2024-05-01T07:00:00 — for a Timex, local wall-clock time. */
const WALL = Date.UTC(2024, 4, 1, 7, 0, 0);
const FIT_EPOCH_MS = Date.UTC(1989, 11, 31);

function valid(w: Workout): Workout {
  expect(validateWorkout(w)).toEqual([]);
  return w;
}

describe('Timex FIT: local time stored as UTC', () => {
  it('shifts the start, the laps and nothing else by the configured zone, with a warning naming it', () => {
    const bytes = buildFitActivity({ manufacturer: 'timex', laps: 2, pauses: [{ startSeconds: 100, durationSeconds: 30 }] });
    const garmin = single(parseFit(buildFitActivity({ manufacturer: 'garmin', laps: 2, pauses: [{ startSeconds: 100, durationSeconds: 30 }] })));
    const w = valid(single(parseFit(bytes, { timeZone: 'America/New_York' })));
    expect(new Date(w.startTime).toISOString()).toBe('2024-05-01T11:00:00.000Z');
    expect([w.utcOffsetMinutes, w.utcOffsetSource]).toEqual([-240, 'time-zone-option']);
    expect(w.laps.map((l) => l.startTime - w.startTime)).toEqual(garmin.laps.map((l) => l.startTime - garmin.startTime));
    expect(w.samples.offsetSeconds).toEqual(garmin.samples.offsetSeconds);
    expect(w.pauses).toEqual(garmin.pauses);
    expect(w.elapsedSeconds).toBe(garmin.elapsedSeconds);
    const warning = w.warnings.find((x) => x.code === 'timex-local-time');
    expect(warning?.message).toBe('Timex devices store local time as if it were UTC; read as local time in America/New_York');
    // The recording id is the file's own (time_created as written), so a re-import matches.
    expect(w.externalId).toBe(garmin.externalId);
  });

  it("without a zone, reads the time in this machine's zone and says so", () => {
    const w = valid(single(parseFit(buildFitActivity({ manufacturer: 'timex' }))));
    const expected = resolveLocalStart(WALL, undefined);
    expect(w.startTime).toBe(expected.utcMs);
    expect([w.utcOffsetMinutes, w.utcOffsetSource]).toEqual([expected.offsetMinutes, 'machine-zone']);
    expect(w.warnings.find((x) => x.code === 'timex-local-time')?.message).toContain(`this machine's zone ${machineTimeZone()}`);
    expect(warningCodes(w)).not.toContain('zone-assumed');
  });

  it('a start in a daylight-saving gap is moved forward, with both warnings', () => {
    const start = Date.UTC(2024, 2, 31, 2, 30, 0); // 02:30 does not exist in Berlin that night
    const w = valid(single(parseFit(buildFitActivity({ manufacturer: 'timex', startTime: start, durationSeconds: 60 }), { timeZone: 'Europe/Berlin' })));
    expect(new Date(w.startTime).toISOString()).toBe('2024-03-31T01:30:00.000Z');
    expect(warningCodes(w)).toEqual(expect.arrayContaining(['timex-local-time', 'dst-gap']));
  });

  it('trusts a non-zero local_timestamp offset: the clock knew UTC', () => {
    const w = valid(single(parseFit(buildFitActivity({ manufacturer: 'timex', localOffsetMinutes: 120 }), { timeZone: 'America/New_York' })));
    expect(w.startTime).toBe(WALL);
    expect([w.utcOffsetMinutes, w.utcOffsetSource]).toEqual([120, 'file']);
    expect(warningCodes(w)).not.toContain('timex-local-time');
  });

  it('an offset of 0 from a Timex is what a clock that thinks local time is UTC writes: corrected', () => {
    const w = valid(single(parseFit(buildFitActivity({ manufacturer: 'timex', localOffsetMinutes: 0 }), { timeZone: 'Asia/Kolkata' })));
    expect(w.startTime).toBe(WALL - 330 * 60_000);
    expect([w.utcOffsetMinutes, w.utcOffsetSource]).toEqual([330, 'time-zone-option']);
  });

  it('leaves Garmin and other makers alone, whatever the zone option', () => {
    for (const manufacturer of ['garmin', 'development', 'suunto'] as const) {
      const plain = valid(single(parseFit(buildFitActivity({ manufacturer }), { timeZone: 'America/New_York' })));
      expect(plain.startTime).toBe(WALL);
      expect(plain.utcOffsetSource).toBe('none');
      expect(warningCodes(plain)).not.toContain('timex-local-time');
      const withOffset = single(parseFit(buildFitActivity({ manufacturer, localOffsetMinutes: 0 }), { timeZone: 'America/New_York' }));
      expect([withOffset.startTime, withOffset.utcOffsetMinutes, withOffset.utcOffsetSource]).toEqual([WALL, 0, 'file']);
    }
  });

  it('names the rule and the shift', () => {
    expect(storesLocalTimeAsUtc(TIMEX_MANUFACTURER, undefined)).toBe(true);
    expect(storesLocalTimeAsUtc(TIMEX_MANUFACTURER, 0)).toBe(true);
    expect(storesLocalTimeAsUtc(TIMEX_MANUFACTURER, 60)).toBe(false);
    expect(storesLocalTimeAsUtc(1, undefined)).toBe(false);
    const fix = timexLocalTime((WALL - FIT_EPOCH_MS) / 1000, 'Europe/Lisbon');
    expect(fix).toMatchObject({ shiftSeconds: -3600, utcOffsetMinutes: 60, utcOffsetSource: 'time-zone-option' });
  });
});
