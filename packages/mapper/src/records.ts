/**
 * The API's records as plain data, in the model's style (units in names, epoch ms for
 * date-times, absent when unknown): what the builders take and what the answer readers give.
 */
import type { Device, Lap, Samples, Sport, Summary } from '@optimo-import/workout';
import type { ApiId } from './options.js';

export type Sex = 'F' | 'M' | 'X';
export const SEXES: readonly Sex[] = ['F', 'M', 'X'];

export type Folder = 'active' | 'deleted';
export const FOLDERS: readonly Folder[] = ['active', 'deleted'];

export type StaffRole = 'admin' | 'coach';

export const ASSESSMENT_TYPES = [
  'vo2max_test',
  'ftp_test',
  'max_heart_rate_test',
  'resting_heart_rate',
  'orthostatic_test',
  'body_composition',
  'other',
] as const;
export type AssessmentType = (typeof ASSESSMENT_TYPES)[number];

/** Athlete fields a client writes (`athlete.create`). */
export interface AthleteFields {
  firstName: string;
  lastName: string;
  email?: string;
  coachId?: ApiId;
  /** `YYYY-MM-DD`. */
  birthDate?: string;
  sex?: Sex;
  weightKilograms?: number;
  maxHeartRateBpm?: number;
  restingHeartRateBpm?: number;
}

/** An athlete as `athlete.get` and `athlete.list` answer it. */
export interface Athlete extends Partial<Omit<AthleteFields, 'coachId'>> {
  athleteId: string;
  coachId?: string;
  folder?: string;
  /** Epoch ms UTC (the answer's local time read in the account's zone). */
  updated?: number;
}

/** `system.current`. */
export interface SystemInfo {
  name?: string;
  /** The account's IANA time zone. */
  timeZone: string;
  /** Requests counted today, this one included. */
  requests: number;
  requestLimit: number;
  /** Seconds until the count resets (the account's next local midnight). */
  resetsInSeconds: number;
}

/** `staff.current`. */
export interface StaffMember {
  staffId: string;
  username?: string;
  firstName?: string;
  lastName?: string;
  email?: string;
  /** Absent when the answer names a role the contract does not know. */
  role?: StaffRole;
}

/** A lap as the API answers it. */
export interface LapRecord {
  startTime?: number;
  elapsedSeconds?: number;
  movingSeconds?: number;
  distanceMeters?: number;
  energyKilocalories?: number;
  summary: Summary;
  /** One of `LapTrigger` normally; kept verbatim. */
  trigger?: string;
}

/** A workout as `workout.get` (and, without laps and samples, `workout.list`) answers it. */
export interface WorkoutRecord {
  workoutId?: string;
  athleteId?: string;
  externalId?: string;
  /** One of `SPORTS` normally; kept verbatim. */
  sport?: string;
  subSport?: string;
  name?: string;
  notes?: string;
  /** Epoch ms UTC. */
  startTime?: number;
  elapsedSeconds?: number;
  movingSeconds?: number;
  distanceMeters?: number;
  energyKilocalories?: number;
  summary: Summary;
  private?: boolean;
  device: Device;
  sourceFormat?: string;
  folder?: string;
  /** Epoch ms UTC. */
  updated?: number;
  laps: LapRecord[];
  /** Columns like the model's; absent when the answer holds no `<samples>`. */
  samples?: Samples;
}

/** Fields of `workout.update`: absent stays, `null` clears (an empty element). */
export interface WorkoutUpdateFields {
  athleteId?: ApiId;
  externalId?: string | null;
  sport?: Sport;
  subSport?: string | null;
  name?: string | null;
  notes?: string | null;
  /** Epoch ms UTC. */
  startTime?: number;
  elapsedSeconds?: number;
  movingSeconds?: number | null;
  distanceMeters?: number | null;
  energyKilocalories?: number | null;
  summary?: { [K in keyof Summary]?: number | null };
  private?: boolean | null;
  /** Sent whole: `null` clears the device. */
  device?: Device | null;
  sourceFormat?: string | null;
  /** Replaces every lap; `[]` removes them all. */
  laps?: Lap[];
}

/** `assessment.create`. */
export interface AssessmentFields {
  athleteId: ApiId;
  type: AssessmentType;
  /** `YYYY-MM-DD`, or epoch ms read as a local date in `options.timeZone`. */
  date: string | number;
  /** ml/kg/min. */
  vo2max?: number;
  ftpWatts?: number;
  maxHeartRateBpm?: number;
  restingHeartRateBpm?: number;
  weightKilograms?: number;
  /** Percent; sent as a whole number. */
  bodyFatPercent?: number;
  notes?: string;
  externalId?: string;
}

/** An assessment as `assessment.list` answers it. */
export interface Assessment {
  assessmentId: string;
  athleteId?: string;
  type?: string;
  /** `YYYY-MM-DD`. */
  date?: string;
  vo2max?: number;
  ftpWatts?: number;
  maxHeartRateBpm?: number;
  restingHeartRateBpm?: number;
  weightKilograms?: number;
  bodyFatPercent?: number;
  notes?: string;
  externalId?: string;
}

/** One page of a list answer. A list with one item is still a list. */
export interface ListPage<T> {
  page: number;
  perPage: number;
  pages: number;
  total: number;
  items: T[];
}
