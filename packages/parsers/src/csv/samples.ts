/**
 * A sample table (one workout per file) → a workout draft: rows are placed in time by the time
 * plan, every known column becomes a channel converted to the model's units, a lap column gives
 * laps. Lenient on samples: an unreadable cell is a gap and a row without a usable time is
 * skipped, both counted in the warnings.
 */
import type { Channel, LapDraft, Samples, Sport, WarningCollector, WorkoutDraft } from '@optimo-import/workout';
import type { ParseErrorCode } from '../errors.js';
import { isMissing, parseNumber } from './dialect.js';
import { dateTimeFromFileName, parseDateTime, parseDuration, parseTimeOfDay } from './datetime.js';
import type { WallTime } from './datetime.js';
import { FIELD_UNITS } from './headers.js';
import type { CsvField } from './headers.js';
import type { CsvMapping } from './mapping.js';
import { parseIsoDateTime } from '../time.js';
import { createWallConverter, isPlausibleInstant, startOf, startOfInstant } from './start-time.js';
import type { StartFields } from './start-time.js';
import type { ColumnPlan, PreambleInfo, TableLayout } from './table.js';
import { isAbsolute } from './time-plan.js';
import type { TimePlan } from './time-plan.js';
import type { CsvRow, CsvRowReader } from './tokenizer.js';
import { toModelUnit, unitOf, UNITS } from './units.js';
import type { Unit } from './units.js';
import type { VendorProfile } from './vendors.js';
import { sportOfName } from './sport-names.js';

export interface TableRead {
  head: readonly CsvRow[];
  /** Rows after the head. */
  rest: CsvRowReader;
  layout: TableLayout;
  mapping: CsvMapping | undefined;
  vendor: VendorProfile;
  preamble: PreambleInfo;
  fileName: string | undefined;
  timeZone: string | undefined;
  maxSamples: number;
  warnings: WarningCollector;
  fail(code: ParseErrorCode, message: string, line?: number): Error;
}

/** All data rows, one per call: the head's after the header, then the rest; undefined at the end. */
export function dataRows(read: TableRead): () => CsvRow | undefined {
  let r = read.layout.dataIndex;
  return () => (r < read.head.length ? read.head[r++] : read.rest.read());
}

const CHANNEL_OF: Partial<Record<CsvField, Channel>> = {
  heartRate: 'heartRateBpm',
  speed: 'speedMetersPerSecond',
  distance: 'distanceMeters',
  cadence: 'cadencePerMinute',
  power: 'powerWatts',
  altitude: 'altitudeMeters',
  latitude: 'latitudeDegrees',
  longitude: 'longitudeDegrees',
  temperature: 'temperatureCelsius',
};

/** Sports where files count cadence in strides and the model in steps. */
const ON_FOOT: ReadonlySet<Sport> = new Set<Sport>(['running', 'walking', 'hiking']);

export function unitFor(plan: ColumnPlan): Unit | undefined {
  if (plan.unit) return plan.unit;
  const name = FIELD_UNITS[plan.field]?.default;
  return name === undefined ? undefined : unitOf(name);
}

interface ChannelColumn {
  plan: ColumnPlan;
  channel: Channel | 'pace';
  raw: (number | undefined)[];
}

/** The sport of a file: the mapping's, the vendor's, else `other` with a warning. */
export function sportOf(read: Pick<TableRead, 'mapping' | 'vendor' | 'warnings'>): { sport: Sport; name?: string } {
  const name = read.mapping?.sport ?? read.vendor.sport;
  const sport = sportOfName(name);
  if (sport) return { sport, name };
  read.warnings.add('sport-unknown', name ? `sport "${name}" is not one we know; imported as other` : 'the table names no sport; imported as other (a column mapping can give "sport")');
  return name ? { sport: 'other', name } : { sport: 'other' };
}

