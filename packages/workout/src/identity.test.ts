import { describe, expect, it } from 'vitest';
import { externalIdOf, fingerprintOf, parseFingerprint, sameRecording } from './identity.js';
import { sportFromName } from './sport.js';

describe('fingerprint', () => {
  const t = Date.UTC(2020, 5, 1, 13, 14, 59, 700);
  it('is the start to the second and the whole-second duration', () => {
    expect(fingerprintOf(t, 3004.6)).toBe('2020-06-01T13:14:59Z/3005');
    expect(parseFingerprint('2020-06-01T13:14:59Z/3005')).toEqual({ startTime: Date.UTC(2020, 5, 1, 13, 14, 59), elapsedSeconds: 3005 });
    expect(parseFingerprint('nonsense')).toBeUndefined();
  });
  it('recognises the same recording across exporters within tolerance', () => {
    expect(sameRecording(fingerprintOf(t, 3005), fingerprintOf(t + 2000, 3001))).toBe(true);
    expect(sameRecording(fingerprintOf(t, 3005), fingerprintOf(t + 60_000, 3005))).toBe(false);
    expect(sameRecording(fingerprintOf(t, 3005), fingerprintOf(t, 2000))).toBe(false);
  });
  it('caps external ids at 128 characters', () => {
    expect(externalIdOf({ recordingId: 'x'.repeat(200), sha256: 'a', index: 0, count: 1 })).toHaveLength(128);
  });
});

describe('sportFromName', () => {
  it.each([
    ['Running', 'running'],
    ['Biking', 'cycling'],
    ['Cycling_sport', 'cycling'],
    ['Mountain Bike', 'cycling'],
    ['open_water', 'swimming'],
    ['lap_swimming', 'swimming'],
    ['indoor_rowing', 'rowing'],
    ['cross_country_skiing', 'skiing'],
    ['Other', 'other'],
    ['TRAIL_RUNNING', 'running'],
  ])('%s -> %s', (name, sport) => {
    expect(sportFromName(name)).toBe(sport);
  });
  it('returns undefined for nothing it knows', () => {
    expect(sportFromName('chess')).toBeUndefined();
    expect(sportFromName('')).toBeUndefined();
  });
});
