/**
 * GPX 1.0 / 1.1 (+ Garmin TrackPointExtension v1/v2, power extensions, vendor tags) → workouts.
 *
 * - Every `<trk>` with timed points is a workout (several tracks, several workouts); its
 *   `<trkseg>`s are joined and the gap between two segments is a pause. A `<rte>` whose points
 *   carry times is read like a track; routes and waypoints without times are not activities.
 * - Times: `<time>` with `Z`, offsets or fractions; a naive time is read in the time zone option
 *   (default UTC) with a warning. A point without `<time>` inside a timed track is skipped with
 *   a warning. When no point of any track has a time the file fails with `no-data` ("a workout
 *   needs times"); a file with no track points at all (metadata, waypoints) is `no-data` too.
 * - Distance: GPX has none, so `distanceMeters` is computed: the cumulative great-circle
 *   (haversine) distance between consecutive positions, not counting the jump across a segment
 *   break (the recording was stopped). Speed is kept only where the file states it.
 * - Extensions match by local name whatever the prefix or namespace (`gpxtpx:hr`, `ns3:hr`,
 *   a bare `<power>`), see POINT_FIELDS; the first value of a channel in a point wins.
 *   Cadence on foot (running, walking, hiking) is strides/min in GPX and doubled to steps/min.
 * - Sport from `trk/type` (else `metadata/keywords`) through `sportFromName`, else `other` with
 *   a warning; name from `trk/name` (else `metadata/name`); device from the `creator` attribute.
 */
import { buildWorkout, createWarnings, sportFromName } from '@optimo-import/workout';
import type { Channel, Pause, Samples, Workout } from '@optimo-import/workout';
import { ParseError } from './errors.js';
import type { FormatParser, ParseContext } from './types.js';
import { createXmlReader, decodeXml, xmlRootName, XML_CLOSE, XML_END, XML_OPEN } from './xml.js';
import type { ColumnSet, TimeReader } from './xml-track.js';
import { createColumns, createTimeReader, cumulativeDistance, manufacturerFromName, ON_FOOT, pushRow, startZone, toNumber, warnNaiveTimes } from './xml-track.js';

const LAT = 0;
const LON = 1;
const ALT = 2;
const HR = 3;
const CAD = 4;
const TEMP = 5;
const SPEED = 6;
const POWER = 7;
const POINT_COLUMNS = 8;

/** Point children and extension elements by local name → column (`ele` and `time` only as direct children). */
const POINT_FIELDS: ReadonlyMap<string, number> = new Map([
  ['hr', HR], // Garmin TrackPointExtension v1/v2, ClueTrust gpxdata
  ['heartrate', HR], // Amazfit, other bare tags
  ['heartRate', HR],
  ['HeartRate', HR],
  ['bpm', HR], // Holux
  ['cad', CAD], // TrackPointExtension
  ['cadence', CAD], // ClueTrust gpxdata
  ['rpm', CAD], // Holux
  ['atemp', TEMP], // TrackPointExtension air temperature
  ['temp', TEMP], // ClueTrust gpxdata
  ['wtemp', TEMP], // TrackPointExtension water temperature
  ['speed', SPEED], // GPX 1.0 <speed>, TrackPointExtension v2, Holux (m/s)
  ['power', POWER], // Strava's bare <power>
  ['PowerInWatts', POWER], // Garmin PowerExtension (gpxpx)
  ['watts', POWER],
]);

interface TrackAcc {
  kind: 'trk' | 'rte';
  name?: string;
  type?: string;
  desc?: string;
  times: number[];
  firstTimeText?: string;
  columns: ColumnSet;
  /** First row of every segment after the first that holds timed points. */
  breaks: number[];
  untimed: number;
  badTime: number;
  naive: number;
}

export const gpxParser: FormatParser = {
  format: 'gpx',
  extensions: ['gpx'],
  detect: (input) => xmlRootName(input) === 'gpx',
  parse: parseGpx,
};

