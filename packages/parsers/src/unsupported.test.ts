import { basename } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildExamples, buildPwxBytes } from '@optimo-import/fixtures';
import { corpusDir, corpusFiles, readBytes } from '../test/corpus.js';
import { fuzzSeeds } from '../test/fuzz-seeds.js';
import { unzip } from './containers.js';
import { DEFAULT_LIMITS } from './types.js';
import { FORMAT_LABELS, recognizeUnsupported, recognizeUnsupportedArchive, unsupportedFormatError, unsupportedFormatMessage } from './unsupported.js';

const text = (s: string): Uint8Array => new TextEncoder().encode(s);
const XML = '<?xml version="1.0" encoding="UTF-8"?>\n';

function u32le(view: DataView, at: number, v: number): void {
  view.setUint32(at, v, true);
}

/** A TomTom ttbin: header (tag 0x20 … record-length table) and a few records. */
function ttbin(): Uint8Array {
  const lengths: [number, number][] = [
    [0x21, 7],
    [0x22, 27],
    [0x25, 7],
    [0x27, 12],
  ];
  const header = new Uint8Array(118 + lengths.length * 3);
  const view = new DataView(header.buffer);
  header[0] = 0x20;
  header[1] = 7; // file version
  header.set([1, 7, 64, 0], 2); // firmware
  view.setUint16(6, 0x0e00, true); // product id
  const local = Date.UTC(2015, 5, 14, 8, 30) / 1000;
  u32le(view, 8, local);
  u32le(view, 108, local);
  view.setInt32(112, 7200, true);
  header[117] = lengths.length;
  lengths.forEach(([tag, len], i) => {
    header[118 + i * 3] = tag;
    view.setUint16(119 + i * 3, len, true);
  });
  const records = new Uint8Array(7 + 27 + 7);
  records[0] = 0x21; // status: ready, running
  records[7] = 0x22; // a GPS record
  records[34] = 0x25; // heart rate
  records[35] = 130;
  return Uint8Array.from([...header, ...records]);
}

function binary(prefix: readonly number[] | string, length = 256, at = 0): Uint8Array {
  const out = new Uint8Array(length);
  for (let i = 0; i < length; i++) out[i] = (i * 31 + 7) & 0xff;
  const head = typeof prefix === 'string' ? [...prefix].map((c) => c.charCodeAt(0)) : prefix;
  out.set(head, at);
  return out;
}

