import { describe, expect, it } from 'vitest';
import { analyzeHeader } from './headers.js';

/** [header, field, unit] — the languages and vendor spellings the table must read. */
const CASES: readonly (readonly [string, string | undefined, string?])[] = [
  // English and vendor spellings
  ['Time', 'time'],
  ['Elapsed time total [s]', 'elapsed', 's'],
  ['Minutes', 'elapsed', 'min'],
  ['Heart rate [1/min]', 'heartRate', '1/min'],
  ['HR (bpm)', 'heartRate', 'bpm'],
  ['HR', 'heartRate'],
  ['Hrate', 'heartRate'],
  ['Speed (mph)', 'speed', 'mph'],
  ['Km/h', 'speed', 'km/h'],
  ['Velocity [km/h]', 'speed', 'km/h'],
  ['Pace (min/km)', 'pace', 'min/km'],
  ['Distance (miles)', 'distance', 'mi'],
  ['Km', 'distance', 'km'],
  ['Cadence (RPM)', 'cadence', 'rpm'],
  ['stroke_rate', 'cadence'],
  ['Watts', 'power', 'W'],
  ['Power per revolution [W]', 'power', 'W'],
  ['Elevation (feet)', 'altitude', 'ft'],
  ['Temperature (degF)', 'temperature', '°F'],
  ['Temperatures (C)', 'temperature', '°C'],
  ['Latitude', 'latitude'],
  ['Longitude', 'longitude'],
  ['Lap Marker', 'lap'],
  ['timestamp_epoch', 'time'],
  ['HeartRate', 'heartRate'],
  // German
  ['Zeit', 'time'],
  ['Herzfrequenz (bpm)', 'heartRate', 'bpm'],
  ['Geschwindigkeit (km/h)', 'speed', 'km/h'],
  ['Strecke (km)', 'distance', 'km'],
  ['Trittfrequenz', 'cadence'],
  ['Leistung (W)', 'power', 'W'],
  ['Höhe (m)', 'altitude', 'm'],
  ['HÖHE', 'altitude'],
  ['PULS', 'heartRate'],
  ['Temperatur (°C)', 'temperature', '°C'],
  ['Ø Herzfrequenz', 'heartRateAvg'],
  ['Max. HF', 'heartRateMax'],
  // French
  ['Temps écoulé', 'elapsed'],
  ['Fréquence cardiaque moyenne', 'heartRateAvg'],
  ['Vitesse max (km/h)', 'speedMax', 'km/h'],
  ['Allure (min/km)', 'pace', 'min/km'],
  ['Puissance', 'power'],
  ['Dénivelé positif', 'ascent'],
  // Spanish
  ['Frecuencia cardíaca (ppm)', 'heartRate', 'bpm'],
  ['Velocidad', 'speed'],
  ['Distancia (km)', 'distance', 'km'],
  ['Cadencia', 'cadence'],
  ['Potencia', 'power'],
  // Italian
  ['Frequenza cardiaca', 'heartRate'],
  ['Velocità (km/h)', 'speed', 'km/h'],
  ['Distanza', 'distance'],
  ['Potenza (W)', 'power', 'W'],
  ['Altitudine', 'altitude'],
  // Dutch
  ['Hartslag', 'heartRate'],
  ['Snelheid (km/u)', 'speed', 'km/h'],
  ['Afstand', 'distance'],
  ['Vermogen', 'power'],
  ['Tempo (min/km)', 'pace', 'min/km'],
  // Portuguese
  ['Frequência cardíaca', 'heartRate'],
  ['Velocidade', 'speed'],
  ['Distância', 'distance'],
  ['Potência', 'power'],
  ['Tempo decorrido', 'elapsed'],
  // summary columns
  ['Activity Date', 'time'],
  ['Activity Type', 'sport'],
  ['Elapsed Time', 'elapsed'],
  ['Moving Time', 'movingTime'],
  ['Max Heart Rate', 'heartRateMax'],
  ['Average Watts', 'powerAvg'],
  ['Elevation Gain', 'ascent'],
  ['Calories', 'calories'],
  ['Dauer', 'duration'],
  ['Aktivitätstyp', 'sport'],
  // not channels
  ['Wind Speed (mph)', undefined],
  ['distance_per_stroke', undefined],
  ["Power Calc'd", undefined],
  ['Cad. Smooth', undefined],
  ['Torque per revolution [Nm]', undefined],
  ['Stride length (m)', undefined],
  ['Sample rate', undefined],
  ['Activity Gear', undefined],
  ['', undefined],
];

describe('analyzeHeader', () => {
  it.each(CASES)('%j → %s %s', (header, field, unit) => {
    const info = analyzeHeader(header as string);
    expect(info.field).toBe(field);
    if (unit !== undefined) expect(info.unit?.name).toBe(unit);
  });

  it('takes a modifier of a channel with no summary value as a column to ignore', () => {
    expect(analyzeHeader('Max Temperature').field).toBe('ignore');
    expect(analyzeHeader('avg_power').field).toBe('powerAvg');
  });

  it('keeps the unit text it does not know, and drops a unit of the wrong kind', () => {
    expect(analyzeHeader('Speed (furlongs)')).toMatchObject({ field: 'speed', unitText: 'furlongs' });
    expect(analyzeHeader('Speed (furlongs)').unit).toBeUndefined();
    expect(analyzeHeader('HR').unit).toBeUndefined();
  });
});
