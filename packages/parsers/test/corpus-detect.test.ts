/**
 * Detection over every corpus file: each file is claimed by its own format's parser and by no
 * other (`detect` of every parser is asked, not only the registry's first match), containers are
 * recognised as containers, and the files that are no workout of a format we read are claimed by
 * nobody. Skips, saying so, when ../shared/corpus is absent.
 */
import { basename } from 'node:path';
import { describe, expect, it } from 'vitest';
import { containerKind, PARSERS } from '../src/index.js';
import { CORPUS_ROOT, corpusDir, corpusFiles, readBytes } from './corpus.js';

/** Corpus folder → the format whose parser must claim its files (by extension where folders mix). */
function expectedFormat(folder: string, name: string): string | undefined {
  const ext = name.toLowerCase().replace(/\.gz$/, '').split('.').pop();
  if (ext === 'zip' || name.toLowerCase().endsWith('.gz')) return 'container';
  if (folder === 'hrm') return ext === 'hrm' ? 'polar-hrm' : undefined; // .pdd: a day file, no workout
  if (folder === 'timex' || folder === 'pwx') return 'pwx';
  if (folder === 'polar-xml') return 'polar-xml';
  if (folder === 'polar-json') return 'polar-json';
  if (folder === 'polar-csv') return 'polar-csv';
  if (folder === 'csv') return 'csv'; // the Wattbike .txt too: the CSV parser names what it is and why it cannot import it
  if (ext === 'fit') return 'fit';
  if (ext === 'tcx') return 'tcx';
  if (ext === 'gpx') return 'gpx';
  return undefined;
}

const FOLDERS = ['fit', 'tcx', 'gpx', 'hrm', 'polar-xml', 'polar-csv', 'polar-json', 'pwx', 'timex', 'csv', 'perf'];

describe.skipIf(corpusDir('fit') === undefined)(`detection over the corpus (${CORPUS_ROOT})`, () => {
  for (const folder of FOLDERS) {
    const files = corpusFiles(folder);
    if (files.length === 0) continue;
    it(`${folder}/: every file is claimed by its own parser and by no other`, () => {
      for (const file of files) {
        const bytes = readBytes(file);
        const want = expectedFormat(folder, basename(file));
        const claims = PARSERS.filter((parser) => parser.detect(bytes)).map((parser) => parser.format);
        if (want === 'container') {
          expect(containerKind(bytes), file).toBeDefined();
          expect(claims, file).toEqual([]);
        } else expect(claims, file).toEqual(want === undefined ? [] : [want]);
      }
    });
  }
  it('bad/: no parser claims a file of another format', () => {
    for (const file of corpusFiles('bad')) {
      const bytes = readBytes(file);
      const claims = PARSERS.filter((parser) => parser.detect(bytes)).map((parser) => parser.format);
      const ext = basename(file).split('.').pop();
      if (ext === 'zip') expect(claims, file).toEqual([]);
      else expect(claims.every((format) => format === ext), `${file}: ${claims.join(', ')}`).toBe(true);
      expect(claims.length, file).toBeLessThanOrEqual(1);
    }
  });
});