/** Small hand-made samples, one per format, as their writers lay them out. */
const SAMPLES: [string, Uint8Array, string | undefined, string][] = [
  [
    'Suunto SML',
    text(`${XML}<sml SdkVersion="2.6.6" xmlns="http://www.suunto.com/schemas/sml"><DeviceLog><Header><DateTime>2016-02-07T10:07:52</DateTime><Duration>7</Duration></Header><Samples/></DeviceLog></sml>`),
    'move.sml',
    'Suunto SML',
  ],
  ['Moveslink2 log', text(`${XML}<header>\n<Duration>3600</Duration>\n<Activity>Running</Activity>\n</header>\n<Samples>\n</Samples>\n`), 'log-1A2B3C4D5E6F7081-2014-01-16T19_48_44-0.xml', 'Suunto Moveslink2 log XML'],
  ['Moveslink XML', text('<?xml version="1.0" encoding="ISO-8859-1"?>\n<!DOCTYPE xml>\n<xml><Device><FullName>Suunto t6</FullName></Device><Move><Header><Duration>00:45:00.0</Duration></Header></Move></xml>'), 'quest.xml', 'Suunto XML (Moveslink)'],
  ['Suunto app JSON', text('{"DeviceLog":{"Header":{"Activity":"Hiking","DateTime":"2026-02-15T10:55:47.000+01:00"},"Samples":[]}}'), 'suunto.json', 'Suunto app JSON'],
  ['SportTracks fitlog', text(`${XML}<FitnessWorkbook xmlns="http://www.zonefivesoftware.com/xmlschemas/FitnessLogbook/v2"><AthleteLog><Activity StartTime="2012-03-04T07:00:00Z"/></AthleteLog></FitnessWorkbook>`), 'log.fitlog', 'SportTracks logbook (.fitlog)'],
  ['KML', text(`${XML}<kml xmlns="http://www.opengis.net/kml/2.2"><Document><Placemark><LineString><coordinates>7,45 7.1,45.1</coordinates></LineString></Placemark></Document></kml>`), 'Track.kml', 'KML'],
  ['Sigma SLF', text(`${XML}<Activity fileDate="Fri May 1 13:55:10 GMT+0200 2015" revision="400"><Computer unit="rox10.0" serial="null" activityType="Cycling" dateCode=""/><GeneralInformation/></Activity>`), 'ride.slf', 'Sigma Data Center (.slf/.smf)'],
  ['Sigma SMF by name', text(`${XML}<Data><Eintrag><Puls>120</Puls></Eintrag></Data>`), 'ride.smf', 'Sigma Data Center (.slf/.smf)'],
  ['GoldenCheetah JSON', text('{\n\t"RIDE":{\n\t\t"STARTTIME":"2016\\/05\\/01 07:00:00 UTC ",\n\t\t"SAMPLES":[]\n\t}\n}'), 'ride.json', 'GoldenCheetah JSON'],
  ['TomTom ttbin', ttbin(), 'Running_08-30-00.ttbin', 'TomTom ttbin'],
  ['TomTom ttbin, no name', ttbin(), undefined, 'TomTom ttbin'],
  ['SRM 7', binary('SRM7', 200), 'ride.srm', 'SRM (.srm)'],
  ['SRM 5, no name', binary('SRM5', 200), undefined, 'SRM (.srm)'],
  ['WKO+', binary([0x57, 0x4b, 0x4f, 0x1a, 28, 0, 0, 0], 600), 'ride.wko', 'WKO+ (.wko)'],
  ['CompuTrainer 3DP', binary('perf', 300, 4), 'ride.3dp', 'CompuTrainer 3DP (.3dp)'],
  ['Polar SRD', binary([0x13, 0x00, 0x01, 0x9c], 300), 'ma_br_20040912T072607.srd', 'Polar raw file (.srd/.hsr/.frd)'],
  ['Polar HSR', binary([0x00, 0x88], 300), 'exercise.hsr', 'Polar raw file (.srd/.hsr/.frd)'],
  ['PowerTap raw', binary([0x57, 0x10, 0x02], 120), 'ride.raw', 'PowerTap raw (.raw)'],
  ['Excel 97', binary([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1], 512), 'export.xls', 'Excel spreadsheet (.xls)'],
];

describe('recognizeUnsupported', () => {
  it.each(SAMPLES)('%s', (_case, bytes, name, format) => {
    const found = recognizeUnsupported(bytes, name);
    expect(found?.format).toBe(format);
    expect(found?.hint.length).toBeGreaterThan(20);
  });

  it('recognises UTF-16 and BOM-prefixed XML the same way', () => {
    const sml = `${XML}<sml xmlns="http://www.suunto.com/schemas/sml"><DeviceLog/></sml>`;
    expect(recognizeUnsupported(Uint8Array.from([0xff, 0xfe, ...Buffer.from(sml, 'utf16le')]))?.format).toBe('Suunto SML');
    expect(recognizeUnsupported(Uint8Array.from([0xef, 0xbb, 0xbf, ...text(sml)]))?.format).toBe('Suunto SML');
  });

  it('does not judge by name alone where content can tell, and never throws', () => {
    expect(recognizeUnsupported(text('just some text'), 'notes.srm')).toBeUndefined();
    expect(recognizeUnsupported(text('just some text'), 'notes.srd')).toBeUndefined(); // text, not a Polar raw file
    expect(recognizeUnsupported(text('{"RIDE2": 1}'), 'x.json')).toBeUndefined();
    expect(recognizeUnsupported(binary([0x20], 60))).toBeUndefined(); // too short for a ttbin header
    const fakeTtbin = ttbin();
    fakeTtbin[118 + 3] = 0x21; // tags no longer ascending
    expect(recognizeUnsupported(fakeTtbin)).toBeUndefined();
    for (const noise of [new Uint8Array(0), new Uint8Array(3), Uint8Array.from({ length: 5000 }, (_, i) => (i * 37) & 0xff)]) {
      expect(() => recognizeUnsupported(noise, 'x')).not.toThrow();
      expect(recognizeUnsupported(noise)).toBeUndefined();
    }
  });

  it('claims none of our own fixtures (FIT, TCX, GPX, PWX, examples), whatever their names', () => {
    const seeds = fuzzSeeds();
    const own = [...(seeds.fit ?? []), ...(seeds.tcx ?? []), ...(seeds.gpx ?? [])];
    for (const style of ['global-trainer', 'race-trainer', 'run-trainer', 'ipbike'] as const) own.push(buildPwxBytes({ style, durationSeconds: 30 }));
    own.push(...buildExamples().values());
    for (const bytes of own) {
      expect(recognizeUnsupported(bytes)).toBeUndefined();
      expect(recognizeUnsupported(bytes, 'file.fit')).toBeUndefined();
    }
  });

  it.skipIf(!corpusDir('fit'))('claims no file of the corpus (supported formats, and the bad ones)', () => {
    const folders = ['fit', 'tcx', 'gpx', 'hrm', 'polar-xml', 'polar-csv', 'polar-json', 'pwx', 'timex', 'csv', 'perf', 'bad'];
    // A .pdd day file (hrm/) is no workout file: it is named for what it is, read beside its .hrm files.
    const files = folders.flatMap((f) => corpusFiles(f));
    const claimed = files.filter((path) => !path.endsWith('.pdd') && recognizeUnsupported(readBytes(path), basename(path)) !== undefined);
    expect(claimed).toEqual([]);
    for (const pdd of files.filter((path) => path.endsWith('.pdd'))) expect(recognizeUnsupported(readBytes(pdd), basename(pdd))?.format, pdd).toBe('Polar day file (.pdd)');
  });
});

