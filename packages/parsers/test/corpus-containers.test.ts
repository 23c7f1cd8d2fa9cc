import { basename } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseFile, parseWorkout } from '../src/index.js';
import { validateWorkout } from '@optimo-import/workout';
import { corpusFiles, readBytes } from './corpus.js';

/** The .gz and .zip files of the corpus, read through the container layer. */
const files = [...corpusFiles('fit'), ...corpusFiles('gpx'), ...corpusFiles('tcx')].filter((f) => /\.(gz|zip)$/i.test(f));
if (files.length === 0) console.warn('corpus-containers: no .gz/.zip corpus files on this machine; skipping');

describe.skipIf(files.length === 0)('corpus: containers', () => {
  it.each(files.map((f) => [basename(f), f]))('%s imports every entry', (name, path) => {
    const results = parseFile(readBytes(path), { fileName: name });
    const ok = results.filter((r) => r.status === 'ok');
    expect(results.filter((r) => r.status === 'failed')).toEqual([]);
    expect(ok.length).toBeGreaterThan(0);
    for (const r of ok) {
      if (r.status !== 'ok') continue;
      if (name.endsWith('.zip')) expect(r.name.startsWith(`${name}!`)).toBe(true);
      for (const w of r.workouts) {
        expect(validateWorkout(w)).toEqual([]);
        expect(w.source.fileName).toBe(r.name);
      }
    }
  });

  it('reads a Strava-style .fit.gz the same as the FIT inside it', () => {
    const path = files.find((f) => f.endsWith('gc__14582164182.fit.gz'));
    if (!path) return;
    const [w] = parseWorkout(readBytes(path), { fileName: 'ride.fit.gz' });
    expect(w?.source.format).toBe('fit');
    expect(w?.source.fileName).toBe('ride.fit');
    expect(w?.sport).toBe('cycling');
  });

  it('skips the stray non-workout file in a batch zip and imports the three GPX', () => {
    const path = files.find((f) => f.endsWith('fittrackee__gpx_test.zip'));
    if (!path) return;
    const results = parseFile(readBytes(path), { fileName: 'gpx_test.zip' });
    expect(results.filter((r) => r.status === 'ok')).toHaveLength(3);
    expect(results.filter((r) => r.status === 'skipped').map((r) => r.name)).toEqual([expect.stringMatching(/fichier\.doc$/)]);
  });
});
