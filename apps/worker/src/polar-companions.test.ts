import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseFile } from '@optimo-import/parsers';
import type { EntryResult } from '@optimo-import/parsers';
import { validateWorkout } from '@optimo-import/workout';
import type { Workout } from '@optimo-import/workout';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFolderListings, isPddName, resolveDiskCompanions } from './polar-companions.js';
import { writePolarExercise } from './test-inputs.js';

const BERLIN = 'Europe/Berlin';

async function parsed(path: string, timeZone = BERLIN): Promise<EntryResult[]> {
  const bytes = await readFile(path);
  return parseFile(new Uint8Array(bytes), { fileName: path.split('/').pop() as string, timeZone });
}

function workoutOf(results: readonly EntryResult[]): Workout {
  const [only] = results;
  if (only?.status !== 'ok') throw new Error(`not ok: ${JSON.stringify(only)}`);
  return only.workouts[0] as Workout;
}

describe('Polar companions on disk', () => {
  let root: string;
  let n = 0;
  const folder = async (): Promise<string> => {
    const dir = join(root, `f${++n}`);
    await mkdir(dir);
    return dir;
  };
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'oi-companions-'));
  });
  afterAll(async () => rm(root, { recursive: true, force: true }));

  it('an .hrm takes in the .gpx and the day file beside it', async () => {
    const files = await writePolarExercise(await folder(), { hrm: { laps: 2 } });
    const found = await resolveDiskCompanions(files.hrm, await parsed(files.hrm), { listings: createFolderListings(), timeZone: BERLIN });
    expect(found).toMatchObject({ role: 'hrm', gpxMerged: '24050101.gpx', pddRead: '20240501.pdd' });
    const w = workoutOf(found.role === 'hrm' ? found.results : []);
    expect(validateWorkout(w)).toEqual([]);
    expect(w).toMatchObject({ name: 'Hungerburg', sport: 'cycling', startTime: Date.parse('2024-05-01T07:00:00Z') });
    expect(w.samples.latitudeDegrees?.every((v) => v !== undefined)).toBe(true);
  });

  it('the .gpx beside a parsing .hrm is its companion, pointing at the HRM and its hash', async () => {
    const files = await writePolarExercise(await folder(), { gpxName: '24050101.GPX' });
    const gpx = files.gpx as string;
    const found = await resolveDiskCompanions(gpx, await parsed(gpx), { listings: createFolderListings(), timeZone: BERLIN });
    const hash = createHash('sha256').update(await readFile(files.hrm)).digest('hex');
    expect(found).toEqual({ role: 'gpx-companion', hrm: { fileName: '24050101.hrm', path: files.hrm, contentHash: hash } });
  });

  it('alone, or with a GPX that does not overlap, or beside an HRM that does not parse: no companion', async () => {
    const alone = await writePolarExercise(await folder(), { gpx: false, pdd: false });
    expect(await resolveDiskCompanions(alone.hrm, await parsed(alone.hrm), { listings: createFolderListings(), timeZone: BERLIN })).toEqual({ role: 'none' });

    const apart = await writePolarExercise(await folder(), { gpx: { startTime: '2024-05-03T07:00:00Z' }, pdd: false });
    const gpx = apart.gpx as string;
    expect(await resolveDiskCompanions(gpx, await parsed(gpx), { listings: createFolderListings(), timeZone: BERLIN })).toEqual({ role: 'none' });
    const hrm = await resolveDiskCompanions(apart.hrm, await parsed(apart.hrm), { listings: createFolderListings(), timeZone: BERLIN });
    expect(hrm.role === 'hrm' && hrm.gpxMerged).toBeUndefined();
    expect(workoutOf(hrm.role === 'hrm' ? hrm.results : []).warnings.map((w) => w.code)).toContain('companion-no-overlap');

    const broken = await writePolarExercise(await folder(), { pdd: false });
    await writeFile(broken.hrm, '[Params]\r\nVersion=106\r\n');
    const besideBroken = broken.gpx as string;
    expect(await resolveDiskCompanions(besideBroken, await parsed(besideBroken), { listings: createFolderListings(), timeZone: BERLIN })).toEqual({ role: 'none' });
  });

  it('a companion that does not parse is left out with a warning naming it', async () => {
    const files = await writePolarExercise(await folder(), { pdd: false });
    await writeFile(files.gpx as string, '<gpx>');
    const found = await resolveDiskCompanions(files.hrm, await parsed(files.hrm), { listings: createFolderListings(), timeZone: BERLIN });
    const w = workoutOf(found.role === 'hrm' ? found.results : []);
    expect(w.warnings.find((x) => x.code === 'companion-unreadable')?.message).toMatch(/^beside 24050101\.hrm: 24050101\.gpx \(/);
  });

  it('a folder over the listing cap is not searched, and the HRM says so', async () => {
    const files = await writePolarExercise(await folder());
    const found = await resolveDiskCompanions(files.hrm, await parsed(files.hrm), { listings: createFolderListings({ maxNames: 2 }), timeZone: BERLIN });
    const w = workoutOf(found.role === 'hrm' ? found.results : []);
    expect(w.name).toBeUndefined();
    expect(w.warnings.map((x) => x.code)).toContain('companion-not-looked-for');
  });

  it('a day file knows the HRMs it is read for; a folder is listed once', async () => {
    const dir = await folder();
    const files = await writePolarExercise(dir);
    const listings = createFolderListings();
    expect(listings.names(dir)).toBe(listings.names(dir));
    expect(await listings.names(dir)).toEqual(['20240501.pdd', '24050101.gpx', '24050101.hrm']);
    expect(await resolveDiskCompanions(files.pdd as string, [], { listings })).toEqual({ role: 'pdd', hrms: ['24050101.hrm'] });
    expect(isPddName('/x/20240501.PDD')).toBe(true);
    expect(isPddName('/x/20240501.hrm')).toBe(false);
  });
});