/** The start of a file whose rows hold time from the start: the mapping, the vendor, the rows above the table, the file name. */
function relativeStart(read: TableRead, needTime: boolean): { wall: WallTime; from: string } | undefined {
  if (read.mapping?.start) {
    const p = parseIsoDateTime(read.mapping.start);
    if (p) return { wall: p.offsetMinutes === undefined ? { wallMs: p.localAsUtcMs, hasTime: true } : { wallMs: p.localAsUtcMs, offsetMinutes: p.offsetMinutes, hasTime: true }, from: 'mapping' };
  }
  const vendor = read.vendor.start?.(read.head);
  if (vendor) return { wall: vendor, from: 'vendor' };
  if (read.preamble.start && (read.preamble.start.hasTime || !needTime)) return { wall: read.preamble.start, from: 'preamble' };
  const fromName = dateTimeFromFileName(read.fileName);
  if (fromName && (fromName.hasTime || !needTime)) {
    read.warnings.add('start-from-file-name', `the file records no start time; the start ${fromName.text} was read from the file name as local time`);
    return { wall: { wallMs: fromName.wallMs, hasTime: fromName.hasTime }, from: 'file-name' };
  }
  return undefined;
}

export function readSamples(read: TableRead, plan: TimePlan): WorkoutDraft {
  const { layout, warnings } = read;
  const sport = sportOf(read);
  const hasSpeed = layout.columns.some((c) => c.field === 'speed');
  const channels: ChannelColumn[] = [];
  for (const c of layout.columns) {
    if (c.field === 'pace' && !hasSpeed) channels.push({ plan: c, channel: 'pace', raw: [] });
    const channel = CHANNEL_OF[c.field];
    if (channel) channels.push({ plan: c, channel, raw: [] });
  }
  const lapColumn = layout.columns.find((c) => c.field === 'lap');
  const laps: (number | undefined)[] = [];

  // Times: instants (ms) for absolute plans, seconds from the start otherwise.
  let start: StartFields | undefined;
  let base = NaN;
  let dayShift = 0;
  let lastTod = NaN;
  const toUtc = createWallConverter(read.mapping?.timeZone ?? read.timeZone);
  const zone = read.mapping?.timeZone ?? read.timeZone;
  if (!isAbsolute(plan)) {
    const rel = relativeStart(read, plan.kind !== 'time-of-day');
    if (!rel) {
      throw read.fail(
        'no-data',
        plan.kind === 'time-of-day'
          ? 'the rows hold times of day but the file gives no date; give the start in a column mapping ("start")'
          : 'the rows hold time from the start but the file records no start date and time (nor does its name); give the start in a column mapping ("start")',
      );
    }
    if (plan.kind === 'time-of-day') base = Math.floor(rel.wall.wallMs / 86_400_000) * 86_400_000;
    else start = startOf(rel.wall, zone, warnings);
    if (start && !isPlausibleInstant(start.startTime)) throw read.fail('no-data', `the start ${new Date(start.startTime).toISOString()} is not a workout time (before 1990)`);
  }
  if ((plan.kind === 'wall' || plan.kind === 'date-time') && plan.assumedOrder) {
    warnings.add('date-order-assumed', `dates like "${firstCell(read, plan.kind === 'wall' ? plan.column : plan.date)}" can be read day-first or month-first; read as ${plan.order === 'MDY' ? 'month-day-year' : 'day-month-year'} (a column mapping can set "dateOrder")`);
  }

  const offsets: number[] = [];
  const instants = isAbsolute(plan) || plan.kind === 'time-of-day';
  const channelCount = channels.length;
  const indexes = channels.map((c) => c.plan.index);
  const raws = channels.map((c) => c.raw);
  const pace = channels.find((c) => c.channel === 'pace');
  const paceUnit = (pace && unitFor(pace.plan)) ?? UNITS.MIN_KM;
  let rows = 0;
  let noTime = 0;
  let bad = 0;
  let index = 0;
  const next = dataRows(read);
  for (let row = next(); row !== undefined; row = next()) {
    const cells = row.cells;
    if (isBlank(cells)) continue;
    if (++rows > read.maxSamples) throw read.fail('too-large', `more than ${read.maxSamples.toLocaleString('en-US')} sample rows (the maxSamples limit)`, row.line);
    let t = NaN; // seconds from the start, or ms instant for absolute plans
    let wall: WallTime | undefined;
    switch (plan.kind) {
      case 'wall': {
        wall = parseDateTime(cells[plan.column.index] ?? '', plan.order);
        if (wall) t = wall.offsetMinutes !== undefined ? wall.wallMs - wall.offsetMinutes * 60000 : toUtc(wall.wallMs);
        break;
      }
      case 'date-time': {
        const day = parseDateTime(cells[plan.date.index] ?? '', plan.order);
        const tod = parseTimeOfDay(cells[plan.time.index] ?? '');
        if (day && tod === tod) {
          wall = { wallMs: Math.floor(day.wallMs / 86_400_000) * 86_400_000 + tod, hasTime: true };
          t = toUtc(wall.wallMs);
        }
        break;
      }
      case 'epoch': {
        const v = parseNumber(cells[plan.column.index] ?? '', plan.column.number);
        t = v * plan.msPerUnit;
        break;
      }
      case 'elapsed':
        t = parseDuration(cells[plan.column.index] ?? '', plan.unit, plan.column.number.decimal);
        break;
      case 'time-of-day': {
        const cell = cells[plan.column.index] ?? '';
        let tod = parseTimeOfDay(cell);
        if (tod !== tod) tod = parseDuration(cell) * 1000; // past 24:00
        if (tod === tod) {
          if (lastTod === lastTod && tod < lastTod - 12 * 3_600_000) dayShift += 86_400_000; // past midnight
          lastTod = tod;
          wall = { wallMs: base + dayShift + tod, hasTime: true };
          t = toUtc(wall.wallMs);
        }
        break;
      }
      case 'rate':
        t = index * plan.seconds;
        break;
    }
    index++;
    if (instants ? !isPlausibleInstant(t) : !Number.isFinite(t) || t < 0) {
      noTime++;
      continue;
    }
    if (start === undefined) {
      if (plan.kind === 'epoch') start = startOfInstant(t, zone);
      else if (wall) start = startOf(wall, zone, warnings);
      else start = startOfInstant(t, zone);
      if (plan.kind === 'time-of-day' || plan.kind === 'wall' || plan.kind === 'date-time') t = start.startTime; // the start's own resolution (DST)
    }
    offsets.push(instants ? Math.round(t - start.startTime) / 1000 : Math.round(t * 1000) / 1000);
    for (let k = 0; k < channelCount; k++) {
      const cell = cells[indexes[k] as number];
      let v: number | undefined;
      if (cell !== undefined && cell.length > 0 && !isMissing(cell)) {
        const ch = channels[k] as ChannelColumn;
        const n = ch.channel === 'pace' ? paceSeconds(cell, paceUnit, ch.plan.number.decimal) : parseNumber(cell, ch.plan.number);
        if (n === n) v = n;
        else bad++;
      }
      (raws[k] as (number | undefined)[]).push(v);
    }
    if (lapColumn) {
      const v = parseNumber(cells[lapColumn.index] ?? '', lapColumn.number);
      laps.push(v === v ? v : undefined);
    }
  }
  if (!start || offsets.length === 0) {
    if (rows === 0) throw read.fail('no-data', 'the table has a header but no rows');
    throw read.fail('no-data', `none of the ${rows.toLocaleString('en-US')} rows has a usable time in the time column`);
  }
  if (noTime > 0) warnings.add('row-without-time', 'rows without a usable time were skipped', noTime);
  if (bad > 0) warnings.add('bad-value', 'cells that are not numbers were read as gaps', bad);
  if (layout.duplicates.length > 0) warnings.add('duplicate-column', `columns naming a channel already read were left out: ${layout.duplicates.join(', ')}`);

  const samples: Samples = { offsetSeconds: offsets };
  const assumed = inferUnits(channels, offsets);
  for (const ch of channels) {
    const unit = assumed.get(ch) ?? unitFor(ch.plan);
    const channel: Channel = ch.channel === 'pace' ? 'speedMetersPerSecond' : ch.channel;
    samples[channel] = convert(ch, unit, channel);
  }
  const guessed = channels.filter((c) => !c.plan.unit && !c.plan.mapped && needsUnit(c.plan.field));
  if (guessed.length > 0) {
    warnings.add('unit-assumed', `columns without a unit in their header were read as ${guessed.map((c) => `${c.plan.header.text}: ${(assumed.get(c) ?? unitFor(c.plan))?.name}`).join(', ')}`);
  }
  dropNoFix(samples);
  if (samples.cadencePerMinute && ON_FOOT.has(sport.sport)) doubleStrides(samples, warnings);
  const draft: WorkoutDraft = {
    format: 'csv',
    sha256: '',
    index: 0,
    count: 1,
    sport: sport.sport,
    sourceSport: { sport: sport.name },
    ...start,
    samples,
    device: read.vendor.device ?? {},
    warnings,
  };
  if (lapColumn) draft.laps = lapsOf(laps, offsets, start.startTime);
  return draft;
}

