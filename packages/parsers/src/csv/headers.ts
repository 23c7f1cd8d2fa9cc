/**
 * What a CSV column holds, from its header: the meaning in English, German, French, Spanish,
 * Italian, Dutch and Portuguese (a table of phrases, first match wins), an `avg`/`max`/`min`
 * modifier (`Avg HR`, `Ø Herzfrequenz`, `Vitesse max`) and the unit from the header text
 * (`Speed (km/h)`, `Velocity [km/h]`, `Weight, kg`, `Km/h`).
 */
import { foldText } from './datetime.js';
import { unitOf } from './units.js';
import type { Unit, UnitDimension } from './units.js';

/** Channels and times of a sample row. */
export const SAMPLE_FIELDS = [
  'time',
  'date',
  'timeOfDay',
  'elapsed',
  'heartRate',
  'speed',
  'pace',
  'distance',
  'cadence',
  'power',
  'altitude',
  'latitude',
  'longitude',
  'temperature',
  'lap',
] as const;

/** Values of a summary row (one workout per row); `time` is its start, `elapsed` its duration. */
export const SUMMARY_FIELDS = [
  'sport',
  'name',
  'notes',
  'duration',
  'movingTime',
  'calories',
  'heartRateAvg',
  'heartRateMax',
  'speedAvg',
  'speedMax',
  'paceAvg',
  'cadenceAvg',
  'cadenceMax',
  'powerAvg',
  'powerMax',
  'ascent',
  'descent',
  'id',
] as const;

export type SampleField = (typeof SAMPLE_FIELDS)[number];
export type SummaryField = (typeof SUMMARY_FIELDS)[number];
export type CsvField = SampleField | SummaryField | 'ignore';

export const CSV_FIELDS: readonly CsvField[] = [...SAMPLE_FIELDS, ...SUMMARY_FIELDS, 'ignore'];

/** The unit dimension each numeric field takes, and its unit when the header names none. */
export const FIELD_UNITS: Partial<Record<CsvField, { dimension: UnitDimension; default?: string }>> = {
  time: { dimension: 'epoch' },
  elapsed: { dimension: 'time', default: 's' },
  duration: { dimension: 'time', default: 's' },
  movingTime: { dimension: 'time', default: 's' },
  heartRate: { dimension: 'rate', default: 'bpm' },
  heartRateAvg: { dimension: 'rate', default: 'bpm' },
  heartRateMax: { dimension: 'rate', default: 'bpm' },
  cadence: { dimension: 'rate', default: 'rpm' },
  cadenceAvg: { dimension: 'rate', default: 'rpm' },
  cadenceMax: { dimension: 'rate', default: 'rpm' },
  speed: { dimension: 'speed', default: 'm/s' },
  speedAvg: { dimension: 'speed', default: 'm/s' },
  speedMax: { dimension: 'speed', default: 'm/s' },
  pace: { dimension: 'pace', default: 'min/km' },
  paceAvg: { dimension: 'pace', default: 'min/km' },
  distance: { dimension: 'length', default: 'm' },
  altitude: { dimension: 'length', default: 'm' },
  ascent: { dimension: 'length', default: 'm' },
  descent: { dimension: 'length', default: 'm' },
  power: { dimension: 'power', default: 'W' },
  powerAvg: { dimension: 'power', default: 'W' },
  powerMax: { dimension: 'power', default: 'W' },
  temperature: { dimension: 'temperature', default: '°C' },
  calories: { dimension: 'energy', default: 'kcal' },
};

/**
 * Header phrases (folded: lower case, no diacritics, words split by single spaces) → field.
 * Order matters only among prefix matches: the longest phrase that starts the header wins.
 */
