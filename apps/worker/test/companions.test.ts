/**
 * Polar files, local times and CSV column mappings through the embedded pipeline into the real
 * sandbox (HTTPS): an HRM's local start read in the account's zone, ProTrainer's `x.hrm` +
 * `x.gpx` + day file imported as one workout, a mapping carried by the job.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { sha256Hex } from '../src/jobs/hash.js';
import { jobIdOf } from '../src/jobs/job-data.js';
import type { ImportJobData, ImportResult } from '../src/jobs/job-data.js';
import { createEmbeddedPipeline } from '../src/jobs/pipeline.js';
import type { EmbeddedPipeline } from '../src/jobs/pipeline.js';
import { headerlessRowerCsv, HRM_START, ROWER_MAPPING, writePolarExercise } from '../src/test-inputs.js';
import { startKit } from './kit.js';
import type { Kit } from './kit.js';

const ACCOUNT = 'default';
const ATHLETE = '1';

async function jobFor(path: string, extra: Partial<ImportJobData> = {}): Promise<ImportJobData> {
  return {
    v: 1,
    account: ACCOUNT,
    athleteId: ATHLETE,
    file: { kind: 'path', path },
    fileName: path.split('/').pop() as string,
    contentHash: sha256Hex(await readFile(path)),
    origin: 'migrate',
    submittedAt: Date.now(),
    ...extra,
  };
}

describe('Polar files and CSV mappings through the embedded pipeline', () => {
  let kit: Kit;
  let pipeline: EmbeddedPipeline;
  let n = 0;
  const folder = async (): Promise<string> => {
    const dir = join(kit.dir, `in${++n}`);
    await mkdir(dir);
    return dir;
  };
  const run = async (...jobs: ImportJobData[]): Promise<ImportResult[]> => {
    const ids: string[] = [];
    for (const job of jobs) ids.push((await pipeline.runner.enqueue(job)).jobId);
    return Promise.all(ids.map((id) => pipeline.runner.waitFor(id)));
  };

  // A fresh sandbox each: the server's workouts are each test's own.
  beforeEach(async () => {
    // The account's zone is Lisbon: 09:00 on 2024-05-01 (WEST, UTC+1) is 08:00Z.
    kit = await startKit({ timeZone: 'Europe/Lisbon' });
    pipeline = await createEmbeddedPipeline(join(kit.dir, 'state'), { accounts: kit.accounts, concurrency: 1 });
  });
  afterEach(async () => {
    await pipeline.close();
    await kit.close();
  });

  it("an HRM's local wall-clock start lands at the UTC instant of the account's zone (or the job's)", async () => {
    const dir = await folder();
    const { hrm } = await writePolarExercise(dir, { gpx: false, pdd: false });
    const berlin = join(dir, 'berlin.hrm');
    await writeFile(berlin, (await readFile(hrm)).toString('latin1').replace('Length=00:10:00.0', 'Length=00:09:00.0'), 'latin1');
    const [own, given] = await run(await jobFor(hrm), await jobFor(berlin, { timeZone: 'Europe/Berlin' }));
    expect(own).toMatchObject({ outcome: 'imported', entries: [{ outcome: 'uploaded', sport: 'other', startTime: '2024-05-01T08:00:00.000Z' }] });
    expect(given).toMatchObject({ outcome: 'imported', entries: [{ outcome: 'uploaded', startTime: '2024-05-01T07:00:00.000Z' }] });
    const server = await kit.workouts(ATHLETE);
    expect(server.map((w) => new Date(w.startTime as number).toISOString()).sort()).toEqual(['2024-05-01T07:00:00.000Z', '2024-05-01T08:00:00.000Z']);
    expect(HRM_START).toBe('2024-05-01T09:00:00');
  });

  it('x.hrm, x.gpx and the day file: one workout (GPS time, the day file\'s name and sport); the GPX a duplicate of the HRM', async () => {
    const dir = await folder();
    const files = await writePolarExercise(dir, { hrm: { laps: 2 } });
    const gpx = files.gpx as string;
    // The GPX first: its job finds the HRM beside it whatever the order.
    const [gpxResult, hrmResult] = await run(await jobFor(gpx), await jobFor(files.hrm));
    const hrmJob = jobIdOf(ACCOUNT, sha256Hex(await readFile(files.hrm)));
    expect(hrmResult).toMatchObject({ jobId: hrmJob, outcome: 'imported', entries: [{ outcome: 'uploaded', sport: 'cycling', startTime: '2024-05-01T07:00:00.000Z' }] });
    expect(gpxResult).toMatchObject({
      outcome: 'duplicate',
      workoutIds: [],
      requests: 0,
      entries: [{ entry: '24050101.gpx', outcome: 'duplicate', reason: 'a Polar companion of 24050101.hrm: imported as part of it', duplicateOf: { fileName: '24050101.hrm', jobId: hrmJob } }],
    });
    const server = await kit.workouts(ATHLETE);
    expect(server).toHaveLength(1);
    expect(server[0]).toMatchObject({ name: 'Hungerburg', notes: 'Gegenwind', sport: 'cycling', startTime: Date.parse('2024-05-01T07:00:00Z') });
    expect(String(server[0]?.workoutId)).toBe(hrmResult?.workoutIds[0]);
  });

  it('a .hrm alone imports as it always did; a .gpx beside no HRM is a workout of its own', async () => {
    const lone = await writePolarExercise(await folder(), { gpx: false, pdd: false, hrm: { durationSeconds: 300 } });
    const other = await writePolarExercise(await folder(), { pdd: false, gpxName: 'elsewhere.gpx', hrm: { durationSeconds: 420 }, gpx: { startTime: '2024-05-02T07:00:00Z' } });
    const results = await run(await jobFor(lone.hrm), await jobFor(other.gpx as string));
    expect(results.map((r) => r.outcome)).toEqual(['imported', 'imported']);
    expect((await kit.workouts(ATHLETE)).length).toBe(2);
  });

  it('a job carries a CSV column mapping: a file no parser detects is read as CSV with it; a bad mapping fails the job', async () => {
    const dir = await folder();
    const csv = join(dir, 'rower.csv');
    await writeFile(csv, headerlessRowerCsv());
    const [without] = await run(await jobFor(csv));
    expect(without).toMatchObject({ outcome: 'failed', code: 'unknown-format' });
    // The same file again with a mapping: the old failure is dropped, the file read again.
    const [withMapping] = await run(await jobFor(csv, { csvMapping: ROWER_MAPPING }));
    expect(withMapping).toMatchObject({ outcome: 'imported', entries: [{ outcome: 'uploaded', sport: 'rowing', startTime: '2024-05-21T17:30:00.000Z' }] });
    expect((await kit.workouts(ATHLETE)).map((w) => w.sport)).toEqual(['rowing']);

    const other = join(dir, 'other.csv');
    await writeFile(other, headerlessRowerCsv(30));
    const [bad] = await run(await jobFor(other, { csvMapping: { delimiter: ';', columns: { '#1': 'heartrate' } } }));
    expect(bad).toMatchObject({ outcome: 'failed', code: 'bad-job', reason: expect.stringMatching(/^\[csv\] the job's csvMapping: the column mapping has a problem: .*heartrate/) });
  });
});
