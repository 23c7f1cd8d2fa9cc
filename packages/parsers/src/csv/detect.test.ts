import { describe, expect, it } from 'vitest';
import { buildCsvBytes, buildCsvSummaryBytes, buildFitActivity, buildGpxBytes, buildPolarCsvBytes, buildStravaActivitiesCsv, buildTcxBytes } from '@optimo-import/fixtures';
import { GPX_SEED, TCX_SEED } from '../../test/seeds.js';
import { detectCsv } from './generic-csv.js';
import { detectPolarCsv } from './polar-csv.js';
import { utf8 } from './test-helpers.js';

const HRM = `[Params]\r\nVersion=106\r\nMonitor=12\r\nSMode=111000100\r\nDate=20100919\r\nStartTime=10:00:00.0\r\nLength=00:00:10.0\r\nInterval=5\r\n\r\n[HRData]\r\n120\t250\t90\t100\r\n121\t251\t91\t101\r\n`;
const JSON_TEXT = '{"exportVersion":"1.3","exercises":[{"sport":"RUNNING","startTime":"2017-06-01T10:00:00.000"}]}';
const PWX = '<?xml version="1.0"?><pwx xmlns="http://www.peaksware.com/PWX/1/0"><workout><sample><timeoffset>0</timeoffset><hr>120</hr></sample></workout></pwx>';

const csvFixtures: [string, Uint8Array][] = [
  ['English samples', buildCsvBytes()],
  ['German, semicolons, Windows-1252', buildCsvBytes({ language: 'de', delimiter: ';', decimal: ',', encoding: 'windows-1252', time: 'local' })],
  ['French, UTF-16 LE', buildCsvBytes({ language: 'fr', encoding: 'utf-16le', time: 'date-time' })],
  ['Dutch, tabs, UTF-16 BE', buildCsvBytes({ language: 'nl', delimiter: '\t', encoding: 'utf-16be' })],
  ['Spanish summary rows', buildCsvSummaryBytes({ language: 'es', delimiter: ';', rows: [{ startTime: '2024-05-21T07:00:00Z', durationSeconds: 60, distanceMeters: 100, sport: 'Carrera' }] })],
  ['Strava activities.csv', utf8(buildStravaActivitiesCsv([{ startTime: '2024-05-21T07:00:00Z', durationSeconds: 60 }]))],
];

const otherFormats: [string, Uint8Array][] = [
  ['FIT', buildFitActivity({ durationSeconds: 30 })],
  ['TCX', buildTcxBytes({ durationSeconds: 30 })],
  ['TCX seed', utf8(TCX_SEED)],
  ['GPX with BOM and whitespace', buildGpxBytes({ durationSeconds: 30, bom: true, leadingWhitespace: '\n  ' })],
  ['GPX seed', utf8(GPX_SEED)],
  ['Polar HRM', utf8(HRM)],
  ['Polar JSON', utf8(JSON_TEXT)],
  ['PWX', utf8(PWX)],
  ['prose', utf8('Dear coach,\nhere is my time: 10 km in 45 minutes, heart rate 150.\nRegards')],
  ['nothing', new Uint8Array(0)],
  ['zeros', new Uint8Array(512)],
  ['noise', Uint8Array.from({ length: 4096 }, (_, i) => (i * 37 + 11) & 0xff)],
];

describe('csv.detect', () => {
  it.each(csvFixtures)('claims %s', (_name, bytes) => {
    expect(detectCsv(bytes)).toBe(true);
    expect(detectPolarCsv(bytes)).toBe(false);
  });
  it.each(otherFormats)('leaves %s alone', (_name, bytes) => {
    expect(detectCsv(bytes)).toBe(false);
    expect(detectPolarCsv(bytes)).toBe(false);
  });
  it('leaves a Polar Flow CSV to polar-csv, with or without power', () => {
    for (const bytes of [buildPolarCsvBytes(), buildPolarCsvBytes({ power: true, dateFormat: 'DD.MM.YYYY' })]) {
      expect(detectPolarCsv(bytes)).toBe(true);
      expect(detectCsv(bytes)).toBe(false);
    }
  });
  it('needs two known columns and a data row, not just a comma', () => {
    expect(detectCsv(utf8('a,b\n1,2\n'))).toBe(false);
    expect(detectCsv(utf8('Heart rate,Power\n'))).toBe(false);
    expect(detectCsv(utf8('Heart rate,Power\n120,200\n'))).toBe(true);
  });
});
