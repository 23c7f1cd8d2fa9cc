/**
 * The `timeZone` option across every format (issue 6, point 8): formats that record only local
 * wall-clock time take their UTC start from the zone given, else from this machine's zone (with a
 * `zone-assumed` warning); formats that carry UTC (FIT, TCX and GPX with `Z` times) never move.
 */
import { describe, expect, it } from 'vitest';
import {
  buildCsvBytes,
  buildFitActivity,
  buildGpxBytes,
  buildHrmBytes,
  buildPolarCsvBytes,
  buildPolarXmlBytes,
  buildPwxBytes,
  buildTcxBytes,
} from '@optimo-import/fixtures';
import type { Workout } from '@optimo-import/workout';
import { machineTimeZone, parseWorkout } from '../src/index.js';

const HOUR = 3_600_000;

const LOCAL: [string, () => Uint8Array, string][] = [
  ['polar-hrm', () => buildHrmBytes({ durationSeconds: 120 }), 'ride.hrm'],
  ['polar-xml', () => buildPolarXmlBytes(), 'export.xml'],
  ['pwx', () => buildPwxBytes(), 'ride.pwx'],
  ['polar-csv', () => buildPolarCsvBytes(), 'polar.csv'],
  ['csv', () => buildCsvBytes({ durationSeconds: 120, time: 'local' }), 'ride.csv'],
];
const UTC: [string, () => Uint8Array, string][] = [
  ['fit', () => buildFitActivity({ durationSeconds: 120 }), 'ride.fit'],
  ['tcx', () => buildTcxBytes({ durationSeconds: 120 }), 'ride.tcx'],
  ['gpx', () => buildGpxBytes({ durationSeconds: 120 }), 'ride.gpx'],
];

function first(bytes: Uint8Array, fileName: string, timeZone?: string): Workout {
  const [w] = parseWorkout(bytes, { fileName, ...(timeZone === undefined ? {} : { timeZone }) });
  if (w === undefined) throw new Error(`${fileName}: no workout`);
  return w;
}

const codes = (w: Workout): string[] => w.warnings.map((x) => x.code);

describe('timeZone across the formats', () => {
  it.each(LOCAL)('%s records local time: read in the zone given, else in the machine zone (said in a warning)', (format, build, fileName) => {
    const bytes = build();
    const newYork = first(bytes, fileName, 'America/New_York'); // EDT, UTC-4 in May
    const tokyo = first(bytes, fileName, 'Asia/Tokyo'); // UTC+9
    expect(newYork.source.format).toBe(format);
    expect(newYork.startTime - tokyo.startTime).toBe(13 * HOUR);
    expect(newYork).toMatchObject({ utcOffsetMinutes: -240, utcOffsetSource: 'time-zone-option' });
    expect(codes(newYork)).not.toContain('zone-assumed');
    const machine = first(bytes, fileName);
    expect(machine.startTime).toBe(first(bytes, fileName, machineTimeZone()).startTime);
    expect(machine.utcOffsetSource).toBe('machine-zone');
    expect(codes(machine)).toContain('zone-assumed');
  });

  it.each(UTC)('%s carries UTC: the zone never moves it', (format, build, fileName) => {
    const bytes = build();
    const starts = [undefined, 'UTC', 'America/New_York', 'Asia/Tokyo', 'Pacific/Chatham'].map((zone) => first(bytes, fileName, zone));
    expect(starts[0]?.source.format).toBe(format);
    expect(new Set(starts.map((w) => w.startTime)).size).toBe(1);
    for (const w of starts) expect(codes(w)).not.toContain('zone-assumed');
  });
});
