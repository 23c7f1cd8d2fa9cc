import { describe, expect, it } from 'vitest';
import { buildGpxBytes, buildHrmBytes } from '@optimo-import/fixtures';
import type { GpxBuildOptions, HrmBuildOptions } from '@optimo-import/fixtures';
import { validateWorkout } from '@optimo-import/workout';
import type { Workout } from '@optimo-import/workout';
import { gpxParser } from '../gpx.js';
import { DEFAULT_LIMITS } from '../types.js';
import { findCompanions, mergeHrmWithGpx } from './companions.js';
import { parsePolarHrm } from './polar-hrm.js';

function hrm(options: HrmBuildOptions = {}, timeZone: string | undefined = 'Europe/Berlin'): Workout {
  // 09:00 in Berlin (CEST) is 07:00Z, the GPX builder's default start.
  const bytes = buildHrmBytes({ durationSeconds: 600, start: '2024-05-01T09:00:00', ...options });
  return parsePolarHrm(bytes, { fileName: '24050101.hrm', sha256: 'hrm-sha', limits: DEFAULT_LIMITS, timeZone });
}

function gpx(options: GpxBuildOptions = {}): Workout {
  const bytes = buildGpxBytes({ durationSeconds: 600, sport: 'cycling', channels: { heartRate: false, cadence: false }, ...options });
  const [w] = gpxParser.parse(bytes, { fileName: '24050101.gpx', sha256: 'gpx-sha', limits: DEFAULT_LIMITS });
  return w as Workout;
}

const codes = (w: Workout): string[] => w.warnings.map((x) => x.code);

describe('findCompanions', () => {
  it('pairs each .hrm with the .gpx of its base name and its day file, folder by folder', () => {
    const names = [
      'export/23032101.hrm',
      'export/23032101.GPX',
      'export/23032102.HRM',
      'export/20230321.pdd',
      'other/23032101.gpx',
      'other/23032103.hrm',
      'old/98010101.hrm',
      'old/19980101.pdd',
      'a.zip!polar/04010301.hrm',
      'a.zip!polar/20040103.pdd',
      'notes.txt',
    ];
    expect(findCompanions(names)).toEqual([
      { hrm: 'export/23032101.hrm', gpx: 'export/23032101.GPX', pdd: 'export/20230321.pdd' },
      { hrm: 'export/23032102.HRM', pdd: 'export/20230321.pdd' },
      { hrm: 'other/23032103.hrm' },
      { hrm: 'old/98010101.hrm', pdd: 'old/19980101.pdd' },
      { hrm: 'a.zip!polar/04010301.hrm', pdd: 'a.zip!polar/20040103.pdd' },
    ]);
  });

  it('an HRM on its own is still a group; names that are no date find no day file', () => {
    expect(findCompanions(['ride.hrm', 'ride.gpx', '20240501.pdd'])).toEqual([{ hrm: 'ride.hrm', gpx: 'ride.gpx' }]);
    expect(findCompanions([])).toEqual([]);
  });
});

