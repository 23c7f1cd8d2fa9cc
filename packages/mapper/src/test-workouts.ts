import { isMappingError } from './errors.js';
/**
 * Workouts for the mapper's tests: plain model data (so a test controls every value, bad ones
 * included), long synthetic recordings, and the project's fixture files parsed for real.
 */
import { buildFitActivity, buildGpxBytes, buildTcxBytes, buildTwelveHourRide } from '@optimo-import/fixtures';
import { parseWorkout } from '@optimo-import/parsers';
import type { Samples, Workout } from '@optimo-import/workout';

export const T0 = Date.UTC(2024, 4, 1, 7, 0, 0);

export function plainWorkout(over: Partial<Workout> = {}): Workout {
  return {
    source: { format: 'fit', sha256: 'ab'.repeat(32), index: 0, count: 1 },
    sport: 'running',
    sourceSport: { sport: 'running', subSport: 'trail' },
    name: 'Morning run',
    startTime: T0,
    utcOffsetSource: 'none',
    elapsedSeconds: 3605,
    movingSeconds: 3500.25,
    distanceMeters: 10012.456,
    energyKilocalories: 712.6,
    summary: { heartRateAvgBpm: 148.26, heartRateMaxBpm: 171, speedAvgMetersPerSecond: 2.86071, ascentMeters: 85.04 },
    laps: [
      { startTime: T0, elapsedSeconds: 301.5, distanceMeters: 1000, summary: { heartRateAvgBpm: 140 }, trigger: 'distance' },
      { startTime: T0 + 301_500, elapsedSeconds: 3303.5, summary: {}, trigger: 'session_end' },
    ],
    samples: {
      offsetSeconds: [0, 1, 2.5, 4],
      heartRateBpm: [92, undefined, 95, 96],
      latitudeDegrees: [38.72231234, 38.7224, undefined, 38.7226],
      longitudeDegrees: [-9.13934, -9.1394, undefined, -9.1396],
      speedMetersPerSecond: [0, 2.12345, 2.2, undefined],
    },
    pauses: [],
    device: { manufacturer: 'garmin', product: 'fenix 7', serial: '3999999999', software: '12.10' },
    externalId: 'fit:3999999999:1083481200',
    fingerprint: '2024-05-01T07:00:00Z/3605',
    warnings: [],
    ...over,
  };
}

/** Every channel at 1 Hz for `seconds`, with smooth values; the kind of file a long ride makes. */
export function longWorkout(seconds: number, over: Partial<Workout> = {}): Workout {
  const n = seconds;
  const samples: Samples = {
    offsetSeconds: new Array<number>(n),
    heartRateBpm: new Array<number>(n),
    speedMetersPerSecond: new Array<number>(n),
    cadencePerMinute: new Array<number>(n),
    powerWatts: new Array<number>(n),
    altitudeMeters: new Array<number>(n),
    latitudeDegrees: new Array<number>(n),
    longitudeDegrees: new Array<number>(n),
    distanceMeters: new Array<number>(n),
    temperatureCelsius: new Array<number>(n),
  };
  for (let t = 0; t < n; t++) {
    samples.offsetSeconds[t] = t;
    (samples.heartRateBpm as number[])[t] = 120 + (t % 40);
    (samples.speedMetersPerSecond as number[])[t] = 8.123 + (t % 10) / 10;
    (samples.cadencePerMinute as number[])[t] = 80 + (t % 11);
    (samples.powerWatts as number[])[t] = 200 + (t % 50);
    (samples.altitudeMeters as number[])[t] = 1234.56 + Math.sin(t / 500) * 100;
    (samples.latitudeDegrees as number[])[t] = -33.8688197 + t / 1_000_000;
    (samples.longitudeDegrees as number[])[t] = 151.2092955 + t / 1_000_000;
    (samples.distanceMeters as number[])[t] = t * 8.6;
    (samples.temperatureCelsius as number[])[t] = -5.5 + (t % 7) / 2;
  }
  return plainWorkout({
    sport: 'cycling',
    sourceSport: { sport: 'cycling', subSport: 'road' },
    name: 'Ultra',
    elapsedSeconds: n,
    movingSeconds: n,
    distanceMeters: n * 8.6,
    laps: [],
    samples,
    ...over,
  });
}

/** The fixture builders' files, parsed by the real parsers: `[label, workout]`. */
export function fixtureWorkouts(): [string, Workout][] {
  const files: [string, Uint8Array][] = [
    ['fit-ride-all-channels', buildFitActivity({ channels: ['hr', 'speed', 'cadence', 'power', 'altitude', 'position', 'distance', 'temperature'], laps: 3, durationSeconds: 900 })],
    ['fit-run-pauses', buildFitActivity({ sport: 'running', channels: ['hr', 'cadence', 'position', 'distance'], pauses: [{ startSeconds: 200, durationSeconds: 60 }], durationSeconds: 600 })],
    ['fit-multisport', buildFitActivity({ sessions: [{ sport: 'swimming', durationSeconds: 300 }, { sport: 'cycling', durationSeconds: 600, laps: 2 }, { sport: 'running', durationSeconds: 400 }] })],
    ['fit-pool', buildFitActivity({ sport: 'swimming', subSport: 'lap_swimming', pool: { poolLengthMeters: 25, lengths: [{ durationSeconds: 30 }, { durationSeconds: 32 }, { durationSeconds: 20, idle: true }, { durationSeconds: 31 }] } })],
    ['tcx-run', buildTcxBytes({ laps: 3, durationSeconds: 900, notes: 'Tempo & strides <fast> 🏃' })],
    ['tcx-bike-pauses', buildTcxBytes({ sport: 'Biking', durationSeconds: 1200, pauses: [{ atSeconds: 600, durationSeconds: 90 }], seed: 7 })],
    ['gpx-run', buildGpxBytes({ channels: { heartRate: true, cadence: true, temperature: true, speed: true, power: true }, name: 'Evening "loop" & back' })],
    ['gpx-ms-times-over-dst', buildGpxBytes({ durationSeconds: 300, times: { milliseconds: true }, startTime: '2024-10-27T00:57:58.250Z' })],
    ['fit-twelve-hour-ride', buildTwelveHourRide()],
  ];
  const out: [string, Workout][] = [];
  for (const [label, bytes] of files) {
    const workouts = parseWorkout(bytes);
    workouts.forEach((workout, index) => out.push([workouts.length > 1 ? `${label}#${index}` : label, workout]));
  }
  return out;
}

/** The MappingError code `fn` throws, or undefined when it does not throw; other errors pass through. */
export function mappingCode(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (error) {
    if (isMappingError(error)) return error.code;
    throw error;
  }
  return undefined;
}
