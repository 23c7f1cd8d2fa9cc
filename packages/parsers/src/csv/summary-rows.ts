/**
 * A summary table (one workout per row: a training log, Strava's activities.csv, a Garmin Connect
 * activity list) → workout drafts without samples. Every row needs a start; a row without one is
 * skipped and counted. Dates are local time unless the vendor is known to write UTC.
 */
import { createWarnings } from '@optimo-import/workout';
import type { Summary, WarningCollector, WorkoutDraft } from '@optimo-import/workout';
import { isMissing, parseNumber } from './dialect.js';
import { parseDateTime, parseDuration, parseTimeOfDay } from './datetime.js';
import type { DateOrder, DurationUnit, WallTime } from './datetime.js';
import type { CsvField, SummaryField } from './headers.js';
import { dataRows, isBlank, unitFor } from './samples.js';
import { sportOfName } from './sport-names.js';
import type { TableRead } from './samples.js';
import { isPlausibleInstant, startOf, startOfInstant } from './start-time.js';
import type { ColumnPlan } from './table.js';
import { decideDateOrder, headValues, slashMonthFirst } from './table.js';
import { toModelUnit, UNITS } from './units.js';
import type { Unit } from './units.js';

const SUMMARY_KEYS: Partial<Record<SummaryField, keyof Summary>> = {
  heartRateAvg: 'heartRateAvgBpm',
  heartRateMax: 'heartRateMaxBpm',
  speedAvg: 'speedAvgMetersPerSecond',
  speedMax: 'speedMaxMetersPerSecond',
  paceAvg: 'speedAvgMetersPerSecond',
  cadenceAvg: 'cadenceAvgPerMinute',
  cadenceMax: 'cadenceMaxPerMinute',
  powerAvg: 'powerAvgWatts',
  powerMax: 'powerMaxWatts',
  ascent: 'ascentMeters',
  descent: 'descentMeters',
};

interface StartPlan {
  /** A date-time per row, or a date. */
  column: ColumnPlan;
  /** A separate time-of-day column. */
  timeOfDay?: ColumnPlan;
  order: DateOrder;
  assumed: boolean;
}

/** Header words that make a time column a clock time, not a duration. */
const CLOCK_WORDS = /\b(start|begin|beginn|startzeit|uhrzeit|debut|heure|hora|ora|inicio|inizio|starttijd|begintijd|clock)\b/;

/** A distance or an energy below 0 is no value. */
function notNegative(v: number | undefined): number | undefined {
  return v !== undefined && v >= 0 ? v : undefined;
}

function durationUnit(unit: Unit | undefined): DurationUnit {
  const name = unit?.name;
  return name === 'min' || name === 'h' || name === 'ms' ? name : 's';
}

