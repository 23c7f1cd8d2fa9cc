import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildCsvBytes, buildGpxBytes, buildHrmBytes, buildPwxBytes, buildTcxBytes, buildTwelveHourRide } from '@optimo-import/fixtures';
import type { BenchFormat } from './contender.js';
import type { BenchFile } from './files.js';
import { toBenchFile } from './files.js';
import { RESULTS_DIR } from './paths.js';

/** A generated input and the fixture builder call that makes it. */
interface GeneratedSpec {
  format: BenchFormat;
  fileName: string;
  builder: string;
  build: () => Uint8Array;
  note: string;
}

/** The 12-hour 1 Hz ride with every channel: the file the memory aim is judged on. */
export const TWELVE_HOUR_FILE = 'generated-12h-1hz-ride.fit';

/** Moving time of the generated TCX and GPX: sports-lib already needs seconds per parse at this length. */
const LONG_XML_SECONDS = 4 * 3600;
const ONE_PAUSE = [{ atSeconds: 2 * 3600, durationSeconds: 600 }];
/** HRM, PWX and CSV have no slow library to wait for: twelve hours, like the FIT of the memory aim. */
const TWELVE_HOURS = 12 * 3600;

const SPECS: readonly GeneratedSpec[] = [
  {
    format: 'fit',
    fileName: TWELVE_HOUR_FILE,
    builder: 'buildTwelveHourRide',
    build: () => buildTwelveHourRide(),
    note: 'generated: 12 h at 1 Hz, every channel',
  },
  {
    format: 'tcx',
    fileName: 'generated-4h-1hz-ride.tcx',
    builder: 'buildTcxBytes',
    build: () => buildTcxBytes({ sport: 'Biking', durationSeconds: LONG_XML_SECONDS, laps: 4, pauses: ONE_PAUSE, seed: 1 }),
    note: 'generated: 4 h at 1 Hz, position, altitude, distance, HR, cadence, speed, power',
  },
  {
    format: 'gpx',
    fileName: 'generated-4h-1hz-ride.gpx',
    builder: 'buildGpxBytes',
    build: () =>
      buildGpxBytes({
        sport: 'cycling',
        durationSeconds: LONG_XML_SECONDS,
        channels: { elevation: true, heartRate: true, cadence: true, temperature: true, speed: true, power: true },
        pauses: ONE_PAUSE,
        seed: 1,
      }),
    note: 'generated: 4 h at 1 Hz, elevation, HR, cadence, temperature, speed, power',
  },
  {
    format: 'hrm',
    fileName: 'generated-12h-1s-ride.hrm',
    builder: 'buildHrmBytes',
    build: () =>
      buildHrmBytes({
        version: 106,
        channels: { speed: true, cadence: true, altitude: true, power: true, balance: true, pedallingIndex: true, cycling: true },
        intervalSeconds: 1,
        durationSeconds: TWELVE_HOURS,
        laps: 12,
      }),
    note: 'generated: HRM 1.06, 12 h at 1 s, HR, speed, cadence, altitude, power, balance and pedalling index, 12 laps',
  },
  {
    format: 'pwx',
    fileName: 'generated-12h-1hz-ride.pwx',
    builder: 'buildPwxBytes',
    build: () => buildPwxBytes({ style: 'ipbike', durationSeconds: TWELVE_HOURS, laps: 12, seed: 1 }),
    note: 'generated: IpBike PWX, 12 h at 1 Hz, HR, speed, power, cadence, distance, position, altitude, temperature, 12 segments',
  },
  {
    format: 'csv',
    fileName: 'generated-12h-1hz-ride.csv',
    builder: 'buildCsvBytes',
    build: () =>
      buildCsvBytes({
        sport: 'Biking',
        durationSeconds: TWELVE_HOURS,
        time: 'iso',
        channels: ['heartRate', 'speed', 'distance', 'cadence', 'power', 'altitude', 'position', 'temperature'],
        seed: 1,
      }),
    note: 'generated: sample rows, 12 h at 1 Hz, ISO times, HR, speed, distance, cadence, power, altitude, position, temperature',
  },
];

/**
 * Builds the generated inputs with the project's fixture builders and writes them under
 * bench/results/generated, where the memory runs read them. `only` picks some by file name.
 */
export function buildGeneratedFiles(log: (line: string) => void, only: (fileName: string) => boolean = () => true): BenchFile[] {
  const dir = join(RESULTS_DIR, 'generated');
  mkdirSync(dir, { recursive: true });
  const files: BenchFile[] = [];
  for (const spec of SPECS.filter((s) => only(s.fileName))) {
    const started = performance.now();
    const bytes = spec.build();
    const path = join(dir, spec.fileName);
    writeFileSync(path, bytes);
    log(`[bench] built ${spec.fileName} with ${spec.builder}() in ${((performance.now() - started) / 1000).toFixed(1)} s: ${bytes.length.toLocaleString('en-US')} bytes`);
    files.push(toBenchFile(path, spec.format, 'generated', [spec.note]));
  }
  return files;
}
