import { createHash } from 'node:crypto';
import { basename } from 'node:path';
import { describe, expect, it } from 'vitest';
import { validateWorkout } from '@optimo-import/workout';
import type { Workout } from '@optimo-import/workout';
import { corpusDir, corpusFiles, readBytes } from '../../test/corpus.js';
import { DEFAULT_LIMITS } from '../types.js';
import { isPolarHrm, parsePolarHrm } from './polar-hrm.js';

/**
 * Every .hrm of ../shared/corpus/hrm, read in place: a valid workout whose totals agree with the
 * file's own [Params] Length, [HRData] line count, [IntTimes] splits and [Trip] values (read here
 * with a few regular expressions, independently of the parser). The zone is fixed so the
 * instants are stable: these are European recordings.
 */
const files = corpusFiles('hrm').filter((f) => f.toLowerCase().endsWith('.hrm'));
if (!corpusDir('hrm')) console.warn('polar-hrm corpus: ../shared/corpus/hrm is absent on this machine; its files are skipped');

function parse(path: string): Workout {
  const bytes = readBytes(path);
  expect(isPolarHrm(bytes)).toBe(true);
  return parsePolarHrm(bytes, { fileName: basename(path), sha256: createHash('sha256').update(bytes).digest('hex'), limits: DEFAULT_LIMITS, timeZone: 'Europe/Berlin' });
}

