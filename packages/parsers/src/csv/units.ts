/**
 * Units as CSV headers write them (`km/h`, `[1/min]`, `(feet)`, `°C`, `M-0C`…), and their
 * conversion to the model's units. A table, not branches: every spelling → one unit.
 */
import { foldText } from './datetime.js';

export type UnitDimension = 'speed' | 'pace' | 'length' | 'temperature' | 'rate' | 'power' | 'time' | 'energy' | 'epoch';

export interface Unit {
  /** The canonical name (`km/h`, `min/km`, `ft`, `°F`…), as error and warning messages show it. */
  name: string;
  dimension: UnitDimension;
  /** Model unit per unit: m/s, m, W, s, kcal; for pace the metres the value is per. */
  factor: number;
  /** Pace values are minutes (`5:30`, `5.5`) or seconds per distance. */
  paceValue?: 'min' | 's';
}

const u = (name: string, dimension: UnitDimension, factor: number, paceValue?: 'min' | 's'): Unit =>
  paceValue ? { name, dimension, factor, paceValue } : { name, dimension, factor };

const KMH = u('km/h', 'speed', 1 / 3.6);
const MPH = u('mph', 'speed', 0.44704);
const MPS = u('m/s', 'speed', 1);
const KNOT = u('kn', 'speed', 1852 / 3600);
const MIN_KM = u('min/km', 'pace', 1000, 'min');
const MIN_MI = u('min/mi', 'pace', 1609.344, 'min');
const S_KM = u('s/km', 'pace', 1000, 's');
const S_MI = u('s/mi', 'pace', 1609.344, 's');
const MIN_500 = u('min/500m', 'pace', 500, 'min');
const MIN_100 = u('min/100m', 'pace', 100, 'min');
const S_500 = u('s/500m', 'pace', 500, 's');
const M = u('m', 'length', 1);
const KM = u('km', 'length', 1000);
const MI = u('mi', 'length', 1609.344);
const FT = u('ft', 'length', 0.3048);
const YD = u('yd', 'length', 0.9144);
const CELSIUS = u('°C', 'temperature', 1);
const FAHRENHEIT = u('°F', 'temperature', 1);
const PER_MIN = u('1/min', 'rate', 1);
const BPM = u('bpm', 'rate', 1);
const RPM = u('rpm', 'rate', 1);
const SPM = u('spm', 'rate', 1);
const WATT = u('W', 'power', 1);
const KW = u('kW', 'power', 1000);
const SECOND = u('s', 'time', 1);
const MS = u('ms', 'time', 0.001);
const MINUTE = u('min', 'time', 60);
const HOUR = u('h', 'time', 3600);
const KCAL = u('kcal', 'energy', 1);
const KJ = u('kJ', 'energy', 1 / 4.184);
const EPOCH_S = u('epoch-s', 'epoch', 1000);
const EPOCH_MS = u('epoch-ms', 'epoch', 1);