const PHRASES: ReadonlyArray<readonly [CsvField, readonly string[]]> = [
  ['elapsed', ['elapsed time', 'elapsed', 'time elapsed', 'elapsed time total', 'seconds', 'secs', 'sec', 'minutes', 'mins', 'verstrichene zeit', 'zeit seit start', 'laufzeit', 'temps ecoule', 'tiempo transcurrido', 'tempo trascorso', 'verstreken tijd', 'tempo decorrido', 'tiempo', 'tempo', 'temps', 'l sec']],
  ['time', ['time', 'timestamp', 'date time', 'datetime', 'zeit', 'uhrzeit', 'zeitstempel', 'datum zeit', 'datum uhrzeit', 'heure', 'horodatage', 'date heure', 'hora', 'marca de tiempo', 'fecha hora', 'ora', 'orario', 'data ora', 'tijd', 'tijdstip', 'datum tijd', 'data hora', 'start', 'start time', 'start date', 'activity date', 'begin', 'startzeit', 'beginn', 'debut', 'date de debut', 'heure de debut', 'inicio', 'fecha de inicio', 'hora de inicio', 'inizio', 'ora di inizio', 'data di inizio', 'starttijd', 'begintijd', 'data de inicio', 'hora de inicio']],
  ['date', ['date', 'datum', 'fecha', 'data', 'dia', 'day', 'tag', 'jour', 'giorno', 'dag']],
  ['timeOfDay', ['time of day', 'clock time', 'tageszeit', 'heure du jour', 'hora del dia', 'ora del giorno']],
  ['heartRate', ['heart rate', 'heartrate', 'hr', 'hrate', 'pulse', 'puls', 'herzfrequenz', 'herzfreq', 'hf', 'frequence cardiaque', 'freq cardiaque', 'fc', 'frecuencia cardiaca', 'frec cardiaca', 'pulso', 'frequenza cardiaca', 'battito cardiaco', 'battiti', 'hartslag', 'hartfrequentie', 'frequencia cardiaca', 'bpm']],
  ['speed', ['speed', 'velocity', 'geschwindigkeit', 'geschw', 'vitesse', 'velocidad', 'velocita', 'snelheid', 'velocidade', 'km h', 'mph', 'kph']],
  ['pace', ['pace', 'allure', 'ritmo', 'passo', 'min km', 'min mi']],
  ['distance', ['distance', 'distances', 'dist', 'total distance', 'gesamtstrecke', 'gesamtdistanz', 'distance totale', 'distancia total', 'distanza totale', 'totale afstand', 'strecke', 'distanz', 'entfernung', 'weg', 'distancia', 'distanza', 'afstand', 'km', 'miles', 'meters', 'metres']],
  ['cadence', ['cadence', 'cad', 'trittfrequenz', 'kadenz', 'schrittfrequenz', 'frequence de pedalage', 'cadencia', 'cadenza', 'cadans', 'trapfrequentie', 'rpm', 'stroke rate', 'spm', 'run cadence', 'schlagzahl', 'steps per minute', 'step rate']],
  ['power', ['power', 'watts', 'watt', 'leistung', 'puissance', 'potencia', 'potenza', 'vermogen']],
  ['altitude', ['altitude', 'elevation', 'ele', 'alt', 'hohe', 'hoehe', 'hm', 'altitud', 'elevacion', 'altitudine', 'quota', 'hoogte', 'altura', 'elevacao']],
  ['latitude', ['latitude', 'lat', 'breitengrad', 'breite', 'latitud', 'latitudine', 'breedtegraad', 'breedte', 'position lat']],
  ['longitude', ['longitude', 'lon', 'lng', 'long', 'langengrad', 'lange', 'longitud', 'longitudine', 'lengtegraad', 'lengte', 'position long']],
  ['temperature', ['temperature', 'temperatures', 'temp', 'temperatur', 'temperatura', 'temperatuur', 'atemp']],
  ['lap', ['lap', 'laps', 'lap number', 'lap marker', 'lap nr', 'interval', 'intervall', 'runde', 'tour', 'vuelta', 'giro', 'ronde', 'volta']],
  ['sport', ['sport', 'activity type', 'type', 'sport type', 'activity', 'sportart', 'aktivitatstyp', 'aktivitat', 'type d activite', 'activite', 'tipo de actividad', 'actividad', 'deporte', 'tipo di attivita', 'attivita', 'activiteitstype', 'activiteit', 'tipo de atividade', 'atividade', 'esporte', 'disziplin']],
  ['name', ['name', 'activity name', 'title', 'titel', 'nom', 'titre', 'nombre', 'titulo', 'nome', 'titolo', 'naam', 'workout name', 'bezeichnung']],
  ['notes', ['notes', 'note', 'description', 'activity description', 'comment', 'comments', 'notizen', 'beschreibung', 'kommentar', 'remarques', 'commentaire', 'notas', 'descripcion', 'comentarios', 'descrizione', 'commenti', 'notities', 'opmerkingen', 'beschrijving', 'descricao', 'activity private note']],
  ['duration', ['duration', 'total time', 'dauer', 'gesamtzeit', 'duree', 'duracion', 'durata', 'duur', 'duracao', 'tempo total', 'tiempo total', 'tempo totale', 'totale tijd', 'temps total']],
  ['movingTime', ['moving time', 'bewegungszeit', 'zeit in bewegung', 'temps de deplacement', 'temps en mouvement', 'tiempo en movimiento', 'tempo in movimento', 'beweegtijd', 'tempo em movimento']],
  ['calories', ['calories', 'kcal', 'calories burned', 'energy', 'kalorien', 'energie', 'calorias', 'calorie', 'calorieen', 'verbrande calorieen']],
  ['ascent', ['elevation gain', 'ascent', 'total ascent', 'climb', 'anstieg', 'aufstieg', 'gesamtanstieg', 'hohenmeter', 'hohenmeter bergauf', 'denivele positif', 'ascension', 'desnivel positivo', 'ascenso', 'dislivello positivo', 'salita', 'stijging', 'totale stijging', 'hoogtemeters', 'ganho de elevacao', 'subida', 'subida total']],
  ['descent', ['elevation loss', 'descent', 'total descent', 'abstieg', 'gesamtabstieg', 'hohenmeter bergab', 'denivele negatif', 'descente', 'desnivel negativo', 'descenso', 'dislivello negativo', 'discesa', 'daling', 'totale daling', 'perda de elevacao', 'descida']],
  ['id', ['activity id', 'id']],
];

