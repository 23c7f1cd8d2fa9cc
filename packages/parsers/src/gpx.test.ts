import { describe, expect, it } from 'vitest';
import { validateWorkout } from '@optimo-import/workout';
import type { Workout } from '@optimo-import/workout';
import { isParseError } from './errors.js';
import type { ParseError } from './errors.js';
import { gpxParser } from './gpx.js';
import { DEFAULT_LIMITS } from './types.js';
import type { ParseContext } from './types.js';

const bytes = (s: string): Uint8Array => new TextEncoder().encode(s);
const ctx = (extra: Partial<ParseContext> = {}): ParseContext => ({ sha256: 'abc', limits: DEFAULT_LIMITS, fileName: 'test.gpx', ...extra });

const doc = (body: string, creator = 'Garmin Connect', version = '1.1'): string => `<?xml version="1.0" encoding="UTF-8"?>
<gpx creator="${creator}" version="${version}" xmlns="http://www.topografix.com/GPX/1/1" xmlns:gpxtpx="http://www.garmin.com/xmlschemas/TrackPointExtension/v1" xmlns:ns3="http://www.garmin.com/xmlschemas/TrackPointExtension/v2" xmlns:gpxpx="http://www.garmin.com/xmlschemas/PowerExtension/v1">
<metadata><name>Meta name</name><time>2030-01-01T00:00:00Z</time></metadata>
${body}
</gpx>
`;

function parse(xml: string, extra: Partial<ParseContext> = {}): Workout[] {
  const workouts = gpxParser.parse(bytes(xml), ctx(extra));
  for (const w of workouts) expect(validateWorkout(w)).toEqual([]);
  return workouts;
}

function failure(xml: string): ParseError {
  try {
    gpxParser.parse(bytes(xml), ctx());
  } catch (error) {
    if (isParseError(error)) return error;
    throw error;
  }
  throw new Error('expected a ParseError');
}

/** A point 0.001° of latitude (111.195 m) north of 38° per step `i`. */
const pt = (i: number, time: string | undefined, ext = '', extra = ''): string =>
  `<trkpt lat="${(38 + i * 0.001).toFixed(3)}" lon="-9.000"><ele>${10 + i}</ele>${time === undefined ? '' : `<time>${time}</time>`}${extra}${ext ? `<extensions>${ext}</extensions>` : ''}</trkpt>`;
const t = (seconds: number): string => new Date(Date.UTC(2024, 4, 1, 7, 0, seconds)).toISOString().replace('.000Z', 'Z');
const STEP = 111.19508;

describe('gpxParser.detect', () => {
  it('finds the gpx root after BOM, whitespace and declaration', () => {
    expect(gpxParser.detect(bytes('\uFEFF\n\n  <?xml version="1.0"?>\n<gpx version="1.1">'))).toBe(true);
    expect(gpxParser.detect(bytes('<?xml version="1.0"?><TrainingCenterDatabase>'))).toBe(false);
    expect(gpxParser.detect(bytes('<gpxfoo/>'))).toBe(false);
  });
});

describe('gpxParser.parse: a track', () => {
  const xml = doc(`<trk><name>Morning Ride</name><type>cycling</type><desc>Hills &amp; wind</desc>
    <trkseg>
      ${pt(0, t(0), '<gpxtpx:TrackPointExtension><gpxtpx:hr>120</gpxtpx:hr><gpxtpx:cad>80</gpxtpx:cad><gpxtpx:atemp>18.5</gpxtpx:atemp></gpxtpx:TrackPointExtension><power>210</power>')}
      ${pt(1, t(10), '<ns3:TrackPointExtension><ns3:hr>125</ns3:hr><ns3:speed>11.1</ns3:speed></ns3:TrackPointExtension><gpxpx:PowerInWatts>220</gpxpx:PowerInWatts>')}
    </trkseg>
    <trkseg></trkseg>
    <trkseg>
      ${pt(5, t(70), '<TrackPointExtension xmlns="http://www.garmin.com/xmlschemas/TrackPointExtension/v2"><hr>0</hr><wtemp>12</wtemp></TrackPointExtension>')}
      ${pt(6, t(80))}
    </trkseg></trk>`);
  const [w] = parse(xml) as [Workout];

  it('reads identity, sport, name, notes and device', () => {
    expect(w.source).toMatchObject({ format: 'gpx', index: 0, count: 1, sha256: 'abc' });
    expect(w.sport).toBe('cycling');
    expect(w.sourceSport).toEqual({ sport: 'cycling' });
    expect(w.name).toBe('Morning Ride');
    expect(w.notes).toBe('Hills & wind');
    expect(w.device).toEqual({ product: 'Garmin Connect', manufacturer: 'Garmin' });
    expect(w.warnings).toEqual([]);
  });

  it('joins segments and turns the gaps between them into pauses', () => {
    expect(new Date(w.startTime).toISOString()).toBe('2024-05-01T07:00:00.000Z');
    expect(w.samples.offsetSeconds).toEqual([0, 10, 70, 80]);
    expect(w.pauses).toEqual([{ startOffsetSeconds: 10, durationSeconds: 60 }]);
    expect(w.elapsedSeconds).toBe(80);
    expect(w.movingSeconds).toBe(20);
  });

  it('computes cumulative distance by haversine, not across a segment break', () => {
    const d = w.samples.distanceMeters as number[];
    expect(d[0]).toBe(0);
    expect(d[1]).toBeCloseTo(STEP, 2);
    expect(d[2]).toBeCloseTo(STEP, 2); // the 4-step jump across the pause is not counted
    expect(d[3]).toBeCloseTo(2 * STEP, 2);
    expect(w.distanceMeters).toBeCloseTo(2 * STEP, 2);
  });

  it('reads extensions by local name whatever the prefix or namespace', () => {
    expect(w.samples.heartRateBpm).toEqual([120, 125, undefined, undefined]); // 0 bpm is no reading
    expect(w.samples.cadencePerMinute).toEqual([80, undefined, undefined, undefined]); // rpm on a bike
    expect(w.samples.temperatureCelsius).toEqual([18.5, undefined, 12, undefined]);
    expect(w.samples.speedMetersPerSecond).toEqual([undefined, 11.1, undefined, undefined]);
    expect(w.samples.powerWatts).toEqual([210, 220, undefined, undefined]);
    expect(w.samples.altitudeMeters).toEqual([10, 11, 15, 16]);
  });
});

