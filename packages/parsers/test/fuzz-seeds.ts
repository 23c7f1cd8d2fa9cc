import { statSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import type { FormatId } from '@optimo-import/workout';
import {
  buildCsvBytes,
  buildCsvSummaryBytes,
  buildFitActivity,
  buildGpxBytes,
  buildHrmBytes,
  buildPolarCsvBytes,
  buildPolarJsonBytes,
  buildPolarXmlBytes,
  buildPwxBytes,
  buildRs200XmlBytes,
  buildTcxBytes,
  buildZip,
} from '@optimo-import/fixtures';
import { corpusFiles, readBytes } from './corpus.js';
import { GPX_SEED, TCX_SEED, utf8 } from './seeds.js';

/** Small corpus files (read in place when the corpus is there) join the built seeds. */
function smallCorpus(folder: string, pattern: RegExp, maxBytes = 12_000): Uint8Array[] {
  return corpusFiles(folder)
    .filter((f) => pattern.test(f) && statSync(f).size <= maxBytes && statSync(f).size > 0)
    .map(readBytes);
}

/** Seeds per format, and containers, for the mutation fuzzer. */
export function fuzzSeeds(): Partial<Record<FormatId | 'containers', Uint8Array[]>> {
  const fit = [
    buildFitActivity({ durationSeconds: 60, channels: ['hr', 'speed', 'cadence', 'power', 'altitude', 'position', 'distance', 'temperature'], laps: 2 }),
    buildFitActivity({ sport: 'running', durationSeconds: 40, pauses: [{ startSeconds: 10, durationSeconds: 5 }], developerFields: {} }),
    buildFitActivity({ sessions: [{ sport: 'cycling', durationSeconds: 30 }, { sport: 'running', durationSeconds: 20 }] }),
    buildFitActivity({ pool: { poolLengthMeters: 25, lengths: [{ durationSeconds: 30 }, { durationSeconds: 20, idle: true }, { durationSeconds: 31 }] } }),
    ...smallCorpus('fit', /\.fit$/),
  ];
  const tcx = [
    utf8(TCX_SEED),
    buildTcxBytes({ durationSeconds: 30, laps: 2, pauses: [{ atSeconds: 10, durationSeconds: 5 }] }),
    buildTcxBytes({ activities: [{ durationSeconds: 10 }, { durationSeconds: 10, sport: 'Biking' }], multisport: true }),
    ...smallCorpus('tcx', /\.tcx$/),
  ];
  // (bike-tour-track_only.gpx has no times: it must fail, so it is no seed of a valid GPX)
  const gpx = [utf8(GPX_SEED), buildGpxBytes({ durationSeconds: 30, pauses: [{ atSeconds: 10, durationSeconds: 5 }] }), ...smallCorpus('gpx', /\.gpx$/).filter((b) => new TextDecoder().decode(b).includes('<time>'))];
  const containers = [
    buildZip([
      { name: 'a.fit', bytes: fit[0]! },
      { name: 'b.tcx', bytes: tcx[0]! },
      { name: 'c.gpx.gz', bytes: gzipSync(gpx[0]!) },
    ]),
    gzipSync(fit[1]!),
    ...smallCorpus('gpx', /\.zip$/),
  ];
  const polarHrm = [buildHrmBytes({ durationSeconds: 60 }), buildHrmBytes({ durationSeconds: 40, units: 'us' }), buildHrmBytes({ rr: true, durationSeconds: 30 }), ...smallCorpus('hrm', /\.hrm$/, 8_000)];
  const polarXml = [buildPolarXmlBytes({ durationSeconds: 60 }), buildPolarXmlBytes({ exercises: [{ durationSeconds: 20 }, { durationSeconds: 30 }] }), buildRs200XmlBytes(), ...smallCorpus('polar-xml', /\.(xml|ped)$/)];
  const polarJson = [buildPolarJsonBytes({ durationSeconds: 60 }), buildPolarJsonBytes({ exercises: [{ durationSeconds: 20 }, { durationSeconds: 30 }] })];
  const pwx = [buildPwxBytes({ style: 'global-trainer', durationSeconds: 40, laps: 2 }), buildPwxBytes({ style: 'run-trainer', durationSeconds: 40 }), buildPwxBytes({ style: 'ipbike', durationSeconds: 30 }), ...smallCorpus('pwx', /\.pwx$/)];
  const polarCsv = [buildPolarCsvBytes(), buildPolarCsvBytes({ power: true, dateFormat: 'DD.MM.YYYY' }), ...smallCorpus('polar-csv', /\.csv$/)];
  const csv = [
    buildCsvBytes({ durationSeconds: 20, time: 'iso' }),
    buildCsvBytes({ durationSeconds: 20, language: 'de', delimiter: ';', decimal: ',', encoding: 'windows-1252', time: 'local' }),
    buildCsvSummaryBytes({ rows: [{ startTime: Date.UTC(2024, 4, 1, 7), durationSeconds: 3600, distanceMeters: 30000 }] }),
    ...smallCorpus('csv', /\.csv$/i),
  ];
  return { fit, tcx, gpx, 'polar-hrm': polarHrm, 'polar-xml': polarXml, 'polar-json': polarJson, pwx, 'polar-csv': polarCsv, csv, containers };
}