const EXACT: ReadonlyMap<string, CsvField> = (() => {
  const map = new Map<string, CsvField>();
  for (const [field, phrases] of PHRASES) for (const p of phrases) if (!map.has(p)) map.set(p, field);
  return map;
})();

const BY_LENGTH: ReadonlyArray<readonly [string, CsvField]> = [...EXACT].sort((a, b) => b[0].length - a[0].length);

export type Modifier = 'avg' | 'max' | 'min';

const MODIFIERS: ReadonlyMap<string, Modifier> = new Map([
  ...['avg', 'average', 'mean', 'ave', 'ø', 'durchschnitt', 'durchschnittliche', 'durchschnittlicher', 'durchschn', 'mittel', 'mittlere', 'moyenne', 'moy', 'moyen', 'promedio', 'media', 'medio', 'med', 'gemiddelde', 'gemiddeld', 'gem'].map((k) => [k, 'avg'] as const),
  ...['max', 'maximum', 'maximal', 'maximale', 'maximaler', 'maxima', 'maximo', 'massima', 'massimo', 'maximaal', 'hochste', 'top'].map((k) => [k, 'max'] as const),
  ...['min', 'minimum', 'minimal', 'minimale', 'minimo', 'minima'].map((k) => [k, 'min'] as const),
]);

const STOPWORDS = new Set(['de', 'di', 'da', 'do', 'del', 'della', 'der', 'die', 'das', 'des', 'du', 'la', 'le', 'el', 'of', 'the', 'van', 'het', 'en']);

/** Words after a matched phrase that say the column is something else (`distance per stroke`, `power zone`). */
const DISQUALIFIERS = new Set([
  'stroke', 'zone', 'zones', 'left', 'right', 'balance', 'smooth', 'calc', 'calculated', 'target', 'peak', 'grade', 'slope', 'wind', 'torque',
  'percent', 'pct', 'index', 'effort', 'estimated', 'relative', 'normalized', 'weighted', 'threshold', 'ftp', 'weight', 'id', 'reserve',
  'recovery', 'training', 'load', 'variability', 'goal', 'accuracy', 'error', 'sensor', 'source', 'zone', 'gear', 'count', 'file', 'filename',
]);

/** A modifier + base field → the summary field it names (`avg` + `heartRate` → `heartRateAvg`). */
const SUMMARY_OF: Readonly<Record<string, SummaryField>> = {
  'avg:heartRate': 'heartRateAvg',
  'max:heartRate': 'heartRateMax',
  'avg:speed': 'speedAvg',
  'max:speed': 'speedMax',
  'avg:pace': 'paceAvg',
  'avg:cadence': 'cadenceAvg',
  'max:cadence': 'cadenceMax',
  'avg:power': 'powerAvg',
  'max:power': 'powerMax',
};

export interface HeaderInfo {
  /** The header as written (trimmed). */
  text: string;
  /** The folded name without unit and modifier, for messages and the mapping. */
  key: string;
  /** What the column holds; undefined when we do not know. */
  field?: CsvField;
  /** The base field before a modifier turned it into a summary field, or the field itself. */
  base?: CsvField;
  modifier?: Modifier;
  /** Unit text found in the header (`km/h`), known or not. */
  unitText?: string;
  unit?: Unit;
}

/** Header text → folded words: camelCase split, punctuation to spaces. */
export function foldHeader(text: string): string {
  return foldText(text.replace(/([a-z])([A-Z])/g, '$1 $2'))
    .replace(/[^a-z0-9ø%]+/g, ' ')
    .trim();
}