describe('gpxParser.parse: variants', () => {
  it('gives one workout per track and names from metadata when the track has none', () => {
    const ws = parse(doc(`<trk><type>running</type><trkseg>${pt(0, t(0))}${pt(1, t(5))}</trkseg></trk><trk><name>Second</name><type>Walk</type><trkseg>${pt(0, t(600))}${pt(1, t(605))}</trkseg></trk>`));
    expect(ws.map((w) => [w.source.index, w.source.count, w.sport, w.name])).toEqual([
      [0, 2, 'running', 'Meta name'],
      [1, 2, 'walking', 'Second'],
    ]);
  });

  it('doubles cadence on foot (strides → steps) and reads Holux and Amazfit tags', () => {
    const xml = doc(
      `<trk><type>Running</type><trkseg>
        ${pt(0, t(0), '<heartrate>89</heartrate><gpxtpx:TrackPointExtension><gpxtpx:hr>91</gpxtpx:hr><gpxtpx:cad>85</gpxtpx:cad></gpxtpx:TrackPointExtension>')}
        ${pt(1, t(1), '<ele src="gps">999</ele><speed src="gps">3.2</speed><bpm>123</bpm><rpm>86</rpm>', '<speed>3.1</speed>')}
      </trkseg></trk>`,
      'HOLUX GM-130',
    );
    const [w] = parse(xml) as [Workout];
    expect(w.samples.heartRateBpm).toEqual([89, 123]); // first value in a point wins
    expect(w.samples.cadencePerMinute).toEqual([170, 172]);
    expect(w.samples.speedMetersPerSecond).toEqual([undefined, 3.1]);
    expect(w.samples.altitudeMeters).toEqual([10, 11]); // <ele> inside <extensions> is not the point's elevation
    expect(w.device).toEqual({ product: 'HOLUX GM-130', manufacturer: 'Holux' });
  });

  it('reads milliseconds and explicit offsets, and naive times in the time zone option', () => {
    const ms = parse(doc(`<trk><trkseg>${pt(0, '2014-01-16T18:48:44.340Z')}${pt(1, '2014-01-16T18:48:46.870Z')}</trkseg></trk>`))[0] as Workout;
    expect(ms.startTime).toBe(Date.parse('2014-01-16T18:48:44.340Z'));
    expect(ms.samples.offsetSeconds).toEqual([0, 2.53]);
    expect(ms.sport).toBe('other');
    expect(ms.warnings).toContainEqual(expect.objectContaining({ code: 'sport-unknown', message: 'the file names no sport; imported as other' }));

    const offset = parse(doc(`<trk><trkseg>${pt(0, '2024-05-01T09:00:00+02:00')}${pt(1, '2024-05-01T09:00:10+02:00')}</trkseg></trk>`))[0] as Workout;
    expect(new Date(offset.startTime).toISOString()).toBe('2024-05-01T07:00:00.000Z');
    expect(offset).toMatchObject({ utcOffsetMinutes: 120, utcOffsetSource: 'file' });

    const naive = doc(`<trk><trkseg>${pt(0, '2024-01-10T08:00:00')}${pt(1, '2024-01-10T08:00:10')}</trkseg></trk>`);
    const utc = parse(naive)[0] as Workout;
    expect(new Date(utc.startTime).toISOString()).toBe('2024-01-10T08:00:00.000Z');
    expect(utc.warnings).toContainEqual(expect.objectContaining({ code: 'naive-time', count: 2 }));
    const berlin = parse(naive, { timeZone: 'Europe/Berlin' })[0] as Workout;
    expect(new Date(berlin.startTime).toISOString()).toBe('2024-01-10T07:00:00.000Z');
    expect(berlin).toMatchObject({ utcOffsetMinutes: 60, utcOffsetSource: 'time-zone-option' });
  });

  it('skips points without a time inside a timed track, with a warning', () => {
    const [w] = parse(doc(`<trk><trkseg>${pt(0, t(0))}${pt(1, undefined)}${pt(2, t(20))}${pt(3, 'soon')}</trkseg></trk>`)) as [Workout];
    expect(w.samples.offsetSeconds).toEqual([0, 20]);
    expect(w.warnings).toContainEqual(expect.objectContaining({ code: 'point-without-time', count: 1 }));
    expect(w.warnings).toContainEqual(expect.objectContaining({ code: 'bad-time', count: 1 }));
  });

  it('reads a route with times like a track, and GPX 1.0 speed and names', () => {
    const rte = parse(doc(`<rte><name>Timed route</name><rtept lat="38" lon="-9"><time>${t(0)}</time></rtept><rtept lat="38.001" lon="-9"><time>${t(30)}</time></rtept></rte>`))[0] as Workout;
    expect(rte).toMatchObject({ name: 'Timed route', elapsedSeconds: 30 });
    const v10 = `<?xml version="1.0"?><gpx version="1.0" creator="eTrex 30" xmlns="http://www.topografix.com/GPX/1/0"><name>Old file</name><time>${t(0)}</time>
      <trk><trkseg><trkpt lat="38" lon="-9"><time>${t(0)}</time><speed>4.5</speed></trkpt><trkpt lat="38.001" lon="-9"><time>${t(1)}</time><speed>4.6</speed></trkpt></trkseg></trk></gpx>`;
    const [w] = parse(v10) as [Workout];
    expect(w.name).toBe('Old file');
    expect(w.samples.speedMetersPerSecond).toEqual([4.5, 4.6]);
    expect(w.device.manufacturer).toBe('Garmin');
  });

  it('skips a timeless track next to a timed one, with a warning', () => {
    const ws = parse(doc(`<trk><trkseg>${pt(0, undefined)}${pt(1, undefined)}</trkseg></trk><trk><type>hiking</type><trkseg>${pt(0, t(0))}${pt(1, t(9))}</trkseg></trk>`));
    expect(ws).toHaveLength(1);
    expect(ws[0]?.sport).toBe('hiking');
    expect(ws[0]?.warnings).toContainEqual(expect.objectContaining({ code: 'track-without-times', count: 1 }));
  });

  it('ignores waypoints and accepts leading whitespace', () => {
    const [w] = parse(`\n\n   ${doc(`<wpt lat="1" lon="2"><time>${t(0)}</time><name>Start</name></wpt><trk><trkseg>${pt(0, t(100))}${pt(1, t(110))}</trkseg></trk>`)}`) as [Workout];
    expect(new Date(w.startTime).toISOString()).toBe('2024-05-01T07:01:40.000Z');
  });
});