/** Whether every cell of a row is empty or spaces. */
export function isBlank(cells: readonly string[]): boolean {
  for (const c of cells) if (c.length > 0 && c.trim().length > 0) return false;
  return true;
}

function firstCell(read: TableRead, plan: ColumnPlan): string {
  return read.head[read.layout.dataIndex]?.cells[plan.index]?.trim() ?? '';
}

/** Units that are guesses when the header names none (rate, power and temperature defaults are the only units in use). */
function needsUnit(field: CsvField): boolean {
  return field === 'speed' || field === 'distance' || field === 'altitude' || field === 'pace';
}

function paceSeconds(cell: string, unit: Unit, decimal: '.' | ','): number {
  const s = parseDuration(cell, unit.paceValue === 's' ? 's' : 'min', decimal);
  return s > 0 ? s : NaN;
}

function convert(ch: ChannelColumn, unit: Unit | undefined, channel: Channel): (number | undefined)[] {
  const out = new Array<number | undefined>(ch.raw.length);
  for (let i = 0; i < ch.raw.length; i++) {
    const v = ch.raw[i];
    if (v === undefined) {
      out[i] = undefined;
      continue;
    }
    let m: number;
    if (ch.channel === 'pace') m = (unit?.factor ?? 1000) / v;
    else m = unit && unit.factor !== 1 ? toModelUnit(v, unit) : unit?.name === '°F' ? toModelUnit(v, unit) : v;
    if (m !== v && Math.abs(m) < 1e6) m = Math.round(m * 1e9) / 1e9; // no float noise from the conversion
    if (channel === 'heartRateBpm' && m <= 0) out[i] = undefined; // 0 is "no strap"
    else out[i] = Number.isFinite(m) ? m : undefined;
  }
  return out;
}

