/**
 * The part of the FIT profile the importer reads: message numbers, field numbers with their
 * scale and offset (garmin/fit-javascript-sdk `src/profile.js`, profile 21.217), and the small
 * enums it interprets. A value is `raw / scale - offset`.
 */
import { fieldTable } from './fields.js';

export const Mesg = {
  fileId: 0,
  sport: 12,
  session: 18,
  lap: 19,
  record: 20,
  event: 21,
  deviceInfo: 23,
  activity: 34,
  fileCreator: 49,
  length: 101,
  hr: 132,
  fieldDescription: 206,
  developerDataId: 207,
} as const;

/** FIT seconds + this = Unix seconds (the FIT epoch is 1989-12-31T00:00:00Z). */
export const FIT_EPOCH_OFFSET_SECONDS = 631065600;

/** Timestamps below this are seconds since the device powered up, not since the epoch. */
export const SYSTEM_TIME_LIMIT = 0x10000000;

export const FILE_ID = fieldTable([
  [0, 'type'],
  [1, 'manufacturer'],
  [2, 'product'],
  [3, 'serialNumber'],
  [4, 'timeCreated'],
] as const);
export const FILE_ID_PRODUCT_NAME = 8;

export const FILE_CREATOR = fieldTable([[0, 'softwareVersion']] as const);

export const DEVICE_INFO = fieldTable([
  [0, 'deviceIndex'],
  [2, 'manufacturer'],
  [3, 'serialNumber'],
  [4, 'product'],
  [5, 'softwareVersion', 100],
] as const);

export const SPORT = fieldTable([
  [0, 'sport'],
  [1, 'subSport'],
] as const);

export const ACTIVITY = fieldTable([
  [253, 'timestamp'],
  [5, 'localTimestamp'],
  [1, 'numSessions'],
] as const);

export const EVENT = fieldTable([
  [253, 'timestamp'],
  [0, 'event'],
  [1, 'eventType'],
] as const);

export const LENGTH = fieldTable([
  [253, 'timestamp'],
  [2, 'startTime'],
  [3, 'totalElapsedTime', 1000],
  [12, 'lengthType'],
] as const);

/** Session fields; summary fields share their names with the lap table below. */
export const SESSION = fieldTable([
  [253, 'timestamp'],
  [254, 'messageIndex'],
  [2, 'startTime'],
  [5, 'sport'],
  [6, 'subSport'],
  [7, 'totalElapsedTime', 1000],
  [8, 'totalTimerTime', 1000],
  [9, 'totalDistance', 100],
  [11, 'totalCalories'],
  [14, 'avgSpeed', 1000],
  [15, 'maxSpeed', 1000],
  [16, 'avgHeartRate'],
  [17, 'maxHeartRate'],
  [18, 'avgCadence'],
  [19, 'maxCadence'],
  [20, 'avgPower'],
  [21, 'maxPower'],
  [22, 'totalAscent'],
  [23, 'totalDescent'],
  [25, 'firstLapIndex'],
  [26, 'numLaps'],
  [44, 'poolLength', 100],
  [57, 'avgTemperature'],
  [64, 'minHeartRate'],
  [92, 'avgFractionalCadence', 128],
  [93, 'maxFractionalCadence', 128],
  [124, 'enhancedAvgSpeed', 1000],
  [125, 'enhancedMaxSpeed', 1000],
] as const);

export const LAP = fieldTable([
  [253, 'timestamp'],
  [254, 'messageIndex'],
  [2, 'startTime'],
  [7, 'totalElapsedTime', 1000],
  [8, 'totalTimerTime', 1000],
  [9, 'totalDistance', 100],
  [11, 'totalCalories'],
  [13, 'avgSpeed', 1000],
  [14, 'maxSpeed', 1000],
  [15, 'avgHeartRate'],
  [16, 'maxHeartRate'],
  [17, 'avgCadence'],
  [18, 'maxCadence'],
  [19, 'avgPower'],
  [20, 'maxPower'],
  [21, 'totalAscent'],
  [22, 'totalDescent'],
  [23, 'intensity'],
  [24, 'lapTrigger'],
  [25, 'sport'],
  [32, 'numLengths'],
  [40, 'numActiveLengths'],
  [50, 'avgTemperature'],
  [63, 'minHeartRate'],
  [80, 'avgFractionalCadence', 128],
  [81, 'maxFractionalCadence', 128],
  [110, 'enhancedAvgSpeed', 1000],
  [111, 'enhancedMaxSpeed', 1000],
] as const);

export const FIELD_DESCRIPTION = fieldTable([
  [0, 'developerDataIndex'],
  [1, 'fieldDefinitionNumber'],
  [2, 'fitBaseTypeId'],
  [6, 'scale'],
  [7, 'offset'],
  [14, 'nativeMesgNum'],
  [15, 'nativeFieldNum'],
] as const);
export const FIELD_DESCRIPTION_NAME = 3;
export const FIELD_DESCRIPTION_UNITS = 8;

/** Record field numbers read by the compiled record reader. */
export const RecordField = {
  positionLat: 0,
  positionLong: 1,
  altitude: 2,
  heartRate: 3,
  cadence: 4,
  distance: 5,
  speed: 6,
  power: 7,
  compressedSpeedDistance: 8,
  temperature: 13,
  fractionalCadence: 53,
  enhancedSpeed: 73,
  enhancedAltitude: 78,
} as const;

/** hr message fields (HR sent after the fact by an HRM-Pro / HRM-Swim). */
export const HrField = {
  fractionalTimestamp: 0,
  time256: 1,
  filteredBpm: 6,
  eventTimestamp: 9,
  eventTimestamp12: 10,
} as const;

/** `event` values and `event_type` values used for pauses. */
export const EVENT_TIMER = 0;
export const EventType = { start: 0, stop: 1, stopAll: 4, stopDisable: 8, stopDisableAll: 9 } as const;

/** `file` (file_id.type): what a FIT file holds. Only `activity` is imported. */
export const FILE_TYPES: Readonly<Record<number, string>> = {
  1: 'device',
  2: 'settings',
  3: 'sport settings',
  4: 'activity',
  5: 'workout',
  6: 'course',
  7: 'schedules',
  9: 'weight',
  10: 'totals',
  11: 'goals',
  14: 'blood pressure',
  15: 'monitoring (A)',
  20: 'activity summary',
  28: 'daily monitoring',
  32: 'monitoring (B)',
  34: 'segment',
  35: 'segment list',
  40: 'exd configuration',
};
export const FILE_TYPE_ACTIVITY = 4;

/** `lap_trigger` -> our lap trigger. */
export const LAP_TRIGGERS = {
  0: 'manual',
  1: 'time',
  2: 'distance',
  3: 'position',
  4: 'position',
  5: 'position',
  6: 'position',
  7: 'session_end',
  8: 'auto',
} as const;

/** Lap `intensity` -> our lap intensity: rest and recovery laps are rests; `other` says nothing. */
export const LAP_INTENSITIES = {
  0: 'active',
  1: 'rest',
  2: 'active',
  3: 'active',
  4: 'rest',
  5: 'active',
} as const;

/** `length_type`: idle lengths are rests at the wall. */
export const LENGTH_ACTIVE = 1;

/** Manufacturers whose `product` is a `garmin_product` (the profile's sub-field map). */
export const GARMIN_PRODUCT_MAKERS: ReadonlySet<number> = new Set([1, 13, 15, 89]);
