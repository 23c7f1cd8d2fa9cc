import { copyFileSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildFitActivity } from '@optimo-import/fixtures';
import { describe, expect, it } from 'vitest';
import { collectPipelineCorpus } from './pipeline-corpus.js';

describe('collectPipelineCorpus', () => {
  it('takes every file that gives a workout, once, and says what it left out', () => {
    const root = mkdtempSync(join(tmpdir(), 'bench-pipeline-corpus-'));
    for (const folder of ['fit', 'gpx', 'perf']) mkdirSync(join(root, folder));
    writeFileSync(join(root, 'fit', 'ride.fit'), buildFitActivity({ durationSeconds: 60 }));
    writeFileSync(join(root, 'fit', 'SOURCES.md'), '# sources\n');
    copyFileSync(join(root, 'fit', 'ride.fit'), join(root, 'perf', 'ride-copy.fit'));
    writeFileSync(join(root, 'gpx', 'empty.gpx'), '<?xml version="1.0"?><gpx version="1.1" creator="t"></gpx>');
    const corpus = collectPipelineCorpus(root, ['fit', 'tcx', 'gpx', 'perf']);
    expect(corpus.files.map((f) => f.label)).toEqual(['fit/ride.fit']);
    expect(corpus.files[0]).toMatchObject({ workouts: 1, samples: 60, entriesLeftOut: 0 });
    expect(corpus.files[0]?.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(corpus.copies).toEqual(['perf/ride-copy.fit = fit/ride.fit']);
    expect(corpus.unusable).toHaveLength(1);
    expect(corpus.unusable[0]).toMatch(/^gpx\/empty\.gpx \(/);
    expect(corpus.skipped).toEqual(['corpus/tcx not found']);
    expect(corpus.workouts).toBe(1);
  });

  it('says so when there is no corpus', () => {
    expect(collectPipelineCorpus(join(tmpdir(), 'no-such-corpus-here'), ['fit']).skipped[0]).toMatch(/not found: no corpus to import/);
  });
});