function gpxError(code: ParseError['code'], message: string, ctx: ParseContext): ParseError {
  return new ParseError({ code, message, format: 'gpx', file: ctx.fileName });
}

function parseGpx(input: Uint8Array, ctx: ParseContext): Workout[] {
  const times = createTimeReader(ctx.timeZone);
  const doc = readGpx(input, ctx, times);
  const timed = doc.tracks.filter((t) => t.times.length > 0);
  if (timed.length === 0) {
    const timeless = doc.tracks.find((t) => t.untimed > 0);
    if (timeless?.kind === 'trk') throw gpxError('no-data', 'the track has no <time> on its points; a workout needs times', ctx);
    if (timeless) throw gpxError('no-data', 'a route without times, not an activity: its points have no <time>', ctx);
    throw gpxError('no-data', 'the file holds no track points (only metadata or waypoints)', ctx);
  }
  const skipped = doc.tracks.filter((t) => t.kind === 'trk' && t.times.length === 0 && t.untimed > 0).length;
  return timed.map((track, index) => {
    const warnings = createWarnings();
    const t = track.times;
    const start = t[0] as number;
    const sportName = (track.type ?? doc.keywords)?.trim();
    let sport = sportFromName(sportName);
    if (!sport) {
      sport = 'other';
      warnings.add('sport-unknown', sportName ? `sport "${sportName}" is not one we know; imported as other` : 'the file names no sport; imported as other');
    }
    warnNaiveTimes(warnings, track.naive, ctx.timeZone);
    if (track.untimed > 0) warnings.add('point-without-time', 'track points without a <time> were skipped', track.untimed);
    if (track.badTime > 0) warnings.add('bad-time', 'track points whose <time> is not a usable date-time (unreadable, or before 1990) were skipped', track.badTime);
    if (skipped > 0) warnings.add('track-without-times', 'tracks of this file whose points have no <time> were skipped', skipped);
    const pauses: Pause[] = [];
    for (const row of track.breaks) {
      const gap = ((t[row] as number) - (t[row - 1] as number)) / 1000;
      if (gap > 0) pauses.push({ startOffsetSeconds: ((t[row - 1] as number) - start) / 1000, durationSeconds: gap });
    }
    return buildWorkout({
      format: 'gpx',
      fileName: ctx.fileName,
      sha256: ctx.sha256,
      index,
      count: timed.length,
      sport,
      sourceSport: { sport: sportName || undefined },
      name: track.name ?? doc.name,
      notes: track.desc,
      startTime: start,
      ...startZone(track.firstTimeText, start, ctx.timeZone),
      samples: toSamples(track, start, ON_FOOT.has(sport)),
      pauses,
      device: { product: doc.creator, manufacturer: manufacturerFromName(doc.creator) },
      warnings,
    });
  });
}

interface GpxDoc {
  creator?: string;
  name?: string;
  keywords?: string;
  tracks: TrackAcc[];
}

