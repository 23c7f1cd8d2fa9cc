import { describe, expect, it } from 'vitest';
import { validateWorkout } from '@optimo-import/workout';
import type { FormatId } from '@optimo-import/workout';
import { DEFAULT_LIMITS, PARSERS, detectFormat, isParseError, parseWorkout, sha256Hex } from '../src/index.js';
import type { FormatParser } from '../src/index.js';
import { fuzzSeeds } from './fuzz-seeds.js';

/** The checks every format parser passes; a new driver joins by being in PARSERS. */
const seeds = fuzzSeeds();
const fixturesOf = (format: FormatId): Uint8Array[] => seeds[format] ?? [];

function conformance(parser: FormatParser): void {
  const own = fixturesOf(parser.format);
  it('has fixtures', () => expect(own.length).toBeGreaterThan(0));
  it('detects its own fixtures and parses them into valid workouts', () => {
    for (const bytes of own) {
      expect(parser.detect(bytes)).toBe(true);
      expect(detectFormat(bytes, 'no-extension')).toBe(parser.format);
      const workouts = parser.parse(bytes, { fileName: 'x', sha256: sha256Hex(bytes), limits: DEFAULT_LIMITS });
      expect(workouts.length).toBeGreaterThan(0);
      for (const w of workouts) {
        expect(w.source.format).toBe(parser.format);
        expect(w.source.sha256).toBe(sha256Hex(bytes));
        expect(validateWorkout(w)).toEqual([]);
      }
    }
  });
  it("does not claim any other format's fixtures", () => {
    for (const other of PARSERS.filter((p) => p !== parser)) {
      for (const bytes of fixturesOf(other.format)) expect(parser.detect(bytes)).toBe(false);
    }
  });
  it('never throws from detect, even on nothing or noise', () => {
    for (const bytes of [new Uint8Array(0), new Uint8Array(3), Uint8Array.from({ length: 512 }, (_, i) => (i * 37) & 0xff)]) {
      expect(() => parser.detect(bytes)).not.toThrow();
      expect(parser.detect(bytes)).toBe(false);
    }
  });
  it('throws a ParseError naming the file and the format for a truncated file with nothing usable', () => {
    const bytes = own[0]!.subarray(0, 16);
    try {
      parser.parse(bytes, { fileName: 'cut.bin', sha256: sha256Hex(bytes), limits: DEFAULT_LIMITS });
      expect.fail('expected a ParseError');
    } catch (error) {
      expect(isParseError(error)).toBe(true);
      expect((error as Error).message).toContain('cut.bin');
      expect((error as Error).message).toContain(`[${parser.format}]`);
    }
  });
}

describe.each(PARSERS.map((p) => [p.format, p] as const))('parser conformance: %s', (_format, parser) => conformance(parser));

describe('registry', () => {
  it('detects by content, not by extension', () => {
    const fit = fixturesOf('fit')[0]!;
    const gpx = fixturesOf('gpx')[0]!;
    expect(detectFormat(fit, 'looks-like.gpx')).toBe('fit');
    expect(detectFormat(gpx, 'looks-like.fit')).toBe('gpx');
    expect(parseWorkout(gpx, { fileName: 'misnamed.fit' })[0]?.source.format).toBe('gpx');
  });
  it('names the file and the supported formats when nothing recognises it', () => {
    expect(() => parseWorkout(new TextEncoder().encode('just text'), { fileName: 'notes.txt' })).toThrow(/notes\.txt.*not a workout file.*fit, tcx, gpx/);
  });
  it('refuses an unknown time zone option', () => {
    expect(() => parseWorkout(fixturesOf('gpx')[0]!, { timeZone: 'Mars/Olympus' })).toThrow(RangeError);
  });
});
