/**
 * Polar companions and CSV column mappings through the commands (in-process, embedded mode, the
 * real sandbox over HTTPS): a ProTrainer folder (`24050101.hrm`, `24050101.gpx`, `20240501.pdd`)
 * and a rowing machine's CSV only a mapping can read, through `inspect`, `migrate` and `watch --once`.
 */
import { access, mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { main } from '../src/cli.js';
import { migrateCommand } from '../src/commands/migrate-command.js';
import { watchCommand } from '../src/commands/watch-command.js';
import type { InspectRecord } from '../src/inspect.js';
import type { MigrationReport } from '../src/migrate/report.js';
import { headerlessRowerCsv, ROWER_MAPPING, writePolarExercise } from '../src/test-inputs.js';
import { captureIo, QUIET, startSandboxKit, USAGE } from './cli-kit.js';
import type { SandboxKit } from './cli-kit.js';

const exists = (path: string): Promise<boolean> =>
  access(path).then(
    () => true,
    () => false,
  );

describe('Polar companions and CSV mappings through the commands', () => {
  let kit: SandboxKit;
  let env: Record<string, string>;
  let folder: string;
  let mappingFile: string;

  beforeEach(async () => {
    kit = await startSandboxKit({ timeZone: 'Europe/Lisbon' });
    env = { ...kit.defaultEnv(), OPTIMO_STATE_DIR: join(kit.dir, 'state') };
    folder = join(kit.dir, 'protrainer');
    await mkdir(folder);
    await writePolarExercise(folder, { hrm: { laps: 2 } });
    await writeFile(join(folder, 'rower.csv'), headerlessRowerCsv());
    mappingFile = join(kit.dir, 'rower.mapping.json');
    await writeFile(mappingFile, JSON.stringify(ROWER_MAPPING, null, 2));
  });
  afterEach(async () => kit.close());

  it('inspect: the HRM merged with its GPX and named by the day file, the GPX "merged into", the day file skipped; --csv-mapping reads the CSV', async () => {
    const run = captureIo();
    const code = await main(['inspect', '--json', '--time-zone', 'Europe/Berlin', '--csv-mapping', mappingFile, folder], run.io);
    expect(code, run.text()).toBe(0);
    const records = new Map(run.out.map((line) => JSON.parse(line) as InspectRecord).map((record) => [record.file.split('/').pop(), record]));
    expect([...records.keys()]).toEqual(['20240501.pdd', '24050101.gpx', '24050101.hrm', 'rower.csv']);
    expect(records.get('20240501.pdd')).toEqual({ file: join(folder, '20240501.pdd'), ok: true, workouts: [], skipped: [{ entry: join(folder, '20240501.pdd'), reason: 'a Polar day file: read for 24050101.hrm' }] });
    expect(records.get('24050101.gpx')).toEqual({
      file: join(folder, '24050101.gpx'),
      ok: true,
      workouts: [],
      skipped: [{ entry: join(folder, '24050101.gpx'), reason: 'a Polar companion: merged into 24050101.hrm' }],
      companionOf: join(folder, '24050101.hrm'),
    });
    const hrm = records.get('24050101.hrm');
    expect(hrm?.ok && hrm.workouts).toMatchObject([{ format: 'polar-hrm', sport: 'cycling', startTime: '2024-05-01T07:00:00.000Z', laps: 2 }]);
    expect(hrm?.ok && hrm.workouts[0]?.channels).toEqual(expect.arrayContaining(['heartRateBpm', 'latitudeDegrees', 'longitudeDegrees']));
    const rower = records.get('rower.csv');
    expect(rower?.ok && rower.workouts).toMatchObject([{ format: 'csv', sport: 'rowing', startTime: '2024-05-21T16:30:00.000Z', samples: 60 }]);

    // Text mode, without the mapping: the CSV fails, the companions are no failures.
    const text = captureIo();
    expect(await main(['inspect', '--time-zone', 'Europe/Berlin', folder], text.io)).toBe(1);
    expect(text.out).toEqual(
      expect.arrayContaining([
        `${join(folder, '24050101.gpx')}  skipped  a Polar companion: merged into 24050101.hrm`,
        `${join(folder, '20240501.pdd')}  skipped  a Polar day file: read for 24050101.hrm`,
        expect.stringMatching(/rower\.csv {2}FAILED {2}unknown-format: /),
        '4 file(s), 1 workout(s), 1 failed',
      ]),
    );
  });

  it('inspect --time-zone reads an HRM\'s local start in that zone; without it, in the machine\'s zone, said in a warning', async () => {
    const lone = join(kit.dir, 'lone');
    await mkdir(lone);
    const { hrm } = await writePolarExercise(lone, { gpx: false, pdd: false });
    const inZone = captureIo();
    expect(await main(['inspect', '--json', '--time-zone', 'America/New_York', hrm], inZone.io)).toBe(0);
    const [record] = inZone.out.map((line) => JSON.parse(line) as InspectRecord);
    expect(record?.ok && record.workouts[0]).toMatchObject({ format: 'polar-hrm', startTime: '2024-05-01T13:00:00.000Z', utcOffsetMinutes: -240 });
    expect(record?.ok && record.workouts[0]?.warnings.map((w) => w.code)).not.toContain('zone-assumed');
    const machine = captureIo();
    expect(await main(['inspect', '--json', hrm], machine.io)).toBe(0);
    const [assumed] = machine.out.map((line) => JSON.parse(line) as InspectRecord);
    expect(assumed?.ok && assumed.workouts[0]?.warnings.map((w) => w.code)).toContain('zone-assumed');
  });

  it('--csv-mapping: a mapping that does not check is a usage error naming the file and the problem', async () => {
    const bad = join(kit.dir, 'bad.json');
    await writeFile(bad, JSON.stringify({ delimiter: ';', columns: { '#1': 'heartrate' } }));
    for (const command of [['inspect', folder], ['map', join(folder, 'rower.csv')]]) {
      const run = captureIo();
      expect(await main([...command, '--csv-mapping', bad], run.io)).toBe(2);
      expect(run.err.join('\n')).toMatch(/--csv-mapping: \[csv\] .*bad\.json: the column mapping has a problem: .*heartrate/);
    }
    const migrate = captureIo();
    expect(await migrateCommand([folder, '--athlete', '1', '--csv-mapping', bad], migrate.io, { usage: USAGE, context: { env, cwd: kit.dir }, progress: QUIET })).toBe(2);
    expect(migrate.err.join('\n')).toMatch(/^optimo-import migrate: --csv-mapping: .*heartrate/);
    const watch = captureIo();
    expect(await watchCommand([folder, '--once', '--csv-mapping', bad], watch.io, { usage: USAGE, context: { env, cwd: kit.dir } })).toBe(2);
    expect(kit.requests).toEqual([]);
  });

  it('migrate: the day file is no job, the GPX a duplicate of the HRM; run again with --csv-mapping, the CSV that failed is read with it', async () => {
    const reportBase = join(kit.dir, 'report');
    const first = captureIo();
    const code = await migrateCommand([folder, '--athlete', '1', '--report', reportBase], first.io, { usage: USAGE, context: { env, cwd: kit.dir }, progress: QUIET, pollMs: 50 });
    expect(code, first.text()).toBe(1);
    expect(first.out).toContain('1 Polar day file(s) (.pdd) read as companions');
    expect(first.out.some((line) => /^migration m-[0-9a-f]+: 3 file\(s\) for athlete 1/.test(line))).toBe(true);
    let report = JSON.parse(await readFile(`${reportBase}.json`, 'utf8')) as MigrationReport;
    const rows = (r: MigrationReport): Map<string, MigrationReport['files'][number]> => new Map(r.files.map((file) => [file.fileName, file]));
    const hrm = rows(report).get('24050101.hrm');
    expect(hrm).toMatchObject({ outcome: 'imported', workoutIds: [expect.any(String)] });
    expect(rows(report).get('24050101.gpx')).toMatchObject({
      outcome: 'duplicate',
      requests: 0,
      reason: 'a Polar companion of 24050101.hrm: imported as part of it',
      duplicateOf: { file: join(folder, '24050101.hrm'), fileName: '24050101.hrm', workoutId: hrm?.workoutIds[0] },
    });
    expect(rows(report).get('rower.csv')).toMatchObject({ outcome: 'failed', code: 'unknown-format' });
    expect(rows(report).has('20240501.pdd')).toBe(false);

    const second = captureIo();
    expect(await migrateCommand([folder, '--athlete', '1', '--report', reportBase, '--csv-mapping', mappingFile], second.io, { usage: USAGE, context: { env, cwd: kit.dir }, progress: QUIET, pollMs: 50 }), second.text()).toBe(0);
    expect(second.out).toContain('1 file(s) queued, 2 already settled by an earlier run');
    report = JSON.parse(await readFile(`${reportBase}.json`, 'utf8')) as MigrationReport;
    expect(rows(report).get('rower.csv')).toMatchObject({ outcome: 'imported', workoutIds: [expect.any(String)] });

    const server = await kit.workouts({ athleteId: '1' });
    expect(server.map((w) => [w.sport, w.name]).sort()).toEqual([
      ['cycling', 'Hungerburg'],
      ['rowing', undefined],
    ]);
    expect(kit.creates()).toBe(2);
  });

  it('migrate --dry-run judges the companions as the real run would', async () => {
    const run = captureIo();
    const reportBase = join(kit.dir, 'dry');
    expect(await migrateCommand([folder, '--athlete', '1', '--dry-run', '--csv-mapping', mappingFile, '--report', reportBase], run.io, { usage: USAGE, context: { env, cwd: kit.dir }, progress: QUIET })).toBe(0);
    expect(run.out).toContain('1 Polar day file(s) (.pdd) read as companions');
    const report = JSON.parse(await readFile(`${reportBase}.json`, 'utf8')) as MigrationReport;
    expect(report.files.map((file) => [file.fileName, file.outcome])).toEqual([
      ['24050101.gpx', 'duplicate'],
      ['24050101.hrm', 'would-import'],
      ['rower.csv', 'would-import'],
    ]);
    expect(kit.requests).toEqual([]);
  });

  it('watch --once: the HRM and its GPX both land in done/ (one workout), the day file stays in place', async () => {
    const inbox = join(kit.dir, 'inbox');
    await mkdir(join(inbox, '1'), { recursive: true });
    await writePolarExercise(join(inbox, '1'));
    const run = captureIo();
    // One job at a time: the first file's result is known before the second's job runs, and it must wait to be moved.
    const code = await watchCommand([inbox, '--once', '--concurrency', '1', '--json'], run.io, { usage: USAGE, context: { env, cwd: kit.dir } });
    expect(code, run.text()).toBe(0);
    expect(JSON.parse(run.out.at(-1) as string)).toMatchObject({ event: 'summary', done: 2, failed: 0, left: 0 });
    expect((await readdir(join(inbox, 'done', '1'))).sort()).toEqual(['24050101.gpx', '24050101.hrm']);
    expect(await readdir(join(inbox, '1'))).toEqual(['20240501.pdd']);
    expect(await exists(join(inbox, 'failed'))).toBe(false);
    const imported = run.out.map((line) => JSON.parse(line) as { type?: string; file?: string; outcome?: string }).filter((event) => event.type === 'imported');
    expect(imported.map((event) => [event.file, event.outcome]).sort()).toEqual([
      [join('1', '24050101.gpx'), 'duplicate'],
      [join('1', '24050101.hrm'), 'imported'],
    ]);
    const server = await kit.workouts({ athleteId: '1' });
    expect(server).toMatchObject([{ name: 'Hungerburg', sport: 'cycling' }]);
  });
});
