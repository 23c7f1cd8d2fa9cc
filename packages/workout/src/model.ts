/**
 * The common workout model: plain data, no classes, no Date objects.
 * Every field name carries its unit. A value the source lacks is absent (undefined), never 0.
 */

/** Sports Optimo Sport accepts (../shared/optimo-api.md, `workout.sport`). */
export const SPORTS = [
  'running',
  'cycling',
  'swimming',
  'walking',
  'hiking',
  'rowing',
  'skiing',
  'strength',
  'multisport',
  'other',
] as const;
export type Sport = (typeof SPORTS)[number];

/** Format ids, kebab-case; the same word serves CLI flags, log fields and fixture folders. */
export type FormatId =
  | 'fit'
  | 'tcx'
  | 'gpx'
  | 'polar-hrm'
  | 'polar-xml'
  | 'polar-csv'
  | 'polar-json'
  | 'pwx'
  | 'csv';

export interface WorkoutSource {
  format: FormatId;
  /** File name as given by the caller (for archive entries: `archive.zip!entry.fit`). */
  fileName?: string;
  /** sha256 (hex) of the file's bytes as parsed (the decompressed entry for containers). */
  sha256: string;
  /** Index of this workout inside the file (0-based): sessions, activities, tracks. */
  index: number;
  /** How many workouts the file produced. */
  count: number;
  /**
   * Workouts that belong together (a multisport FIT's sessions) share a group id;
   * `groupIndex` is the position within it.
   */
  group?: { id: string; index: number; size: number };
}

/** The sport as the file names it, kept verbatim next to our mapped sport. */
export interface SourceSport {
  sport?: string;
  subSport?: string;
}

export interface Device {
  manufacturer?: string;
  product?: string;
  serial?: string;
  software?: string;
}

export interface Summary {
  heartRateAvgBpm?: number;
  heartRateMaxBpm?: number;
  heartRateMinBpm?: number;
  speedAvgMetersPerSecond?: number;
  speedMaxMetersPerSecond?: number;
  /** rpm on a bike or rowing machine, steps per minute on foot. */
  cadenceAvgPerMinute?: number;
  cadenceMaxPerMinute?: number;
  powerAvgWatts?: number;
  powerMaxWatts?: number;
  ascentMeters?: number;
  descentMeters?: number;
  temperatureAvgCelsius?: number;
}

export type LapTrigger = 'manual' | 'distance' | 'time' | 'position' | 'session_end' | 'auto';

export interface Lap {
  /** Epoch milliseconds, UTC. */
  startTime: number;
  elapsedSeconds: number;
  movingSeconds?: number;
  distanceMeters?: number;
  energyKilocalories?: number;
  summary: Summary;
  trigger?: LapTrigger;
  /** Pool swim lengths inside this lap, when the source records them. */
  lengths?: number;
  /** `rest` for recovery laps (TCX `Intensity`, FIT `intensity`); absent when unknown. */
  intensity?: 'active' | 'rest';
  notes?: string;
}

/**
 * Samples as columns: one array per channel, all the same length as `offsetSeconds`.
 * A gap in a channel is `undefined` at that index (never 0). A channel the workout
 * never recorded is absent altogether.
 */
export interface Samples {
  /** Seconds from the workout's start time, strictly increasing, may be fractional. */
  offsetSeconds: number[];
  heartRateBpm?: (number | undefined)[];
  speedMetersPerSecond?: (number | undefined)[];
  cadencePerMinute?: (number | undefined)[];
  powerWatts?: (number | undefined)[];
  altitudeMeters?: (number | undefined)[];
  latitudeDegrees?: (number | undefined)[];
  longitudeDegrees?: (number | undefined)[];
  /** Cumulative distance. */
  distanceMeters?: (number | undefined)[];
  temperatureCelsius?: (number | undefined)[];
}

export const CHANNELS = [
  'heartRateBpm',
  'speedMetersPerSecond',
  'cadencePerMinute',
  'powerWatts',
  'altitudeMeters',
  'latitudeDegrees',
  'longitudeDegrees',
  'distanceMeters',
  'temperatureCelsius',
] as const;
export type Channel = (typeof CHANNELS)[number];

export interface Pause {
  /** Seconds from the workout's start. */
  startOffsetSeconds: number;
  durationSeconds: number;
}

/** Something repaired or skipped while reading, with how often it happened. */
export interface Warning {
  /** Stable kebab-case id, e.g. `crc-mismatch`, `sample-skipped`, `time-went-backwards`. */
  code: string;
  message: string;
  count: number;
}

/** Where the UTC offset came from. */
/** Where `utcOffsetMinutes` came from: the file, the `timeZone` option, this machine's zone (no zone was given), or nowhere. */
export type OffsetSource = 'file' | 'time-zone-option' | 'machine-zone' | 'none';

export interface Workout {
  source: WorkoutSource;
  sport: Sport;
  sourceSport: SourceSport;
  name?: string;
  notes?: string;
  /** Epoch milliseconds, UTC. */
  startTime: number;
  /** Minutes east of UTC at the start, where known. */
  utcOffsetMinutes?: number;
  utcOffsetSource: OffsetSource;
  elapsedSeconds: number;
  movingSeconds?: number;
  distanceMeters?: number;
  energyKilocalories?: number;
  summary: Summary;
  laps: Lap[];
  samples: Samples;
  pauses: Pause[];
  device: Device;
  /** Stable id of the recording: FIT `fit:<serial>:<time_created>`, else `sha256:<hex>[#index]`. */
  externalId: string;
  /** Cross-format fingerprint: start time to the second + duration (see `fingerprintOf`). */
  fingerprint: string;
  warnings: Warning[];
  /** Developer fields and other extras kept readable (name -> value or summary). */
  extras?: Record<string, string | number | boolean>;
}