/** One pass over the document: tracks (and routes) with their point columns, and the metadata we use. */
function readGpx(input: Uint8Array, ctx: ParseContext, times: TimeReader): GpxDoc {
  const r = createXmlReader(decodeXml(input), { format: 'gpx', file: ctx.fileName });
  const doc: GpxDoc = { tracks: [] };
  const cur = new Float64Array(POINT_COLUMNS);
  let track: TrackAcc | undefined;
  let inPoint = false;
  let inMetadata = false;
  let freshSegment = false;
  let timeText: string | undefined;
  let naiveAtOpen = 0;
  for (let ev = r.next(); ev !== XML_END; ev = r.next()) {
    const name = r.name;
    if (ev === XML_OPEN) {
      if (inPoint) continue;
      if (r.depth === 1) {
        if (name !== 'gpx') throw r.error('corrupt', `the root element is <${r.qname}>, not <gpx>`);
        doc.creator = r.attr('creator')?.trim() || undefined;
      } else if ((name === 'trkpt' || name === 'rtept') && track) {
        inPoint = true;
        cur.fill(NaN);
        cur[LAT] = toNumber(r.attr('lat'));
        cur[LON] = toNumber(r.attr('lon'));
        timeText = undefined;
      } else if (name === 'trkseg') freshSegment = true;
      else if ((name === 'trk' || name === 'rte') && r.depth === 2) {
        track = { kind: name, times: [], columns: createColumns(POINT_COLUMNS), breaks: [], untimed: 0, badTime: 0, naive: 0 };
        doc.tracks.push(track);
        freshSegment = false;
        naiveAtOpen = times.naiveCount;
      } else if (name === 'metadata') inMetadata = true;
      else if (name === 'wpt' || name === 'extensions') r.skip();
      continue;
    }
    if (ev !== XML_CLOSE) continue;
    if (inPoint && track) {
      if (name === 'trkpt' || name === 'rtept') {
        inPoint = false;
        if (timeText === undefined) {
          track.untimed++;
          continue;
        }
        const t = times.read(timeText);
        if (t !== t) {
          track.badTime++;
          continue;
        }
        if (freshSegment) {
          if (track.times.length > 0) track.breaks.push(track.times.length);
          freshSegment = false;
        }
        if (track.times.length === 0) track.firstTimeText = timeText;
        if ((cur[HR] as number) <= 0) cur[HR] = NaN;
        track.times.push(t);
        pushRow(track.columns, cur);
        if (track.times.length > ctx.limits.maxSamples) throw gpxError('too-large', `a track holds more than ${ctx.limits.maxSamples} points (the maxSamples limit)`, ctx);
      } else if (r.parent === 'trkpt' || r.parent === 'rtept') {
        if (name === 'time') timeText = r.text();
        else if (name === 'ele') cur[ALT] = toNumber(r.text());
        else setField(name);
      } else setField(name);
    } else if (track) {
      if (name === 'trk' || name === 'rte') {
        track.naive = times.naiveCount - naiveAtOpen;
        track = undefined;
      } else if (r.parent === 'trk' || r.parent === 'rte') {
        if (name === 'name') track.name = r.text().trim() || undefined;
        else if (name === 'type') track.type = r.text().trim() || undefined;
        else if (name === 'desc') track.desc = r.text().trim() || undefined;
      }
    } else if (inMetadata) {
      if (name === 'metadata') inMetadata = false;
      else if (r.parent === 'metadata' && name === 'name') doc.name = r.text().trim() || undefined;
      else if (r.parent === 'metadata' && name === 'keywords') doc.keywords = r.text().trim() || undefined;
    } else if (r.depth === 2 && name === 'name') doc.name ??= r.text().trim() || undefined; // GPX 1.0
  }
  return doc;

  function setField(name: string): void {
    const column = POINT_FIELDS.get(name);
    if (column !== undefined && cur[column] !== cur[column]) cur[column] = toNumber(r.text());
  }
}

function toSamples(track: TrackAcc, start: number, onFoot: boolean): Samples {
  const cols = track.columns.columns;
  const samples: Samples = { offsetSeconds: track.times.map((x) => (x - start) / 1000) };
  const put = (channel: Channel, column: (number | undefined)[] | undefined): void => {
    if (column) samples[channel] = column;
  };
  put('latitudeDegrees', cols[LAT]);
  put('longitudeDegrees', cols[LON]);
  put('altitudeMeters', cols[ALT]);
  put('heartRateBpm', cols[HR]);
  put('temperatureCelsius', cols[TEMP]);
  put('speedMetersPerSecond', cols[SPEED]);
  put('powerWatts', cols[POWER]);
  put('distanceMeters', cumulativeDistance(cols[LAT], cols[LON], track.breaks));
  const cadence = cols[CAD];
  put('cadencePerMinute', onFoot && cadence ? cadence.map((v) => (v === undefined ? undefined : v * 2)) : cadence);
  return samples;
}