/**
 * Speed and distance without a unit: read the way that makes them agree. A distance that grows
 * under 0.2 m/s is kilometres; a speed whose mean is 3.6 (2.24) times the distance rate is km/h (mph).
 */
function inferUnits(channels: ChannelColumn[], offsets: number[]): Map<ChannelColumn, Unit> {
  const out = new Map<ChannelColumn, Unit>();
  const span = (offsets[offsets.length - 1] ?? 0) - (offsets[0] ?? 0);
  const distance = channels.find((c) => c.channel === 'distanceMeters');
  const speed = channels.find((c) => c.channel === 'speedMetersPerSecond');
  let rate: number | undefined; // metres per second from the distance column
  if (distance && span > 60) {
    const values = distance.raw.filter((v): v is number => v !== undefined);
    const d = values.length > 1 ? Math.max(...values.slice(-50)) - Math.min(...values.slice(0, 50)) : 0;
    const unit = distance.plan.unit;
    if (d > 0) {
      if (!unit && !distance.plan.mapped && d / span < 0.2 && (d * 1000) / span >= 0.3) {
        out.set(distance, UNITS.KM);
        rate = (d * 1000) / span;
      } else rate = (d * (unit ?? UNITS.M).factor) / span;
    }
  }
  if (speed && !speed.plan.unit && !speed.plan.mapped) {
    const values = speed.raw.filter((v): v is number => v !== undefined && v > 0);
    if (values.length > 0) {
      const mean = values.reduce((a, b) => a + b, 0) / values.length;
      const candidates = [UNITS.MPS, UNITS.KMH, UNITS.MPH];
      let pick = UNITS.MPS;
      if (rate !== undefined && rate > 0) {
        let best = Infinity;
        for (const unit of candidates) {
          const miss = Math.abs(Math.log((mean * unit.factor) / rate));
          if (miss < best) {
            best = miss;
            pick = unit;
          }
        }
      } else if (median(values) > 20) pick = UNITS.KMH;
      if (pick !== UNITS.MPS) out.set(speed, pick);
    }
  }
  return out;
}