export function readSummaries(read: TableRead): WorkoutDraft[] {
  const { layout, head } = read;
  const col = (field: CsvField): ColumnPlan | undefined => layout.columns.find((c) => c.field === field);
  const fileWarnings = createWarnings();
  // The start: a date-time column, or a date column with a time column.
  const time = col('time');
  const date = col('date');
  const candidates = [time, date].filter((c): c is ColumnPlan => c !== undefined);
  let start: StartPlan | undefined;
  let durationColumn = col('duration') ?? col('elapsed');
  for (const c of candidates) {
    const values = headValues(head, layout, c.index);
    const { order, assumed } = decideDateOrder(values, read.mapping?.dateOrder, slashMonthFirst(c.header, values));
    if (values[0] !== undefined && parseDateTime(values[0], order)) {
      start = { column: c, order, assumed };
      break;
    }
  }
  if (start && !parseDateTime(headValues(head, layout, start.column.index, 1)[0] ?? '', start.order)?.hasTime) {
    // A date alone: the start's clock time is in a time-of-day column, or in a `Time` column that
    // is named as one (`Start time`, `Heure`) or sits beside a duration column.
    const first = time && time !== start.column ? headValues(head, layout, time.index, 1)[0] : undefined;
    const clock = first !== undefined && !Number.isNaN(parseTimeOfDay(first)) && (durationColumn !== undefined || CLOCK_WORDS.test(time?.header.key ?? ''));
    const tod = col('timeOfDay') ?? (clock ? time : undefined);
    if (tod) start.timeOfDay = tod;
  }
  // Otherwise a `Time` beside the date column is the duration (Garmin Connect's list).
  if (!durationColumn && time && start && start.column !== time && start.timeOfDay !== time) durationColumn = time;
  if (!start) throw read.fail('no-data', 'one workout per row, but no column holds a start date (such as Date or Activity Date)');
  if (start.assumed) fileWarnings.add('date-order-assumed', `dates like "${headValues(head, layout, start.column.index, 1)[0]}" can be read day-first or month-first; read as ${start.order === 'MDY' ? 'month-day-year' : 'day-month-year'} (a column mapping can set "dateOrder")`);
  if (layout.duplicates.length > 0) fileWarnings.add('duplicate-column', `columns naming a value already read were left out: ${layout.duplicates.join(', ')}`);
  const units = summaryUnits(read, fileWarnings);
  const zone = read.mapping?.timeZone ?? read.timeZone;
  const utc = read.vendor.utcDates && read.mapping?.timeZone === undefined;
  const sportDefault = read.mapping?.sport ?? read.vendor.sport;

  const drafts: WorkoutDraft[] = [];
  let rows = 0;
  let noStart = 0;
  const next = dataRows(read);
  for (let row = next(); row !== undefined; row = next()) {
    const cells = row.cells;
    if (isBlank(cells)) continue;
    if (++rows > read.maxSamples) throw read.fail('too-large', `more than ${read.maxSamples.toLocaleString('en-US')} rows (the maxSamples limit)`, row.line);
    const text = (plan: ColumnPlan | undefined): string | undefined => {
      const v = plan ? cells[plan.index]?.trim() : undefined;
      return v === undefined || isMissing(v) ? undefined : v;
    };
    let wall: WallTime | undefined = parseDateTime(text(start.column) ?? '', start.order);
    if (wall && start.timeOfDay) {
      const tod = parseTimeOfDay(text(start.timeOfDay) ?? '');
      if (tod === tod) wall = { wallMs: Math.floor(wall.wallMs / 86_400_000) * 86_400_000 + tod, hasTime: true };
    }
    if (!wall || !isPlausibleInstant(wall.wallMs)) {
      noStart++;
      continue;
    }
    const warnings = createWarnings(fileWarnings.list());
    if (!wall.hasTime) warnings.add('start-time-unknown', 'the row gives a date without a clock time; the workout starts at midnight local time');
    const startFields = utc && wall.offsetMinutes === undefined ? startOfInstant(wall.wallMs, zone) : startOf(wall, zone, warnings);
    const number = (field: CsvField): number | undefined => {
      const plan = col(field);
      const t = text(plan);
      if (!plan || t === undefined) return undefined;
      const v = parseNumber(t, plan.number);
      if (v !== v) {
        warnings.add('bad-value', 'cells that are not numbers were left out', 1);
        return undefined;
      }
      const unit = units.get(plan) ?? unitFor(plan);
      const converted = unit ? toModelUnit(v, unit) : v;
      // -1e308 km is -Infinity m: no value (the fuzzer's find).
      if (!Number.isFinite(converted)) {
        warnings.add('bad-value', 'cells that are not numbers were left out', 1);
        return undefined;
      }
      return converted;
    };
    const seconds = (plan: ColumnPlan | undefined): number | undefined => {
      const t = text(plan);
      if (!plan || t === undefined) return undefined;
      const v = parseDuration(t, durationUnit(plan.unit), plan.number.decimal);
      return v === v ? v : undefined;
    };
    const sportName = text(col('sport')) ?? sportDefault;
    const sport = sportOfName(sportName);
    if (!sport) warnings.add('sport-unknown', sportName ? `sport "${sportName}" is not one we know; imported as other` : 'the row names no sport; imported as other');
    const summary: Summary = {};
    for (const [field, key] of Object.entries(SUMMARY_KEYS) as [SummaryField, keyof Summary][]) {
      if (summary[key] !== undefined) continue;
      const plan = col(field);
      if (!plan) continue;
      let v: number | undefined;
      if (field === 'paceAvg') {
        const unit = plan.unit ?? UNITS.MIN_KM;
        const t = text(plan);
        const s = t === undefined ? NaN : parseDuration(t, unit.paceValue === 's' ? 's' : 'min', plan.number.decimal);
        v = s > 0 ? unit.factor / s : undefined;
      } else v = number(field);
      if (v !== undefined) summary[key] = Math.round(v * 1e6) / 1e6;
    }
    const draft: WorkoutDraft = {
      format: 'csv',
      sha256: '',
      index: drafts.length,
      count: 0,
      sport: sport ?? 'other',
      sourceSport: { sport: sportName },
      name: text(col('name')),
      notes: text(col('notes')),
      ...startFields,
      elapsedSeconds: seconds(durationColumn),
      movingSeconds: seconds(col('movingTime')),
      distanceMeters: notNegative(number('distance')),
      energyKilocalories: notNegative(number('calories')),
      summary,
      device: read.vendor.device ?? {},
      warnings,
    };
    const id = text(col('id'));
    if (id !== undefined) draft.extras = { sourceId: id };
    if (draft.elapsedSeconds === undefined) warnings.add('no-duration', 'the row gives no duration; the workout lasts 0 s');
    drafts.push(draft);
  }
  if (drafts.length === 0) {
    if (rows === 0) throw read.fail('no-data', 'the table has a header but no rows');
    throw read.fail('no-data', `none of the ${rows.toLocaleString('en-US')} rows has a usable start date`);
  }
  if (noStart > 0) {
    for (const d of drafts) (d.warnings as ReturnType<typeof createWarnings>).add('row-without-start', 'rows of this file without a usable start date were skipped', noStart);
  }
  for (const d of drafts) d.count = drafts.length;
  return drafts;
}

/**
 * Distance and speed columns without a unit: a distance under 1000 in every head row is
 * kilometres (a log writes `10.02`, not `10020`), else metres; a speed is km/h (logs do not
 * write m/s); ascent and descent are metres. Each guess is named in a warning.
 */
function summaryUnits(read: TableRead, warnings: WarningCollector): Map<ColumnPlan, Unit> {
  const out = new Map<ColumnPlan, Unit>();
  const assumed: string[] = [];
  for (const plan of read.layout.columns) {
    if (plan.unit || plan.mapped) continue;
    const values = headValues(read.head, read.layout, plan.index).map((v) => parseNumber(v, plan.number)).filter((v) => v === v);
    if (values.length === 0) continue;
    let unit: Unit | undefined;
    if (plan.field === 'distance') unit = Math.max(...values) < 1000 ? UNITS.KM : UNITS.M;
    else if (plan.field === 'speedAvg' || plan.field === 'speedMax') unit = UNITS.KMH;
    else if (plan.field === 'ascent' || plan.field === 'descent') unit = UNITS.M;
    if (!unit) continue;
    out.set(plan, unit);
    assumed.push(`${plan.header.text}: ${unit.name}`);
  }
  if (assumed.length > 0) warnings.add('unit-assumed', `columns without a unit in their header were read as ${assumed.join(', ')}`);
  return out;
}
