import { basename } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isParseError, parseFile } from '../src/index.js';
import { validateWorkout } from '@optimo-import/workout';
import { corpusDir, corpusFiles, readBytes } from './corpus.js';

/**
 * Every file in ../shared/corpus/bad ends in a ParseError or in workouts with warnings:
 * never an uncaught exception, never a hang (vitest's timeout bounds each file).
 */
const files = corpusFiles('bad');
if (!corpusDir('bad')) console.warn('corpus-bad: ../shared/corpus/bad is absent on this machine; skipping');

/** What each bad file must come to (the code, or 'ok' with the warning codes it must carry). */
const EXPECTED: Record<string, string | { ok: string[] }> = {
  'sportslib__empty-sessions.fit': 'no-data',
  'gc__MetadataOnly.gpx': 'no-data',
  'fittrackee__gpx_test_no_gpx.zip': 'no-data',
  'fitparse__activity-filecrc.fit': { ok: ['crc-mismatch'] },
};

describe.skipIf(files.length === 0)('corpus: bad files', () => {
  it.each(files.map((f) => [basename(f), f]))('%s fails cleanly or imports with warnings', (name, path) => {
    const results = parseFile(readBytes(path), { fileName: name });
    expect(results.length).toBeGreaterThan(0);
    for (const r of results) {
      if (r.status === 'failed') {
        expect(isParseError(r.error)).toBe(true);
        expect(r.error.internal ?? false, r.error.message).toBe(false);
        expect(r.error.message).toContain(name);
      } else if (r.status === 'ok') {
        for (const w of r.workouts) expect(validateWorkout(w)).toEqual([]);
      }
    }
    const expected = EXPECTED[name];
    if (typeof expected === 'string') {
      expect(results.map((r) => (r.status === 'failed' ? r.error.code : r.status))).toContain(expected);
    } else if (expected) {
      const ok = results.find((r) => r.status === 'ok');
      expect(ok?.status).toBe('ok');
      const codes = ok?.status === 'ok' ? ok.workouts.flatMap((w) => w.warnings.map((x) => x.code)) : [];
      for (const code of expected.ok) expect(codes).toContain(code);
    }
  });

  it('imports the good half of a zip with one valid and one invalid GPX', () => {
    const path = files.find((f) => f.endsWith('gpx_test_incorrect.zip'));
    if (!path) return expect.fail('fittrackee__gpx_test_incorrect.zip missing from the corpus');
    const results = parseFile(readBytes(path), { fileName: 'x.zip' });
    expect(results.filter((r) => r.status === 'ok')).toHaveLength(1);
    expect(results.filter((r) => r.status === 'failed')).toHaveLength(1);
  });
});
