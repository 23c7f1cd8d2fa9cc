import { supportedFormats } from '@optimo-import/parsers';
import { describe, expect, it } from 'vitest';
import { FORMATS, MAX_CSV_MAPPING_JSON, parseJobData } from './job-data.js';

const job = {
  v: 1,
  account: 'default',
  athleteId: '1',
  file: { kind: 'path', path: '/srv/in/ride.csv' },
  fileName: 'ride.csv',
  contentHash: 'a'.repeat(64),
  origin: 'submit',
  submittedAt: 0,
};

describe('the job schema', () => {
  it('`format` lists every format the parsers read', () => {
    expect([...FORMATS].sort()).toEqual([...supportedFormats()].sort());
    for (const format of supportedFormats()) expect(parseJobData({ ...job, format }).format).toBe(format);
    expect(() => parseJobData({ ...job, format: 'xlsx' })).toThrow(/format/);
  });

  it('`csvMapping` is an optional JSON object of bounded size (its content is checked when the job runs)', () => {
    expect(parseJobData({ ...job, csvMapping: { delimiter: ';', columns: { Puls: 'heartRate' } } }).csvMapping).toEqual({ delimiter: ';', columns: { Puls: 'heartRate' } });
    expect(parseJobData(job).csvMapping).toBeUndefined();
    expect(() => parseJobData({ ...job, csvMapping: 'rower.json' })).toThrow(/csvMapping/);
    expect(() => parseJobData({ ...job, csvMapping: [] })).toThrow(/csvMapping/);
    expect(() => parseJobData({ ...job, csvMapping: { sport: 'x'.repeat(MAX_CSV_MAPPING_JSON) } })).toThrow(/csvMapping: a column mapping of at most/);
  });
});
