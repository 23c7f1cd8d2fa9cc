import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildCsvBytes, buildFitActivity } from '@optimo-import/fixtures';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { csvMappingOfJob, parseInput, readCsvMappingFile } from './csv-mapping.js';
import { headerlessRowerCsv, ROWER_MAPPING } from './test-inputs.js';

describe('readCsvMappingFile', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'oi-mapping-'));
  });
  afterAll(async () => rm(dir, { recursive: true, force: true }));

  it('reads and checks a mapping file; the job carries its JSON object', async () => {
    const path = join(dir, 'rower.json');
    await writeFile(path, `\uFEFF${JSON.stringify(ROWER_MAPPING)}`);
    const read = await readCsvMappingFile(path);
    expect(read.json).toEqual(ROWER_MAPPING);
    expect(read.mapping).toMatchObject({ delimiter: ';', headerRow: 0, sport: 'rowing', columns: { '#1': { field: 'elapsed', unit: { name: 's' } }, '#2': { field: 'heartRate' } } });
    expect(csvMappingOfJob(read.json)).toEqual(read.mapping);
  });

  it('names the file and every problem; a missing file says so', async () => {
    const path = join(dir, 'bad.json');
    await writeFile(path, JSON.stringify({ delimter: ';', columns: { Puls: 'heartrate' } }));
    await expect(readCsvMappingFile(path)).rejects.toThrow(/bad\.json: the column mapping has 2 problems: .*delimter.*Puls/);
    await expect(readCsvMappingFile(join(dir, 'none.json'))).rejects.toThrow(/none\.json: no such file/);
    await writeFile(join(dir, 'not.json'), '{');
    await expect(readCsvMappingFile(join(dir, 'not.json'))).rejects.toThrow(/not\.json: the column mapping is not JSON/);
    expect(() => csvMappingOfJob({ shape: 'rows' })).toThrow(/the job's csvMapping: the column mapping has a problem: .*shape/);
  });
});

describe('parseInput', () => {
  const options = { fileName: 'rower.csv', timeZone: 'Europe/Berlin' };

  it('a file no parser detects is read again as CSV with the mapping', () => {
    const bytes = headerlessRowerCsv();
    expect(parseInput(bytes, options)).toMatchObject([{ status: 'failed', error: { code: 'unknown-format' } }]);
    const [entry] = parseInput(bytes, { ...options, csvMapping: csvMappingOfJob(ROWER_MAPPING) });
    expect(entry).toMatchObject({ name: 'rower.csv', status: 'ok', format: 'csv' });
    const workout = entry?.status === 'ok' ? entry.workouts[0] : undefined;
    expect(workout).toMatchObject({ sport: 'rowing', startTime: Date.parse('2024-05-21T16:30:00Z') });
    expect(workout?.samples.heartRateBpm?.slice(0, 3)).toEqual([120, 121, 122]);
  });

  it('a detected file is parsed as always (a CSV with the mapping); a file that is no table keeps its first error', () => {
    const mapping = csvMappingOfJob(ROWER_MAPPING);
    const fit = buildFitActivity({ durationSeconds: 60 });
    expect(parseInput(fit, { fileName: 'ride.fit', csvMapping: mapping })).toEqual(parseInput(fit, { fileName: 'ride.fit' }));
    const csv = buildCsvBytes({ durationSeconds: 60, time: 'iso' });
    expect(parseInput(csv, { fileName: 'ride.csv' })[0]).toMatchObject({ status: 'ok', format: 'csv', workouts: [{ sport: 'other' }] });
    expect(parseInput(csv, { fileName: 'ride.csv', csvMapping: csvMappingOfJob({ sport: 'rowing' }) })[0]).toMatchObject({ status: 'ok', format: 'csv', workouts: [{ sport: 'rowing' }] });
    const binary = Uint8Array.from({ length: 256 }, (_, i) => (i * 37) & 0xff);
    const [bad] = parseInput(binary, { fileName: 'blob.bin', csvMapping: mapping });
    expect(bad).toMatchObject({ status: 'failed', error: { code: 'unknown-format', message: expect.stringMatching(/not a workout file this tool reads/) } });
  });
});
