import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { buildZip } from '@optimo-import/fixtures';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from './cli.js';
import type { InspectRecord } from './inspect.js';

const gpx = (name: string, start: string): string => `<?xml version="1.0" encoding="UTF-8"?>
<gpx version="1.1" creator="Optimo test" xmlns="http://www.topografix.com/GPX/1/1">
  <trk><name>${name}</name><type>running</type><trkseg>
    <trkpt lat="38.7000" lon="-9.1400"><ele>10</ele><time>${start}:00Z</time></trkpt>
    <trkpt lat="38.7010" lon="-9.1400"><ele>11</ele><time>${start}:30Z</time></trkpt>
    <trkpt lat="38.7020" lon="-9.1400"><ele>12</ele><time>${start.slice(0, -2)}${String(Number(start.slice(-2)) + 1).padStart(2, '0')}:00Z</time></trkpt>
  </trkseg></trk>
</gpx>`;

let dir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'optimo-cli-'));
  mkdirSync(join(dir, 'nested', 'deeper'), { recursive: true });
  writeFileSync(join(dir, 'a.gpx'), gpx('A', '2024-05-01T07:00'));
  writeFileSync(join(dir, 'nested', 'b.gpx.gz'), gzipSync(gpx('B', '2024-05-02T07:00')));
  writeFileSync(
    join(dir, 'nested', 'deeper', 'c.zip'),
    buildZip([
      { name: 'c1.gpx', bytes: new TextEncoder().encode(gpx('C1', '2024-05-03T07:00')) },
      { name: 'notes.doc', bytes: new TextEncoder().encode('not a workout') },
    ]),
  );
  mkdirSync(join(dir, 'bad'));
  writeFileSync(join(dir, 'bad', 'empty.fit'), '');
  writeFileSync(join(dir, 'bad', 'readme.txt'), 'hello');
  mkdirSync(join(dir, 'names'));
  writeFileSync(join(dir, 'names', 'evil\n\u001b[2J.gpx'), gpx('E', '2024-05-04T07:00'));
  writeFileSync(join(dir, 'names', 'empty\u202eexe.fit'), '');
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function run(args: string[]): Promise<{ code: number; out: string[]; err: string[] }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(args, { out: (l) => out.push(l), err: (l) => err.push(l) });
  return { code, out, err };
}

