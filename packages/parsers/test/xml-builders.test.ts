import { describe, expect, it } from 'vitest';
import { validateWorkout } from '@optimo-import/workout';
import type { Workout } from '@optimo-import/workout';
import { buildGpx, buildGpxBytes, buildTcx, buildTcxBytes } from '@optimo-import/fixtures';
import { gpxParser } from '../src/gpx.js';
import { tcxParser } from '../src/tcx.js';
import { DEFAULT_LIMITS } from '../src/types.js';
import type { ParseContext } from '../src/types.js';

/** The TCX and GPX fixture builders write what the parsers read back: a round trip. */
const ctx = (extra: Partial<ParseContext> = {}): ParseContext => ({ sha256: 'fixture', limits: DEFAULT_LIMITS, ...extra });
const bytes = (s: string): Uint8Array => new TextEncoder().encode(s);

function valid(ws: Workout[]): Workout[] {
  for (const w of ws) expect(validateWorkout(w)).toEqual([]);
  return ws;
}

describe('buildTcx → tcxParser', () => {
  it('round-trips laps, pauses, channels, creator and cadence doubling', () => {
    const xml = buildTcx({ durationSeconds: 1200, intervalSeconds: 2, laps: 3, pauses: [{ atSeconds: 500, durationSeconds: 90 }], leadingWhitespace: '\n  ' });
    const [w] = valid(tcxParser.parse(bytes(xml), ctx())) as [Workout];
    expect(w.sport).toBe('running');
    expect(new Date(w.startTime).toISOString()).toBe('2024-05-01T07:00:00.000Z');
    expect(w.laps).toHaveLength(3);
    expect(w.movingSeconds).toBe(1200);
    expect(w.elapsedSeconds).toBe(1200 + 90 - 2);
    expect(w.pauses).toEqual([{ startOffsetSeconds: 498, durationSeconds: 90 }]);
    expect(w.samples.offsetSeconds).toHaveLength(601);
    expect(w.samples.cadencePerMinute?.[0]).toBe(170); // 85 strides/min written as RunCadence
    expect(w.device).toEqual({ manufacturer: 'Garmin', product: 'Forerunner 945', serial: '3999999999', software: '2.50' });
    expect(w.distanceMeters).toBeCloseTo(w.samples.distanceMeters?.at(-1) as number, 1);
  });

  it('reads a pause that falls on a lap change', () => {
    const [w] = valid(tcxParser.parse(buildTcxBytes({ sport: 'Biking', durationSeconds: 4 * 3600, laps: 4, pauses: [{ atSeconds: 2 * 3600, durationSeconds: 600 }], seed: 1 }), ctx())) as [Workout];
    expect(w.laps).toHaveLength(4);
    expect(w.pauses).toEqual([{ startOffsetSeconds: 7199, durationSeconds: 600 }]);
    expect(w).toMatchObject({ elapsedSeconds: 4 * 3600 + 599, movingSeconds: 4 * 3600 });
  });

  it('writes several activities, multisport sessions, offsets and a default-namespace TPX', () => {
    const xml = buildTcxBytes({
      multisport: true,
      extensionPrefix: '',
      times: { offsetMinutes: 120 },
      bom: true,
      activities: [{ sport: 'Running', durationSeconds: 300 }, { sport: 'Biking', durationSeconds: 600, creator: null }],
    });
    const ws = valid(tcxParser.parse(xml, ctx()));
    expect(ws.map((w) => [w.sport, w.source.group?.index, w.source.group?.size, w.utcOffsetMinutes])).toEqual([
      ['running', 0, 2, 120],
      ['cycling', 1, 2, 120],
    ]);
    expect((ws[1] as Workout).startTime - (ws[0] as Workout).startTime).toBe((300 + 600) * 1000);
    expect(ws[1]?.samples.powerWatts).toBeDefined();
    expect(ws[1]?.samples.cadencePerMinute?.[0]).toBe(90); // rpm, not doubled
    expect(ws[1]?.device).toEqual({});
  });

  it('is deterministic, and noisy only with a seed', () => {
    expect(buildTcx({ durationSeconds: 60 })).toBe(buildTcx({ durationSeconds: 60 }));
    expect(buildTcx({ durationSeconds: 60, seed: 1 })).not.toBe(buildTcx({ durationSeconds: 60 }));
    expect(buildTcx({ durationSeconds: 60, seed: 1 })).toBe(buildTcx({ durationSeconds: 60, seed: 1 }));
  });
});

describe('buildGpx → gpxParser', () => {
  it('round-trips segments as pauses, extensions and the sport', () => {
    const xml = buildGpx({ sport: 'cycling', durationSeconds: 600, pauses: [{ atSeconds: 300, durationSeconds: 60 }], channels: { power: true, temperature: true, speed: true }, creator: 'Edge 530' });
    const [w] = valid(gpxParser.parse(bytes(xml), ctx())) as [Workout];
    expect(w.sport).toBe('cycling');
    expect(w.pauses).toEqual([{ startOffsetSeconds: 299, durationSeconds: 60 }]);
    expect(w.elapsedSeconds).toBe(600 + 60 - 1);
    expect(w.samples.offsetSeconds).toHaveLength(601);
    expect(Object.keys(w.samples).sort()).toEqual(
      ['altitudeMeters', 'cadencePerMinute', 'distanceMeters', 'heartRateBpm', 'latitudeDegrees', 'longitudeDegrees', 'offsetSeconds', 'powerWatts', 'speedMetersPerSecond', 'temperatureCelsius'].sort(),
    );
    expect(w.samples.cadencePerMinute?.[0]).toBe(90);
    expect(w.device.manufacturer).toBe('Garmin');
    // ~8 m/s for 600 s, less the step across the pause that the parser does not count.
    expect(w.distanceMeters).toBeGreaterThan(4700);
    expect(w.distanceMeters).toBeLessThan(4900);
  });

  it('writes several tracks, GPX 1.0, naive and millisecond times, PowerInWatts, and timeless tracks', () => {
    const two = valid(gpxParser.parse(buildGpxBytes({ tracks: [{ name: 'A' }, { name: 'B', sport: 'walking' }], powerElement: 'PowerInWatts', channels: { power: true } }), ctx()));
    expect(two.map((w) => [w.name, w.sport])).toEqual([
      ['A', 'running'],
      ['B', 'walking'],
    ]);
    expect(two[0]?.samples.powerWatts?.[0]).toBe(250);
    const v10 = valid(gpxParser.parse(bytes(buildGpx({ version: '1.0', channels: { speed: true }, times: { milliseconds: true } })), ctx()))[0] as Workout;
    expect(v10.samples.speedMetersPerSecond?.[0]).toBe(3);
    expect(v10.samples.heartRateBpm).toBeUndefined();
    const naive = valid(gpxParser.parse(bytes(buildGpx({ times: { naive: true, offsetMinutes: 120 } })), ctx({ timeZone: 'Europe/Berlin' })))[0] as Workout;
    expect(new Date(naive.startTime).toISOString()).toBe('2024-05-01T07:00:00.000Z');
    expect(() => gpxParser.parse(bytes(buildGpx({ channels: { time: false } })), ctx())).toThrow('a workout needs times');
  });
});
