/**
 * Which records, laps and pauses belong to which workout. One workout per `session`; records
 * go to the session whose [start_time, next session's start) holds them, cut at
 * start_time + total_elapsed_time (+ slack) when that total is plausible. A unit without
 * sessions becomes one workout built from its records.
 */
import { MAX_WORKOUT_SECONDS } from '@optimo-import/workout';
import type { FitUnit, SessionValues } from './collect.js';
import { EventType } from './profile.js';
import type { RecordStore } from './record-store.js';

const STOP_TYPES: ReadonlySet<number> = new Set([EventType.stop, EventType.stopAll, EventType.stopDisable, EventType.stopDisableAll]);

/** Records this long after a session's stated end still belong to it (devices write the last one late). */
const END_SLACK_SECONDS = 60;

export interface PlanWarning {
  code: string;
  message: string;
  count?: number;
}

export interface SessionPlan {
  unit: FitUnit;
  /** Undefined when the workout is synthesized from records. */
  session?: SessionValues;
  /** Position among the unit's sessions and their number. */
  index: number;
  size: number;
  /** FIT seconds. */
  start: number;
  /** The file's elapsed time when plausible; undefined when it must come from the records. */
  elapsed?: number;
  /** FIT seconds of the end used to clip pauses and laps. */
  end: number;
  /** Record rows of this workout, in file order. */
  rows: Int32Array;
  warnings: PlanWarning[];
}

function finite(v: number | undefined): v is number {
  return v !== undefined && Number.isFinite(v);
}

/**
 * Whether a stated elapsed time fits the session: not shorter than its own timer time, not far
 * longer than its records span (bogus 27-day sessions), and not cutting off a real share of its
 * records (a few stray late records are dropped instead).
 */
function consistent(elapsed: number, timer: number | undefined, rows: number, span: number, beyond: number): boolean {
  if (finite(timer) && timer > elapsed * 1.05 + 2) return false;
  if (rows < 2) return true;
  return elapsed <= 3 * span + 3600 && beyond < Math.max(3, rows * 0.05);
}

/**
 * Rows of the unit in file order, without clock jumps: records more than a week (longer than
 * any workout) from the unit's median record time are corrupt data (counted in `jumps`).
 */
function usableRows(unit: FitUnit, time: Float64Array): { rows: Int32Array; jumps: number } {
  const count = unit.recordTo - unit.recordFrom;
  const rows = new Int32Array(count);
  if (count === 0) return { rows, jumps: 0 };
  let min = Infinity;
  let max = -Infinity;
  for (let r = unit.recordFrom; r < unit.recordTo; r++) {
    const t = time[r] as number;
    if (t < min) min = t;
    if (t > max) max = t;
  }
  if (max - min <= MAX_WORKOUT_SECONDS) {
    for (let i = 0; i < count; i++) rows[i] = unit.recordFrom + i;
    return { rows, jumps: 0 };
  }
  const step = Math.max(1, Math.floor(count / 1001));
  const probe: number[] = [];
  for (let r = unit.recordFrom; r < unit.recordTo; r += step) probe.push(time[r] as number);
  probe.sort((a, b) => a - b);
  const median = probe[probe.length >> 1] as number;
  let n = 0;
  for (let r = unit.recordFrom; r < unit.recordTo; r++) {
    if (Math.abs((time[r] as number) - median) <= MAX_WORKOUT_SECONDS) rows[n++] = r;
  }
  return { rows: rows.subarray(0, n), jumps: count - n };
}

/**
 * The session's start: start_time, else its end timestamp minus its elapsed time — never before
 * the FIT epoch (a start_time read through a signed base type, an elapsed time longer than the
 * clock has run: no time at all).
 */
function startOf(s: SessionValues): number {
  if (finite(s.startTime) && s.startTime >= 0) return s.startTime;
  if (finite(s.timestamp) && finite(s.totalElapsedTime) && s.timestamp - s.totalElapsedTime >= 0) return s.timestamp - s.totalElapsedTime;
  return NaN;
}