/** What the file itself says. */
function ownFacts(path: string): { length: number; interval: number; lines: number; splits: number[]; us: boolean; tripDistanceMeters?: number; tripAscentMeters?: number } {
  const text = new TextDecoder('latin1').decode(readBytes(path)).replace(/\r/g, '');
  const seconds = (t: string): number => {
    const [h, m, s] = t.split(':').map(Number) as [number, number, number];
    return h * 3600 + m * 60 + s;
  };
  const us = (/SMode=(\d+)/.exec(text)?.[1] ?? '')[7] === '1';
  const section = (name: string): string[] => {
    const at = text.indexOf(`[${name}]\n`);
    if (at < 0) return [];
    const rest = text.slice(at + name.length + 3);
    const end = rest.search(/^\[/m);
    return (end < 0 ? rest : rest.slice(0, end)).split('\n').filter((l) => l.trim() !== '');
  };
  const trip = section('Trip').map(Number);
  const facts = {
    length: seconds(/Length=([\d:.]+)/.exec(text)?.[1] as string),
    interval: Number(/Interval=(\d+)/.exec(text)?.[1]),
    lines: section('HRData').length,
    splits: section('IntTimes').filter((_, i) => i % 5 === 0).map((l) => seconds(l.split('\t')[0] as string)),
    us,
  };
  if (trip.length < 2) return facts;
  return { ...facts, tripDistanceMeters: (trip[0] as number) * (us ? 160.9344 : 100), tripAscentMeters: (trip[1] as number) * (us ? 0.3048 : 1) };
}

/** Per file: start (Europe/Berlin), elapsed s, samples, distance m (2 decimals), laps. */
const FACTS: Record<string, { start: string; elapsed: number; samples: number; distance?: number; laps: number; sport: string; warnings?: string[] }> = {
  'gc__04010301.hrm': { start: '2004-01-03T01:16:26Z', elapsed: 19469.9, samples: 3894, laps: 1, sport: 'other' },
  'gc__09052101.hrm': { start: '2009-05-21T06:14:11Z', elapsed: 4212, samples: 843, distance: 30071.04, laps: 4, sport: 'cycling' },
  'gc__10091901.hrm': { start: '2010-09-19T11:51:36Z', elapsed: 4054.9, samples: 811, distance: 19600.69, laps: 1, sport: 'cycling' },
  'sportstracker__s410-sample.hrm': { start: '2004-04-26T09:09:37Z', elapsed: 3264.9, samples: 110, laps: 11, sport: 'other', warnings: ['lap-values-inconsistent'] },
  'sportstracker__s610-ma_br_20040912T072607.hrm': { start: '2004-09-12T05:26:07Z', elapsed: 5810.8, samples: 1163, laps: 3, sport: 'other' },
  'sportstracker__s710-cycling-english.hrm': { start: '2002-11-20T12:10:42Z', elapsed: 3060, samples: 205, distance: 21384.16, laps: 4, sport: 'cycling', warnings: ['lap-values-inconsistent'] },
  'sportstracker__s725-cycling-metric.hrm': { start: '2005-04-16T07:56:32Z', elapsed: 18598.5, samples: 3720, distance: 112384.72, laps: 2, sport: 'cycling' },
  'sportstracker__s725-nospeed-metric.hrm': { start: '2005-04-17T06:59:03Z', elapsed: 8941.9, samples: 1789, laps: 3, sport: 'cycling' },
};

describe('polar-hrm corpus', () => {
  it('has the files it expects (when the corpus is there)', () => {
    if (files.length === 0) return;
    expect(files.map((f) => basename(f)).sort()).toEqual(Object.keys(FACTS).sort());
  });

  it.each(files.map((f) => [basename(f), f]))('%s', (name, path) => {
    const w = parse(path);
    expect(validateWorkout(w)).toEqual([]);
    const own = ownFacts(path);
    // Totals from the file's own numbers.
    expect(w.elapsedSeconds).toBeCloseTo(own.length, 6);
    expect(w.samples.offsetSeconds).toHaveLength(own.lines);
    expect(w.samples.offsetSeconds.at(-1)).toBe((own.lines - 1) * own.interval);
    expect((w.samples.offsetSeconds.at(-1) as number) - own.length).toBeLessThanOrEqual(own.interval);
    if (w.distanceMeters !== undefined && own.tripDistanceMeters !== undefined) {
      // The speed integrated agrees with the monitor's own trip distance (0.1 km / 0.1 mi steps) within 3 %.
      expect(Math.abs(w.distanceMeters - own.tripDistanceMeters) / own.tripDistanceMeters).toBeLessThan(0.03);
    }
    if (w.samples.altitudeMeters && own.tripAscentMeters !== undefined) expect(w.summary.ascentMeters).toBeCloseTo(own.tripAscentMeters, 6);
    const splits = w.laps.filter((l) => l.trigger !== 'session_end').map((l) => Math.round(((l.startTime - w.startTime) / 1000 + l.elapsedSeconds) * 10) / 10);
    expect(splits).toEqual(own.splits);
    expect(w.samples.heartRateBpm?.filter((v) => v !== undefined).length).toBeGreaterThan(own.lines * 0.9);
    // The facts of this file.
    const facts = FACTS[name];
    expect(facts, `no facts for ${name}`).toBeDefined();
    if (!facts) return;
    expect(new Date(w.startTime).toISOString().replace('.000Z', 'Z')).toBe(facts.start);
    expect(w.utcOffsetSource).toBe('time-zone-option');
    expect(w.elapsedSeconds).toBe(facts.elapsed);
    expect(w.samples.offsetSeconds).toHaveLength(facts.samples);
    expect(w.distanceMeters === undefined ? undefined : Math.round(w.distanceMeters * 100) / 100).toBe(facts.distance);
    expect(w.laps).toHaveLength(facts.laps);
    expect(w.sport).toBe(facts.sport);
    expect(w.device.manufacturer).toBe('Polar');
    for (const code of facts.warnings ?? []) expect(w.warnings.map((x) => x.code)).toContain(code);
    expect(w.warnings.map((x) => x.code)).not.toContain('laps-unreadable');
  });

  it('US units become ours: the S710 English file rides at bike speeds in m/s and altitudes in m', () => {
    const path = files.find((f) => f.endsWith('s710-cycling-english.hrm'));
    if (!path) return;
    const w = parse(path);
    // Trip: 13.0 mi in 3082 s, altitude 805 ft average, 910 ft max; laps at 38.0 and 39.0 °F.
    expect(w.summary.speedAvgMetersPerSecond).toBeGreaterThan(6);
    expect(w.summary.speedAvgMetersPerSecond).toBeLessThan(8);
    expect(Math.max(...(w.samples.altitudeMeters?.filter((v) => v !== undefined) as number[]))).toBeCloseTo(910 * 0.3048, 0);
    expect(w.laps.map((l) => l.summary.temperatureAvgCelsius)).toEqual([3.3, 3.3, 3.9, 3.9]);
    expect(w.extras?.['odometer-km']).toBeCloseTo(617 * 1.609344, 3);
  });

  it('notes in Latin-1 and the recording mode come through', () => {
    const path = files.find((f) => f.endsWith('s410-sample.hrm'));
    if (!path) return;
    const w = parse(path);
    expect(w.notes).toBe('1 Schneller Kilometer');
    expect(w.extras).toMatchObject({ 'hrm-version': 106, 'recording-mode': 'SMode=00000000' });
    expect(w.device.product).toBe('S410');
  });
});
