import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildGpxBytes, buildTcxBytes, buildTwelveHourRide } from '@optimo-import/fixtures';
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
