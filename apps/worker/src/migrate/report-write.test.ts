import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isMigrationError } from './migration-error.js';
import { toReportCsv } from './report-csv.js';
import { reportPaths, toReportJson, writeReport } from './report-write.js';
import { buildReport } from './report.js';
import type { MigrationReport } from './report.js';
import { ACCOUNT, csvRecords, sampleRun } from './test-reports.js';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'optimo-report-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const report = (interrupted = false): MigrationReport =>
  buildReport({ migration: 'm-1', account: ACCOUNT, athleteId: '42', startedAt: 0, endedAt: 1000, interrupted, files: sampleRun() });

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => expect.fail('expected a rejection'),
    (error: unknown) => error,
  );
}

describe('reportPaths', () => {
  it.each([
    ['out/riverside.json', 'out/riverside.json', 'out/riverside.csv'],
    ['out/riverside.csv', 'out/riverside.json', 'out/riverside.csv'],
    ['out/riverside.JSON', 'out/riverside.json', 'out/riverside.csv'],
    ['out/riverside', 'out/riverside.json', 'out/riverside.csv'],
    ['report.txt', 'report.txt.json', 'report.txt.csv'],
    ['a.json.csv', 'a.json.json', 'a.json.csv'],
  ])('%s → %s + %s', (given, json, csv) => {
    expect(reportPaths(given)).toEqual({ json, csv });
  });
});

describe('writeReport', () => {
  it('writes the JSON and the CSV beside each other and leaves no temporary file', async () => {
    const folder = join(dir, 'plain');
    mkdirSync(folder);
    const r = report();
    const paths = await writeReport(r, join(folder, 'riverside.csv'));
    expect(paths).toEqual({ json: join(folder, 'riverside.json'), csv: join(folder, 'riverside.csv') });
    expect(JSON.parse(readFileSync(paths.json, 'utf8'))).toEqual(r);
    expect(readFileSync(paths.json, 'utf8')).toBe(toReportJson(r));
    expect(readFileSync(paths.csv, 'utf8')).toBe(toReportCsv(r));
    expect(csvRecords(readFileSync(paths.csv, 'utf8'))).toHaveLength(12);
    expect(readdirSync(folder).sort()).toEqual(['riverside.csv', 'riverside.json']);
  });

  it('replaces the report of the same name (a resumed run, an interruption, the end)', async () => {
    const base = join(dir, 'again');
    await writeReport(report(true), base);
    const final = report(false);
    await writeReport(final, base);
    const json = JSON.parse(readFileSync(`${base}.json`, 'utf8')) as MigrationReport;
    expect(json.finishedAt).toBeDefined();
    expect(json.interruptedAt).toBeUndefined();
    expect(readFileSync(`${base}.csv`, 'utf8')).toBe(toReportCsv(final));
  });

  it('an empty file of that name is replaced', async () => {
    const base = join(dir, 'empty');
    writeFileSync(`${base}.json`, '');
    await writeReport(report(), `${base}.json`);
    expect(readFileSync(`${base}.json`, 'utf8')).toBe(toReportJson(report()));
  });

  it('never replaces an unrelated file, and then writes neither', async () => {
    const folder = join(dir, 'conflict');
    mkdirSync(folder);
    writeFileSync(join(folder, 'package.csv'), 'name,version\r\nx,1\r\n');
    const error = await rejection(writeReport(report(), join(folder, 'package.json')));
    expect(isMigrationError(error) && error.code).toBe('report-conflict');
    expect((error as Error).message).toBe(
      `[migrate] ${join(folder, 'package.csv')}: exists and is not a migration report; not replaced, and the report was not written (give another --report path, or move that file)`,
    );
    expect(readdirSync(folder)).toEqual(['package.csv']);
    expect(readFileSync(join(folder, 'package.csv'), 'utf8')).toBe('name,version\r\nx,1\r\n');

    writeFileSync(join(folder, 'notes.json'), '{"name": "not a report"}');
    const second = await rejection(writeReport(report(), join(folder, 'notes')));
    expect(isMigrationError(second) && second.code).toBe('report-conflict');
    expect(readdirSync(folder).sort()).toEqual(['notes.json', 'package.csv']);
  });

  it('a folder of that name is a conflict', async () => {
    const base = join(dir, 'is-a-folder');
    mkdirSync(`${base}.json`);
    const error = await rejection(writeReport(report(), base));
    expect(isMigrationError(error) && error.code).toBe('report-conflict');
  });

  it('a folder that does not exist fails with report-write, naming the path, and leaves nothing', async () => {
    const target = join(dir, 'missing', 'report');
    const error = await rejection(writeReport(report(), target));
    expect(isMigrationError(error) && error.code).toBe('report-write');
    expect((error as Error).message).toContain(`[migrate] ${target}.json: the report could not be written: ENOENT`);
    expect((error as Error).cause).toBeInstanceOf(Error);
  });
});
