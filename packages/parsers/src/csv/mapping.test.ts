import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { isParseError } from '../errors.js';
import type { ParseError } from '../errors.js';
import { readCsvMapping } from './mapping.js';

function failure(json: unknown): ParseError {
  try {
    readCsvMapping(typeof json === 'string' ? json : JSON.stringify(json), 'map.json');
  } catch (error) {
    if (isParseError(error)) return error;
    throw error;
  }
  throw new Error('expected a ParseError');
}

describe('readCsvMapping', () => {
  it('reads a full mapping, with aliases and units by any spelling', () => {
    const mapping = readCsvMapping(
      JSON.stringify({
        version: 1,
        encoding: 'latin1',
        delimiter: 'tab',
        decimal: 'comma',
        thousands: '.',
        headerRow: 3,
        unitsRow: true,
        shape: 'samples',
        sport: 'cycling',
        timeZone: 'Europe/Berlin',
        start: '2024-05-21T09:00:00',
        sampleRateSeconds: 2,
        dateOrder: 'dd.mm.yyyy',
        columns: { Zeit: { field: 'elapsed', unit: 'min' }, Puls: 'heartRate', '#7': { field: 'speed', unit: 'KM/H' }, Notiz: null, 'Distance#2': { field: 'distance', unit: 'm' } },
      }),
    );
    expect(mapping).toMatchObject({ encoding: 'windows-1252', delimiter: '\t', decimal: ',', thousands: '.', headerRow: 3, unitsRow: true, sport: 'cycling', dateOrder: 'DMY', sampleRateSeconds: 2 });
    expect(mapping.columns?.Zeit).toMatchObject({ field: 'elapsed', unit: { name: 'min' } });
    expect(mapping.columns?.['#7']?.unit?.name).toBe('km/h');
    expect(mapping.columns?.Notiz).toEqual({ field: 'ignore' });
  });

  it('names every bad key in one error', () => {
    const error = failure({ delimter: ';', timeZone: 'Mars/Base', columns: { HR: 'heartrate', Speed: { field: 'speed', unit: 'bpm' }, X: { field: 'power', units: 'W' } }, headerRow: -1 });
    expect(error.code).toBe('corrupt');
    expect(error.message).toMatch(/^\[csv\] map\.json: the column mapping has 6 problems: /);
    expect(error.message).toContain('"delimter" is not a mapping key');
    expect(error.message).toContain('timeZone: "Mars/Base" is not an IANA time zone');
    expect(error.message).toContain('columns."HR".field: "heartrate" is not a field (use time, date,');
    expect(error.message).toContain('columns."Speed".unit: "bpm" is not a unit of speed (use km/h, mph, m/s, kn)');
    expect(error.message).toContain('columns."X".units: not a column key');
    expect(error.message).toContain('headerRow: -1 must be a whole number');
  });

  it('refuses what is not JSON or not an object', () => {
    expect(failure('{ nope').message).toMatch(/the column mapping is not JSON/);
    expect(failure([1, 2]).message).toMatch(/must be a JSON object/);
    expect(failure({ start: 'yesterday' }).message).toMatch(/start: "yesterday" is not an ISO 8601 date-time/);
    expect(failure({ headerRow: 0, columns: { Puls: 'heartRate' } }).message).toMatch(/columns are named by number/);
  });

  it('reads the example of the README', () => {
    const readme = readFileSync(fileURLToPath(new URL('./README.md', import.meta.url)), 'utf8');
    const example = /```json\n([\s\S]*?)```/.exec(readme)?.[1];
    expect(example).toBeDefined();
    expect(readCsvMapping(example as string).columns).toBeDefined();
  });
});
