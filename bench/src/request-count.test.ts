import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { buildFitActivity, buildTcxBytes } from '@optimo-import/fixtures';
import { MAX_BODY_BYTES } from '@optimo-import/mapper';
import { parseWorkout } from '@optimo-import/parsers';
import { describe, expect, it } from 'vitest';
import { withoutSamples } from './bench-workouts.js';
import { countCorpusRequests, countOne, explainRequests, requestFloor } from './request-count.js';

/** The counting of the uploader benchmark on a small corpus of its own, timing nothing. */
describe('countCorpusRequests', () => {
  it('reads every folder with parseFile, counts copies once and says what the parsers refused', () => {
    const root = mkdtempSync(join(tmpdir(), 'bench-corpus-'));
    const fit = buildFitActivity({ sport: 'cycling', durationSeconds: 600 });
    for (const folder of ['fit', 'tcx', 'perf', 'hrm']) mkdirSync(join(root, folder));
    writeFileSync(join(root, 'fit', 'ride.fit'), fit);
    writeFileSync(join(root, 'fit', 'ride.fit.gz'), gzipSync(fit));
    writeFileSync(join(root, 'tcx', 'run.tcx'), buildTcxBytes({ sport: 'Running', durationSeconds: 600, seed: 1 }));
    writeFileSync(join(root, 'perf', 'copy.fit'), fit);
    writeFileSync(join(root, 'perf', 'SOURCES.md'), '# sources\n');
    writeFileSync(join(root, 'hrm', 'polar.hrm'), '[Params]\nVersion=106\n');

    const run = countCorpusRequests(root, () => undefined);
    expect(run.workouts).toBe(3);
    expect(run.requests).toBe(3);
    expect(run.mismatches).toBe(0);
    expect(run.notable).toEqual([]);
    expect(run.duplicates).toEqual(['perf/copy.fit = fit/ride.fit']);
    expect(run.skipped).toEqual(['corpus/gpx not found', 'corpus/bad not found']);
    expect(run.folders.map((f) => f.folder)).toEqual(['fit', 'tcx', 'perf', 'hrm']);
    expect(run.folders.find((f) => f.folder === 'perf')).toMatchObject({ files: 1, duplicates: 1, workouts: 0 });
    expect(run.folders.find((f) => f.folder === 'hrm')).toMatchObject({ files: 1, entriesFailed: 1, failureCodes: ['corrupt ×1'], workouts: 0 });
    expect(run.twelveHour).toMatchObject({ samples: 43_200, requests: 2 });
    expect(run.twelveHour?.fullBodyBytes).toBeGreaterThan(MAX_BODY_BYTES);
  });

  it('reports a missing corpus instead of failing', () => {
    const run = countCorpusRequests(join(tmpdir(), 'no-such-corpus-folder'), () => undefined);
    expect(run.folders).toEqual([]);
    expect(run.skipped[0]).toMatch(/not found/);
  });
});

describe('countOne and its explanation', () => {
  it('gives the body size only where it is needed, and explains requests above one', () => {
    const ride = parseWorkout(buildFitActivity({ sport: 'cycling', durationSeconds: 60 }), { fileName: 'ride.fit' })[0];
    if (!ride) throw new Error('no workout');
    const small = countOne('small', withoutSamples(ride), false);
    expect(small).toMatchObject({ requests: 1, samples: 0 });
    expect(small.fullBodyBytes).toBeUndefined();
    expect(countOne('detailed', ride, true).fullBodyBytes).toBeGreaterThan(0);
    expect(explainRequests({ name: 'big', samples: 99_998, channels: 8, requests: 3, fullBodyBytes: 22_889_231, baseBytes: 776 })).toBe(
      '99,998 samples × 8 channels, about 229 bytes each: one body would be 21.83 MiB, over the 10 MiB cap; the fewest its size allows',
    );
    expect(explainRequests({ name: 'odd', samples: 10, channels: 1, requests: 2, fullBodyBytes: 5000, baseBytes: 1000 })).toMatch(/no known reason/);
    expect(explainRequests({ name: 'bad', samples: 0, channels: 0, failure: 'no-start-time' })).toBe('not countable: no-start-time');
    expect(requestFloor(MAX_BODY_BYTES)).toBe(1);
    expect(requestFloor(MAX_BODY_BYTES + 1)).toBe(2);
  });
});
