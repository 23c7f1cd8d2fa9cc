/**
 * The older Polar RS200sd dialect (`<rs200_session>`): one session with its date split into
 * day/month/year/hour/minute/second fields, a summary, and laps (written last lap first), no
 * samples. Pace is seconds per kilometre. The rules are listed in polar-xml.ts.
 */
import { createWarnings } from '@optimo-import/workout';
import type { LapDraft, LapTrigger, Summary } from '@optimo-import/workout';
import { numberOf, startFromWallClock } from './polar-xml-common.js';
import type { PolarDraft } from './polar-xml-common.js';
import type { ParseContext } from './types.js';
import type { XmlReader } from './xml.js';
import { XML_CLOSE, XML_END, XML_OPEN } from './xml.js';

type SessionField = 'day' | 'month' | 'year' | 'hour' | 'minute' | 'second';
type SummaryField = 'distance' | 'maxPace' | 'avgPace' | 'length' | 'avgHr' | 'maxHr' | 'calories';
type LapField = 'number' | 'end' | 'time' | 'autolap' | 'avgHr' | 'maxHr' | 'avgPace' | 'length';

/** `<session_data>` leaves → start fields. */
const SESSION_FIELDS: ReadonlyMap<string, SessionField> = new Map<string, SessionField>([
  ['day', 'day'],
  ['month', 'month'],
  ['year', 'year'],
  ['start_hour', 'hour'],
  ['start_minute', 'minute'],
  ['start_second', 'second'],
]);

/** `<summary>` leaves. */
const SUMMARY_FIELDS: ReadonlyMap<string, SummaryField> = new Map<string, SummaryField>([
  ['total_distance', 'distance'], // m; 0 when no foot pod was used
  ['max_pace', 'maxPace'], // s/km, the fastest
  ['avg_pace', 'avgPace'], // s/km
  ['length', 'length'], // s
  ['avg_hr', 'avgHr'],
  ['max_hr', 'maxHr'],
  ['calories', 'calories'], // kcal
]);

/** `<lap>` leaves (`end_hr` and `end_pace` are not kept). */
const LAP_FIELDS: ReadonlyMap<string, LapField> = new Map<string, LapField>([
  ['lap_end_time', 'end'], // s from the start
  ['laptime', 'time'], // s
  ['autolap', 'autolap'], // 1: the watch's automatic (distance) lap
  ['avg_hr', 'avgHr'],
  ['max_hr', 'maxHr'],
  ['avg_pace', 'avgPace'],
  ['lap_length', 'length'], // m
]);

export interface Rs200Session {
  name?: string;
  hasPace: boolean;
  start: Partial<Record<SessionField, number>>;
  summary: Partial<Record<SummaryField, number>>;
  laps: Partial<Record<LapField, number>>[];
}

/** One pass over `<rs200_session>` (the root already read). */
export function readRs200(r: XmlReader): Rs200Session {
  const session: Rs200Session = { hasPace: false, start: {}, summary: {}, laps: [] };
  let lap: Partial<Record<LapField, number>> | undefined;
  for (let ev = r.next(); ev !== XML_END; ev = r.next()) {
    const name = r.name;
    if (ev === XML_OPEN) {
      if (r.depth === 2 && name !== 'session_data') r.skip(); // <user>: body data, not the workout
      else if (name === 'limiterzones' || name === 'sportzones') r.skip();
      else if (name === 'lap' && r.parent === 'laps') {
        lap = {};
        const number = numberOf(r.attr('lap_no'));
        if (number === number) lap.number = number;
        session.laps.push(lap);
      }
      continue;
    }
    if (ev !== XML_CLOSE) continue;
    if (lap) {
      if (name === 'lap') lap = undefined;
      else {
        const field = LAP_FIELDS.get(name);
        if (field !== undefined && lap[field] === undefined) {
          const v = numberOf(r.text());
          if (v === v) lap[field] = v;
        }
      }
    } else if (r.parent === 'summary') {
      const field = SUMMARY_FIELDS.get(name);
      if (field !== undefined) {
        const v = numberOf(r.text());
        if (v === v) session.summary[field] = v;
      }
    } else if (r.parent === 'session_data') {
      const field = SESSION_FIELDS.get(name);
      if (field !== undefined) {
        const v = numberOf(r.text());
        if (v === v) session.start[field] = v;
      } else if (name === 'name') session.name = r.text().trim() || undefined;
      else if (name === 'has_pace_data') session.hasPace = /^\s*true\s*$/i.test(r.text());
    }
  }
  return session;
}