describe('recognizeUnsupportedArchive', () => {
  it('names spreadsheets, documents, KMZ and Suunto dive exports by their entries', () => {
    const xlsx = ['[Content_Types].xml', '_rels/.rels', 'docProps/app.xml', 'xl/workbook.xml', 'xl/worksheets/sheet1.xml', 'xl/styles.xml'];
    expect(recognizeUnsupportedArchive(xlsx)?.format).toBe('Excel spreadsheet (.xlsx)');
    expect(recognizeUnsupportedArchive(xlsx.map((n) => `Move_2013_08_06_18_00_35.xlsx!${n}`))?.format).toBe('Excel spreadsheet (.xlsx)');
    expect(recognizeUnsupportedArchive(['[Content_Types].xml', 'word/document.xml'])?.format).toBe('Office document (.docx/.pptx)');
    expect(recognizeUnsupportedArchive(['mimetype', 'content.xml', 'META-INF/manifest.xml'])?.format).toBe('OpenDocument file (.ods/.odt)');
    expect(recognizeUnsupportedArchive(['doc.kml', 'files/start.png'])?.format).toBe('KMZ (zipped KML)');
    expect(recognizeUnsupportedArchive(['1.xml', '2.xml'], 'dives.sde')?.format).toBe('Suunto Dive Manager export (.sde)');
  });

  it('leaves archives of workout files alone', () => {
    expect(recognizeUnsupportedArchive(['a.fit', 'b.tcx', 'c.gpx.gz'])).toBeUndefined();
    expect(recognizeUnsupportedArchive(['ride.gpx', 'ride.kml'])).toBeUndefined(); // the KML rides along with a GPX
    expect(recognizeUnsupportedArchive([], 'empty.zip')).toBeUndefined();
    for (const zip of fuzzSeeds().containers ?? []) {
      if (zip[0] !== 0x50) continue; // the gzip seed
      expect(recognizeUnsupportedArchive(unzip(zip, 'x.zip', DEFAULT_LIMITS).map((e) => e.name), 'x.zip')).toBeUndefined();
    }
  });
});

describe('unsupported-format messages', () => {
  const sml = recognizeUnsupported(text(`${XML}<sml><DeviceLog/></sml>`)) as NonNullable<ReturnType<typeof recognizeUnsupported>>;

  it('say what the file is, what to do, and what is supported', () => {
    expect(unsupportedFormatMessage(sml, ['fit', 'tcx', 'gpx', 'polar-hrm', 'pwx'])).toBe(
      'unsupported format: Suunto SML (export the move as FIT or GPX from the Suunto app, Movescount or SportsTracker); supported: FIT, TCX, GPX, Polar HRM, PWX, and .gz or .zip of them',
    );
    const error = unsupportedFormatError(sml, 'move.sml', ['fit', 'tcx']);
    expect([error.code, error.file, error.message]).toEqual(['unknown-format', 'move.sml', 'move.sml: unsupported format: Suunto SML (export the move as FIT or GPX from the Suunto app, Movescount or SportsTracker); supported: FIT, TCX, and .gz or .zip of them']);
  });

  it('labels every format id', () => {
    expect(Object.keys(FORMAT_LABELS).sort()).toEqual(['csv', 'fit', 'gpx', 'polar-csv', 'polar-hrm', 'polar-json', 'polar-xml', 'pwx', 'tcx']);
  });
});