describe('gpxParser.parse: refusals', () => {
  it('a GPX whose points carry no times fails with a clear reason', () => {
    const e = failure(doc(`<trk><trkseg>${pt(0, undefined)}${pt(1, undefined)}</trkseg></trk>`));
    expect(e.code).toBe('no-data');
    expect(e.message).toBe('[gpx] test.gpx: the track has no <time> on its points; a workout needs times');
  });

  it('metadata or waypoints only, or an untimed route, is no-data', () => {
    expect(failure(doc('')).message).toContain('holds no track points');
    expect(failure(doc(`<wpt lat="1" lon="2"><time>${t(0)}</time></wpt>`)).code).toBe('no-data');
    expect(failure(doc('<rte><rtept lat="1" lon="2"/><rtept lat="1.1" lon="2"/></rte>')).message).toContain('a route without times');
  });

  it('refuses DOCTYPE, reports truncation and a foreign root', () => {
    expect(failure(`<?xml version="1.0"?><!DOCTYPE gpx [<!ENTITY a "b">]><gpx>&a;</gpx>`).code).toBe('unsupported-variant');
    const full = doc(`<trk><trkseg>${pt(0, t(0))}${pt(1, t(1))}</trkseg></trk>`);
    const cut = failure(full.slice(0, full.indexOf('</trkseg>')));
    expect(cut.code).toBe('truncated');
    expect(cut.message).toContain('inside <trkseg>');
    expect(failure('<kml/>').code).toBe('corrupt');
  });
});
