import { describe, expect, it } from 'vitest';
import { BEGIN, END, heapSizesBeforeGc, parseChildReport, RESULT } from './memory-report.js';

const trace = [
  '[1:0x1]       16 ms: Scavenge 3.8 (4.0) -> 3.4 (5.0) MB, 0.96 / 0.00 ms  (average mu = 1.000, current mu = 1.000) allocation failure; ',
  BEGIN,
  '[1:0x1]       20 ms: Scavenge 12.5 (14.0) -> 9.0 (15.0) MB, 0.96 / 0.00 ms  (average mu = 1.000, current mu = 1.000) allocation failure; ',
  '[1:0x1]       40 ms: Mark-Compact (reduce) 30.0 (33.0) -> 20.0 (25.0) MB, 2.33 / 0.00 ms  (average mu = 1.000, current mu = 1.000) testing; GC in old space requested',
  END,
  '[1:0x1]       50 ms: Mark-Compact 99.0 (100.0) -> 2.6 (5.0) MB, 2.33 / 0.00 ms  (average mu = 1.000, current mu = 1.000) testing; GC in old space requested',
  `${RESULT} {"contenderId":"ours","parseMs":1.5}`,
].join('\n');

describe('heapSizesBeforeGc', () => {
  it('reads the heap size before each GC between the markers only', () => {
    expect(heapSizesBeforeGc(trace)).toEqual([12.5 * 1024 * 1024, 30 * 1024 * 1024]);
  });

  it('finds nothing without markers', () => {
    expect(heapSizesBeforeGc('no markers here')).toEqual([]);
  });
});

describe('parseChildReport', () => {
  it('reads the JSON result line', () => {
    expect(parseChildReport(trace)).toMatchObject({ contenderId: 'ours', parseMs: 1.5 });
    expect(parseChildReport('nothing')).toBeUndefined();
  });
});