/** Plans the workouts of one unit (empty when it has neither sessions nor two records). */
export function planUnit(unit: FitUnit, store: RecordStore): SessionPlan[] {
  const time = store.time;
  const { rows: all, jumps } = usableRows(unit, time);
  const firstTime = all.length > 0 ? (time[all[0] as number] as number) : NaN;
  const warnings: PlanWarning[] = [];
  if (jumps > 0) warnings.push({ code: 'time-jump', message: 'records timed more than a week away from the others were skipped', count: jumps });
  const sessions: { s: SessionValues; start: number }[] = [];
  for (const s of unit.sessions) {
    let start = startOf(s);
    if (!finite(start) && unit.sessions.length === 1 && finite(firstTime)) start = firstTime;
    if (finite(start)) sessions.push({ s, start });
    else warnings.push({ code: 'session-without-time', message: 'a session without a start time was skipped' });
  }
  if (sessions.length === 0) {
    if (all.length < 2) return [];
    warnings.push({ code: 'no-session', message: 'the file has no usable session message; the workout was built from its records' });
    let end = firstTime;
    for (const r of all) end = Math.max(end, time[r] as number);
    return [{ unit, index: 0, size: 1, start: firstTime, end, rows: all, warnings }];
  }
  sessions.sort((a, b) => a.start - b.start);

  // Owner session of each row: the last session starting at or before it (-1: before all).
  const owner = new Int32Array(all.length);
  const counts = new Int32Array(sessions.length);
  let beforeStart = 0;
  for (let i = 0; i < all.length; i++) {
    const t = time[all[i] as number] as number;
    let lo = 0;
    let hi = sessions.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((sessions[mid] as { start: number }).start <= t) lo = mid + 1;
      else hi = mid;
    }
    owner[i] = lo - 1;
    if (lo === 0) beforeStart++;
    else counts[lo - 1] = (counts[lo - 1] as number) + 1;
  }

  const plans: SessionPlan[] = [];
  let afterEnd = 0;
  sessions.forEach(({ s, start }, k) => {
    const candidates = new Int32Array(counts[k] as number);
    let n = 0;
    let last = start;
    for (let i = 0; i < all.length; i++) {
      if (owner[i] !== k) continue;
      const row = all[i] as number;
      candidates[n++] = row;
      const t = time[row] as number;
      if (t > last) last = t;
    }
    const declared = s.totalElapsedTime;
    let beyond = 0;
    if (finite(declared)) for (let i = 0; i < n; i++) if ((time[candidates[i] as number] as number) > start + declared + END_SLACK_SECONDS) beyond++;
    const span = last - start;
    const planWarnings: PlanWarning[] = k === 0 ? warnings : [];
    const plausible =
      finite(declared) && declared > 0 && declared <= MAX_WORKOUT_SECONDS && consistent(declared, s.totalTimerTime, n, span, beyond);
    let rows = candidates;
    let elapsed: number | undefined;
    let end: number;
    if (plausible) {
      elapsed = declared;
      end = start + declared;
      if (beyond > 0) {
        let kept = 0;
        for (let i = 0; i < n; i++) if ((time[candidates[i] as number] as number) <= end + END_SLACK_SECONDS) candidates[kept++] = candidates[i] as number;
        afterEnd += n - kept;
        rows = candidates.subarray(0, kept);
      }
    } else {
      // Elapsed time is at least the timer time: take the longer of the records' span and a
      // plausible timer total (a 1 Hz recording spans one second less than it lasted).
      const timer = s.totalTimerTime;
      const timerFits = finite(timer) && timer > 0 && timer <= MAX_WORKOUT_SECONDS && (n < 2 || timer <= 3 * span + 3600);
      if (n >= 2 || timerFits) elapsed = Math.max(n >= 2 ? span : 0, timerFits ? timer : 0);
      end = start + (elapsed ?? span);
      if (n >= 2 || finite(declared)) {
        const stated = finite(declared) ? `${Math.round(declared)} s` : 'nothing';
        planWarnings.push({
          code: 'session-total-repaired',
          message: `a session's elapsed time (${stated}) is not plausible; ${Math.round(elapsed ?? span)} s from its records and timer time was used`,
        });
      }
    }
    if (n === 0) planWarnings.push({ code: 'no-samples', message: 'a session has no records; only its totals were imported' });
    plans.push({ unit, session: s, index: k, size: sessions.length, start, elapsed, end, rows, warnings: planWarnings });
  });
  const first = plans[0] as SessionPlan;
  if (beforeStart > 0) {
    first.warnings.push({ code: 'sample-before-start', message: 'records timed before the session start were skipped', count: beforeStart });
  }
  if (afterEnd > 0) {
    first.warnings.push({ code: 'sample-after-end', message: 'records timed after the session end were skipped', count: afterEnd });
  }
  return plans;
}

/** Pauses of a unit from its timer events: [stop, next start) in FIT seconds. */
export function pausesOf(unit: FitUnit): [number, number][] {
  const events = unit.timerEvents
    .filter((e) => finite(e.timestamp) && e.eventType !== undefined)
    .sort((a, b) => (a.timestamp as number) - (b.timestamp as number));
  const pauses: [number, number][] = [];
  let stoppedAt = NaN;
  for (const e of events) {
    const t = e.timestamp as number;
    const type = e.eventType as number;
    if (type === EventType.start) {
      if (stoppedAt === stoppedAt && t > stoppedAt) pauses.push([stoppedAt, t]);
      stoppedAt = NaN;
    } else if (STOP_TYPES.has(type) && stoppedAt !== stoppedAt) {
      stoppedAt = t;
    }
  }
  return pauses;
}

/** Pauses clipped to [start, end], as offsets from start. */
export function clipPauses(pauses: [number, number][], start: number, end: number): { startOffsetSeconds: number; durationSeconds: number }[] {
  const out: { startOffsetSeconds: number; durationSeconds: number }[] = [];
  for (const [from, to] of pauses) {
    const a = Math.max(from, start);
    const b = Math.min(to, end);
    if (b > a) out.push({ startOffsetSeconds: a - start, durationSeconds: b - a });
  }
  return out;
}