/** Spellings (folded: lower case, no diacritics, no spaces) → unit. */
const SPELLINGS: ReadonlyMap<string, Unit> = new Map([
  ...['km/h', 'kmh', 'kph', 'km/std', 'kmu', 'km/u', 'kmph', 'kilometersperhour'].map((k) => [k, KMH] as const),
  ...['mph', 'mi/h', 'milesperhour'].map((k) => [k, MPH] as const),
  ...['m/s', 'mps', 'ms-1', 'm/sec', 'meterspersecond'].map((k) => [k, MPS] as const),
  ...['kn', 'kt', 'knots'].map((k) => [k, KNOT] as const),
  ...['min/km', 'mn/km', 'minperkm', 'min/kilometer', 'minutesperkm', 'minkm'].map((k) => [k, MIN_KM] as const),
  ...['min/mi', 'min/mile', 'minpermile', 'minutespermile', 'minmi'].map((k) => [k, MIN_MI] as const),
  ...['s/km', 'sec/km', 'seckm'].map((k) => [k, S_KM] as const),
  ...['s/mi', 'sec/mi', 'sec/mile'].map((k) => [k, S_MI] as const),
  ...['min/500m', '/500m', 'min/500', '500m'].map((k) => [k, MIN_500] as const),
  ...['min/100m', '/100m', 'min/100'].map((k) => [k, MIN_100] as const),
  ...['s/500m', 'sec/500m'].map((k) => [k, S_500] as const),
  ...['m', 'meter', 'meters', 'metre', 'metres', 'mtr', 'metros', 'metri'].map((k) => [k, M] as const),
  ...['km', 'kilometer', 'kilometers', 'kilometre', 'kilometres', 'kilometros', 'chilometri'].map((k) => [k, KM] as const),
  ...['mi', 'mile', 'miles', 'meilen'].map((k) => [k, MI] as const),
  ...['ft', 'feet', 'foot'].map((k) => [k, FT] as const),
  ...['yd', 'yds', 'yard', 'yards'].map((k) => [k, YD] as const),
  ...['c', '°c', 'ºc', 'degc', 'celsius', 'grad', 'gradc', '°'].map((k) => [k, CELSIUS] as const),
  ...['f', '°f', 'ºf', 'degf', 'fahrenheit'].map((k) => [k, FAHRENHEIT] as const),
  ...['1/min', '/min', 'min-1', 'min^-1', 'perminute'].map((k) => [k, PER_MIN] as const),
  ...['bpm', 'beats/min', 'beatsperminute', 'spm/bpm', 'schlage/min', 'ppm', 'lpm'].map((k) => [k, BPM] as const),
  ...['rpm', 'revs/min', 'u/min', 'rev/min', 'tr/min', 'giri/min'].map((k) => [k, RPM] as const),
  ...['spm', 'steps/min', 'strides/min', 'strokes/min', 'schritte/min'].map((k) => [k, SPM] as const),
  ...['w', 'watt', 'watts', 'vatios'].map((k) => [k, WATT] as const),
  ...['kw', 'kilowatt', 'kilowatts'].map((k) => [k, KW] as const),
  ...['s', 'sec', 'secs', 'second', 'seconds', 'sek', 'sekunden', 'segundos', 'secondi', 'seconden', 'l_sec', 'lsec', 'hh:mm:ss', 'h:mm:ss', 'mm:ss'].map((k) => [k, SECOND] as const),
  ...['ms', 'millis', 'milliseconds'].map((k) => [k, MS] as const),
  ...['min', 'mins', 'minute', 'minutes', 'minuten', 'minutos', 'minuti'].map((k) => [k, MINUTE] as const),
  ...['h', 'hr', 'hrs', 'hour', 'hours', 'std', 'stunden', 'horas', 'ore', 'uur'].map((k) => [k, HOUR] as const),
  ...['kcal', 'cal', 'kilocalories', 'calories'].map((k) => [k, KCAL] as const),
  ...['kj', 'kilojoule', 'kilojoules'].map((k) => [k, KJ] as const),
  ...['epoch', 'epoch-s', 'unix', 'unix-s', 'epochs'].map((k) => [k, EPOCH_S] as const),
  ...['epoch-ms', 'unix-ms', 'epochms'].map((k) => [k, EPOCH_MS] as const),
]);

/** The unit a header's unit text names; undefined when it names none we know. */
export function unitOf(text: string | undefined): Unit | undefined {
  if (text === undefined) return undefined;
  const key = foldKey(text);
  if (key.length === 0 || key.length > 24) return undefined;
  return SPELLINGS.get(key) ?? SPELLINGS.get(key.replace(/^in/, '')) ?? SPELLINGS.get(key.replace(/\.$/, ''));
}

function foldKey(text: string): string {
  // `°` survives folding.
  return foldText(text.trim()).replace(/\s+/g, '').replace(/^\(|\)$/g, '');
}

/** Units by canonical name, for the mapping file. */
export function unitByName(name: string): Unit | undefined {
  return unitOf(name);
}

/** The canonical unit names of a dimension, for messages. */
export function unitNames(dimension: UnitDimension): string[] {
  const names = new Set<string>();
  for (const unit of SPELLINGS.values()) if (unit.dimension === dimension) names.add(unit.name);
  return [...names];
}

/** A value in `unit` in the model's unit (m/s, m, W, s, kcal, °C); pace is turned into speed. */
export function toModelUnit(value: number, unit: Unit): number {
  if (unit.dimension === 'temperature') return unit === FAHRENHEIT ? ((value - 32) * 5) / 9 : value;
  if (unit.dimension === 'pace') return value > 0 ? unit.factor / value : NaN; // value: seconds per `factor` metres
  return value * unit.factor;
}

export const UNITS = { KMH, MPH, MPS, MIN_KM, MIN_MI, S_KM, MIN_500, M, KM, MI, FT, CELSIUS, FAHRENHEIT, BPM, RPM, WATT, SECOND, MINUTE, HOUR, KCAL, KJ, EPOCH_S, EPOCH_MS } as const;