/** Wall-clock ms of the split date fields, or NaN when one is missing or out of range. */
function wallClock(s: Partial<Record<SessionField, number>>): number {
  const { year, month, day, hour = 0, minute = 0, second = 0 } = s;
  if (year === undefined || month === undefined || day === undefined) return NaN;
  const ms = Date.UTC(year, month - 1, day, hour, minute, second);
  const d = new Date(ms);
  const exact = d.getUTCFullYear() === year && d.getUTCMonth() === month - 1 && d.getUTCDate() === day && d.getUTCHours() === hour && d.getUTCMinutes() === minute && d.getUTCSeconds() === Math.floor(second);
  return exact && year >= 1990 ? ms : NaN;
}

/** m/s from a pace in s/km; undefined for none. */
function speedOf(pace: number | undefined): number | undefined {
  return pace !== undefined && pace > 0 ? 1000 / pace : undefined;
}

/** The session as a workout draft, or the reason it cannot be one. */
export function rs200Draft(session: Rs200Session, ctx: ParseContext): PolarDraft | string {
  const warnings = createWarnings();
  const wall = wallClock(session.start);
  if (wall !== wall) {
    const s = session.start;
    return `the session has no valid start date (day ${s.day ?? '?'}, month ${s.month ?? '?'}, year ${s.year ?? '?'}, ${s.hour ?? '?'}:${s.minute ?? '?'}:${s.second ?? '?'})`;
  }
  const start = startFromWallClock(wall, ctx.timeZone, warnings);
  const sum = session.summary;
  // has_pace_data can be True with total_distance 0 when no foot pod was worn: then there is no speed.
  const pace = session.hasPace && sum.distance !== undefined && sum.distance > 0;
  const laps = toLaps(session, start.startTime, pace);
  const lastEnd = laps.reduce((end, l) => Math.max(end, (l.startTime - start.startTime) / 1000 + l.elapsedSeconds), 0);
  const elapsed = sum.length !== undefined && sum.length > 0 ? sum.length : lastEnd;
  if (!(elapsed > 0)) return 'the session has no length and no laps';
  if (pace) warnings.add('sport-assumed', 'the RS200sd session names no sport; read as running (its pace comes from a foot pod)');
  else warnings.add('sport-unknown', 'the RS200sd session names no sport; imported as other');
  const summary: Summary = {
    heartRateAvgBpm: positive(sum.avgHr),
    heartRateMaxBpm: positive(sum.maxHr),
    speedAvgMetersPerSecond: pace ? speedOf(sum.avgPace) : undefined,
    speedMaxMetersPerSecond: pace ? speedOf(sum.maxPace) : undefined,
  };
  return {
    format: 'polar-xml',
    fileName: ctx.fileName,
    sha256: ctx.sha256,
    index: 0,
    count: 1,
    sport: pace ? 'running' : 'other',
    sourceSport: {},
    name: session.name,
    ...start,
    elapsedSeconds: elapsed,
    distanceMeters: pace ? sum.distance : undefined,
    energyKilocalories: positive(sum.calories),
    summary,
    laps,
    device: { manufacturer: 'Polar', product: 'RS200sd' },
    warnings,
  };
}

function positive(v: number | undefined): number | undefined {
  return v !== undefined && v > 0 ? v : undefined;
}

/** Laps in time order; each starts at its end time less its lap time. */
function toLaps(session: Rs200Session, start: number, pace: boolean): LapDraft[] {
  const out: LapDraft[] = [];
  const laps = session.laps.filter((l) => l.end !== undefined && l.end >= 0).sort((a, b) => (a.end as number) - (b.end as number));
  let previousEnd = 0;
  for (const lap of laps) {
    const end = lap.end as number;
    const time = lap.time !== undefined && lap.time >= 0 && lap.time <= end ? lap.time : end - previousEnd;
    previousEnd = end;
    const trigger: LapTrigger | undefined = lap.autolap === 1 ? 'distance' : lap.autolap === 0 ? 'manual' : undefined;
    out.push({
      startTime: start + Math.round((end - time) * 1000),
      elapsedSeconds: time,
      distanceMeters: pace && lap.length !== undefined && lap.length >= 0 ? lap.length : undefined,
      summary: { heartRateAvgBpm: positive(lap.avgHr), heartRateMaxBpm: positive(lap.maxHr), speedAvgMetersPerSecond: pace ? speedOf(lap.avgPace) : undefined },
      trigger,
    });
  }
  return out;
}
