import { statSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import type { FormatId } from '@optimo-import/workout';
import { buildFitActivity, buildGpxBytes, buildTcxBytes, buildZip } from '@optimo-import/fixtures';
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
  return { fit, tcx, gpx, containers };
}