describe('optimo-import inspect', () => {
  it('prints one JSON object per input file, walking folders, and exits 0 when all parsed', async () => {
    const { code, out } = await run(['inspect', '--json', join(dir, 'a.gpx'), join(dir, 'nested')]);
    expect(code).toBe(0);
    const recs = out.map((l) => JSON.parse(l) as InspectRecord);
    expect(recs.map((r) => r.file)).toEqual([join(dir, 'a.gpx'), join(dir, 'nested', 'b.gpx.gz'), join(dir, 'nested', 'deeper', 'c.zip')]);
    const [a, b, c] = recs;
    expect(a?.ok && a.workouts[0]).toMatchObject({ format: 'gpx', sport: 'running', startTime: '2024-05-01T07:00:00.000Z', durationSeconds: 60, laps: 0, samples: 3 });
    expect(a?.ok && a.workouts[0]?.channels).toEqual(expect.arrayContaining(['altitudeMeters', 'latitudeDegrees', 'longitudeDegrees', 'distanceMeters']));
    expect(b?.ok && b.workouts[0]?.startTime).toBe('2024-05-02T07:00:00.000Z');
    expect(c?.ok && c.workouts.map((w) => w.entry)).toEqual([`${join(dir, 'nested', 'deeper', 'c.zip')}!c1.gpx`]);
    expect(c?.ok && c.skipped?.map((s) => s.entry.split('!')[1])).toEqual(['notes.doc']);
  });

  it('reports failed files with a code and a message naming the file, and exits 1', async () => {
    const { code, out } = await run(['inspect', '--json', join(dir, 'bad')]);
    expect(code).toBe(1);
    const recs = out.map((l) => JSON.parse(l) as InspectRecord);
    expect(recs).toEqual([
      { file: join(dir, 'bad', 'empty.fit'), ok: false, error: { code: 'no-data', message: expect.stringContaining('empty.fit') } },
      { file: join(dir, 'bad', 'readme.txt'), ok: false, error: { code: 'unknown-format', message: expect.stringContaining('readme.txt') } },
    ]);
  });

  it('prints text lines with local and UTC start when a time zone is given', async () => {
    const { code, out } = await run(['inspect', '--time-zone', 'Europe/Lisbon', join(dir, 'a.gpx'), join(dir, 'missing.fit')]);
    expect(code).toBe(1);
    expect(out[0]).toContain('2024-05-01T08:00:00+01:00 (2024-05-01T07:00:00Z)');
    expect(out[0]).toContain('0:01:00');
    expect(out[1]).toMatch(/missing\.fit {2}FAILED {2}not-found/);
    expect(out.at(-1)).toBe('2 file(s), 1 workout(s), 1 failed');
  });

  it('escapes control and bidi characters of file names in its text lines: no forged line, no terminal escape', async () => {
    const { code, out } = await run(['inspect', join(dir, 'names')]);
    expect(code).toBe(1);
    expect(out.some((l) => l.includes('evil\\n\\u001b[2J.gpx  gpx  running'))).toBe(true);
    expect(out.some((l) => l.includes('empty\\u202eexe.fit  FAILED  no-data'))).toBe(true);
    for (const line of out) expect(['\n', '\u001b', '\u202e'].filter((c) => line.includes(c))).toEqual([]);
  });

  it('exits 2 on usage errors', async () => {
    expect((await run([])).code).toBe(2);
    expect((await run(['inspect'])).code).toBe(2);
    expect((await run(['inspect', '--bogus', 'x'])).code).toBe(2);
    expect((await run(['inspect', '--time-zone', 'Nowhere/Town', 'x'])).code).toBe(2);
    expect((await run(['frobnicate'])).code).toBe(2);
  });

  it('map prints the request XML for each workout and the request count, sending nothing', async () => {
    const { code, out, err } = await run(['map', '--athlete', '42', '--time-zone', 'Europe/Lisbon', join(dir, 'nested', 'deeper', 'c.zip')]);
    expect(code).toBe(0);
    expect(err).toEqual([]);
    const body = out.find((l) => l.startsWith('<?xml'));
    expect(body).toMatch(/^<\?xml version="1.0" encoding="utf-8"\?><request method="workout.create"><workout><athlete_id>42<\/athlete_id>/);
    expect(body).toContain('<start_time>2024-05-03 08:00:00</start_time>'); // 07:00Z in Lisbon summer time
    expect(body).toContain('<sport>running</sport>');
    expect(out).toContainEqual(expect.stringMatching(/notes\.doc: skipped/));
    expect(out.at(-1)).toBe('<!-- 1 workout(s), 1 request(s) -->');
  });

  it('map escapes control characters of file names in its comments and errors', async () => {
    const good = await run(['map', '--athlete', '42', join(dir, 'names', 'evil\n\u001b[2J.gpx')]);
    expect(good.code).toBe(0);
    expect(good.out.some((l) => l.startsWith('<!--') && l.includes('evil \\u001b[2J.gpx'))).toBe(true); // a line break in a comment is a space
    const bad = await run(['map', '--athlete', '42', join(dir, 'names', 'empty\u202eexe.fit')]);
    expect(bad.code).toBe(1);
    expect(bad.err.some((l) => l.includes('empty\\u202eexe.fit: no-data'))).toBe(true);
    for (const line of [...good.out, ...good.err, ...bad.out, ...bad.err]) expect(['\n', '\u001b', '\u202e'].filter((c) => line.includes(c))).toEqual([]);
  });

  it('map says what failed and exits 1; usage errors exit 2', async () => {
    const failed = await run(['map', join(dir, 'bad', 'readme.txt')]);
    expect(failed.code).toBe(1);
    expect(failed.err.join('\n')).toMatch(/readme\.txt: unknown-format/);
    expect(failed.err[0]).toMatch(/no --athlete given/);
    expect((await run(['map'])).code).toBe(2);
    expect((await run(['map', 'a.fit', 'b.fit'])).code).toBe(2);
    expect((await run(['map', '--time-zone', 'Nowhere/Town', 'a.fit'])).code).toBe(2);
  });

  it('runs as the installed bin', async () => {
    const bin = resolve(import.meta.dirname, '../bin/optimo-import.js');
    const result = await new Promise<{ code: number; stdout: string }>((done) => {
      execFile(process.execPath, [bin, 'inspect', '--json', join(dir, 'a.gpx')], (error, stdout) => {
        done({ code: error ? Number(error.code) : 0, stdout });
      });
    });
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ ok: true, workouts: [{ format: 'gpx' }] });
  });
});