describe('mergeHrmWithGpx', () => {
  it("gives every HRM sample the GPX's position at its time; the HRM's own channels, laps and ids stay", () => {
    const h = hrm({ channels: { speed: true, altitude: true, cycling: true }, laps: 2 });
    const g = gpx();
    const w = mergeHrmWithGpx(h, g);
    expect(validateWorkout(w)).toEqual([]);
    expect(w.startTime).toBe(Date.parse('2024-05-01T07:00:00Z'));
    expect(w.samples.offsetSeconds).toEqual(h.samples.offsetSeconds);
    expect(w.samples.latitudeDegrees).toEqual(h.samples.offsetSeconds.map((t) => g.samples.latitudeDegrees?.[t]));
    expect(w.samples.longitudeDegrees?.every((v) => v === -9.14)).toBe(true);
    for (const channel of ['heartRateBpm', 'speedMetersPerSecond', 'altitudeMeters', 'distanceMeters'] as const) expect(w.samples[channel]).toEqual(h.samples[channel]);
    expect(w.laps.map((l) => [l.startTime, l.elapsedSeconds, l.distanceMeters])).toEqual(h.laps.map((l) => [l.startTime, l.elapsedSeconds, l.distanceMeters]));
    expect(w).toMatchObject({ externalId: h.externalId, fingerprint: h.fingerprint, source: h.source, distanceMeters: h.distanceMeters, utcOffsetSource: 'time-zone-option' });
    expect(w.extras?.['companion-gpx']).toBe('24050101.gpx');
    expect(codes(w)).not.toContain('companion-time-shifted');
  });

  it('takes from the GPX what the HRM lacks: altitude, distance (from 0 where the HRM starts)', () => {
    const h = hrm();
    const g = gpx({ startTime: '2024-05-01T06:58:20Z', durationSeconds: 800 });
    const w = mergeHrmWithGpx(h, g);
    expect(validateWorkout(w)).toEqual([]);
    expect(w.samples.altitudeMeters?.[0]).toBe(g.samples.altitudeMeters?.[100]);
    expect(w.samples.distanceMeters?.[0]).toBe(0);
    expect(w.distanceMeters).toBeCloseTo((g.samples.distanceMeters?.[700] as number) - (g.samples.distanceMeters?.[100] as number), 6);
    expect(w.summary.ascentMeters).toBeDefined();
    expect(codes(w)).toContain('companion-points-outside');
  });

  it('interpolates between GPX points, not across a recording gap', () => {
    const h = hrm({ intervalSeconds: 1 });
    const g = gpx({ intervalSeconds: 10, pauses: [{ atSeconds: 300, durationSeconds: 60 }] });
    const w = mergeHrmWithGpx(h, g);
    const lat = w.samples.latitudeDegrees ?? [];
    const glat = g.samples.latitudeDegrees ?? [];
    expect(lat[15]).toBeCloseTo(((glat[1] as number) + (glat[2] as number)) / 2, 9);
    // The GPS stopped from 290 s to 350 s: positions only within 2 s of either side.
    expect(lat[320]).toBeUndefined();
    expect([290, 292, 348, 350].map((i) => lat[i] !== undefined)).toEqual([true, true, true, true]);
    expect([293, 347].map((i) => lat[i])).toEqual([undefined, undefined]);
    expect(w.warnings.find((x) => x.code === 'companion-position-gap')?.count).toBe(55);
  });

  it("whole hours apart (the HRM's local time read in the wrong zone): aligned by the best overlap, the start moved to GPS time", () => {
    const h = hrm({ laps: 2 }, 'UTC'); // 09:00 read as UTC: 2 h later than the GPX's 07:00Z
    expect(h.startTime).toBe(Date.parse('2024-05-01T09:00:00Z'));
    const w = mergeHrmWithGpx(h, gpx());
    expect(validateWorkout(w)).toEqual([]);
    expect(w.startTime).toBe(Date.parse('2024-05-01T07:00:00Z'));
    expect(w).toMatchObject({ utcOffsetMinutes: 120, utcOffsetSource: 'file' });
    expect(w.laps[0]?.startTime).toBe(w.startTime);
    expect(w.warnings.find((x) => x.code === 'companion-time-shifted')?.message).toMatch(/2 h before .* moved by -2 h .*UTC offset \+02:00/);
    expect(w.samples.latitudeDegrees?.every((v) => v !== undefined)).toBe(true);
  });

  it('the machine-zone warning goes once the GPX has placed the workout', () => {
    const h = hrm({}, undefined);
    const w = mergeHrmWithGpx(h, gpx({ startTime: h.startTime + 3 * 3_600_000 }));
    expect(w.startTime).toBe(h.startTime + 3 * 3_600_000);
    expect(codes(w)).toContain('companion-time-shifted');
    expect(codes(w)).not.toContain('zone-assumed');
  });

  it('a GPS fix that comes late leaves the first samples without a position, and says so', () => {
    const w = mergeHrmWithGpx(hrm(), gpx({ startTime: '2024-05-01T07:03:00Z', durationSeconds: 420 }));
    expect(w.startTime).toBe(Date.parse('2024-05-01T07:00:00Z'));
    expect(w.samples.latitudeDegrees?.slice(0, 36).every((v) => v === undefined)).toBe(true);
    expect(w.samples.latitudeDegrees?.[36]).toBeDefined();
    expect(w.warnings.find((x) => x.code === 'companion-position-gap')?.count).toBe(36);
  });

  it('no overlap, not even hours apart: the HRM as it was, with a warning', () => {
    const h = hrm();
    const w = mergeHrmWithGpx(h, gpx({ startTime: '2024-05-03T07:00:00Z' }));
    expect(w.samples).toBe(h.samples);
    expect(codes(w)).toContain('companion-no-overlap');
  });

  it("the GPX's sport replaces an unknown or inferred one, never a named one", () => {
    expect(mergeHrmWithGpx(hrm(), gpx({ sport: 'running' })).sport).toBe('running');
    expect(mergeHrmWithGpx(hrm({ channels: { cycling: true } }), gpx({ sport: 'hiking' })).sport).toBe('hiking');
    expect(mergeHrmWithGpx(hrm({ extraParams: { ExerciseType: 'Running' } }), gpx({ sport: 'cycling' })).sport).toBe('running');
    const unknown = mergeHrmWithGpx(hrm(), gpx({ sport: null }));
    expect(unknown.sport).toBe('other');
    expect(codes(unknown)).toContain('sport-unknown');
  });

  it('R-R beats get positions too', () => {
    const w = mergeHrmWithGpx(hrm({ rr: true, durationSeconds: 120 }), gpx({ durationSeconds: 120 }));
    expect(validateWorkout(w)).toEqual([]);
    expect(w.samples.latitudeDegrees?.filter((v) => v !== undefined).length).toBe(w.samples.offsetSeconds.length);
  });
});