function median(values: number[]): number {
  const sorted = values.slice(0, 2000).sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}

/** (0, 0) is a device's "no fix": a gap, not a place. */
function dropNoFix(samples: Samples): void {
  const lat = samples.latitudeDegrees;
  const lon = samples.longitudeDegrees;
  if (!lat || !lon) return;
  for (let i = 0; i < lat.length; i++) {
    if (lat[i] === 0 && lon[i] === 0) {
      lat[i] = undefined;
      lon[i] = undefined;
    }
  }
}

/** Cadence on foot under 120 is strides per minute; the model counts steps. */
function doubleStrides(samples: Samples, warnings: WarningCollector): void {
  const cadence = samples.cadencePerMinute as (number | undefined)[];
  const positive = cadence.filter((v): v is number => v !== undefined && v > 0);
  if (positive.length === 0 || median(positive) >= 120) return;
  samples.cadencePerMinute = cadence.map((v) => (v === undefined ? undefined : v * 2));
  warnings.add('cadence-doubled', 'cadence on foot under 120 was read as strides per minute and doubled to steps per minute');
}

/**
 * Laps from a lap column: mostly empty with a mark now and then (iBike's `Lap Marker`) ends a
 * lap at each mark; a lap number (ergomo's `INTERVAL`) starts a lap where it changes.
 */
function lapsOf(values: (number | undefined)[], offsets: number[], startTime: number): LapDraft[] | undefined {
  const n = offsets.length;
  if (n < 2) return undefined;
  const marks = values.filter((v) => v !== undefined && v !== 0).length;
  const boundaries: number[] = [];
  if (marks > 0 && marks < n * 0.1 && new Set(values.filter((v) => v !== undefined && v !== 0)).size <= 2) {
    values.forEach((v, i) => {
      if (v !== undefined && v !== 0 && i + 1 < n) boundaries.push(i + 1);
    });
  } else {
    for (let i = 1; i < n; i++) if (values[i] !== undefined && values[i - 1] !== undefined && values[i] !== values[i - 1]) boundaries.push(i);
  }
  if (boundaries.length === 0) return undefined;
  const starts = [0, ...boundaries];
  return starts.map((from, k) => {
    const to = k + 1 < starts.length ? (starts[k + 1] as number) : n - 1;
    const begin = offsets[from] as number;
    return { startTime: startTime + Math.round(begin * 1000), elapsedSeconds: Math.max(0, (offsets[to] as number) - begin) };
  });
}