/** Splits `Speed (km/h)`, `Velocity [km/h]`, `Weight, kg` and `Speed km/h` into name and unit text. */
export function splitUnit(text: string): { name: string; unitText?: string } {
  const bracket = /^(.*?)\s*[([]([^)\]]*)[)\]]\s*(.*)$/.exec(text);
  if (bracket && (bracket[1] as string).trim().length > 0) {
    const rest = `${bracket[1] as string} ${bracket[3] as string}`.trim();
    return { name: rest, unitText: (bracket[2] as string).trim() };
  }
  const comma = /^(.*?),\s*([^,]+)$/.exec(text);
  if (comma && unitOf(comma[2])) return { name: (comma[1] as string).trim(), unitText: (comma[2] as string).trim() };
  const words = text.trim().split(/\s+/);
  const last = words[words.length - 1];
  if (words.length > 1 && last !== undefined && last.length > 1 && unitOf(last) && !MODIFIERS.has(foldText(last).replace(/\.$/, ''))) {
    return { name: words.slice(0, -1).join(' '), unitText: last };
  }
  return { name: text.trim() };
}

/** Unit-only headers (`Km/h`, `Watts`, `Minutes`): the unit says the field. */
const UNIT_FIELD: Partial<Record<UnitDimension, CsvField>> = {
  speed: 'speed',
  pace: 'pace',
  power: 'power',
  energy: 'calories',
};

/** What one header says about its column. */
export function analyzeHeader(raw: string): HeaderInfo {
  const text = raw.trim().replace(/^"|"$/g, '').trim();
  const info: HeaderInfo = { text, key: foldHeader(text) };
  if (text.length === 0 || text.length > 120) return info;
  const whole = unitOf(text);
  let { name, unitText } = splitUnit(text);
  if (unitText !== undefined && !/[([,]/.test(text) && matchWords(name).field === undefined) {
    // `Average Watts`: the last word is the field, not a unit.
    name = text;
    unitText = undefined;
  }
  if (unitText !== undefined) {
    info.unitText = unitText;
    const unit = unitOf(unitText);
    if (unit) info.unit = unit;
  }
  const matched = matchWords(name);
  const modifier = matched.modifier;
  info.key = matched.key;
  let field = matched.field;
  if (whole && unitText === undefined) {
    // The header is only a unit (`Km/h`, `Watts`, `Minutes`): the unit says what it is.
    info.unit = whole;
    field ??= UNIT_FIELD[whole.dimension];
  }
  if (field === undefined) return info;
  field = fitUnit(field, info.unit);
  const expected = FIELD_UNITS[field]?.dimension;
  if (info.unit && (!expected || info.unit.dimension !== expected)) delete info.unit; // `HR` is not hours
  info.base = field;
  if (modifier) {
    info.modifier = modifier;
    const summary = SUMMARY_OF[`${modifier}:${field}`];
    info.field = summary ?? 'ignore';
    return info;
  }
  info.field = field;
  return info;
}

/** The field named by a header without its unit: modifier words taken out, then the phrase table. */
function matchWords(name: string): { key: string; field?: CsvField; modifier?: Modifier } {
  let modifier: Modifier | undefined;
  const words: string[] = [];
  for (const w of foldHeader(name).split(' ')) {
    if (w.length === 0) continue;
    const m = MODIFIERS.get(w);
    if (m && modifier === undefined) modifier = m;
    else if (!STOPWORDS.has(w)) words.push(w);
  }
  const key = words.join(' ');
  const field = EXACT.get(key) ?? prefixMatch(words);
  return field === undefined ? { key, modifier } : { key, field, modifier };
}

/** The longest phrase that starts the header's words, unless a later word disqualifies it. */
function prefixMatch(words: string[]): CsvField | undefined {
  const key = words.join(' ');
  for (const [phrase, field] of BY_LENGTH) {
    if (!key.startsWith(`${phrase} `)) continue;
    const rest = key.slice(phrase.length + 1).split(' ');
    if (rest.some((w) => DISQUALIFIERS.has(w))) return undefined;
    return field;
  }
  return undefined;
}

/** A speed header with a pace unit is a pace (`Speed (min/km)`), and the other way round. */
function fitUnit(field: CsvField, unit: Unit | undefined): CsvField {
  if (!unit) return field;
  if (field === 'speed' && unit.dimension === 'pace') return 'pace';
  if (field === 'pace' && unit.dimension === 'speed') return 'speed';
  if ((field === 'elapsed' || field === 'time' || field === 'duration') && (unit.dimension === 'pace' || unit.dimension === 'speed')) return unit.dimension; // `Tempo (min/km)`
  if ((field === 'time' || field === 'duration') && unit.dimension === 'time') return field === 'time' ? 'elapsed' : field;
  return field;
}
