import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { RESULTS_END, RESULTS_START, writeResultsIntoDocs } from './docs.js';

describe('writeResultsIntoDocs', () => {
  it('replaces only what lies between the markers', () => {
    const path = join(mkdtempSync(join(tmpdir(), 'bench-docs-')), 'benchmarks.md');
    writeFileSync(path, `# Method\n\n${RESULTS_START}\nold\n${RESULTS_END}\n\nafter\n`);
    writeResultsIntoDocs(path, 'new tables');
    expect(readFileSync(path, 'utf8')).toBe(`# Method\n\n${RESULTS_START}\n\nnew tables\n\n${RESULTS_END}\n\nafter\n`);
  });

  it('appends the markers to a page that has none', () => {
    const path = join(mkdtempSync(join(tmpdir(), 'bench-docs-')), 'benchmarks.md');
    writeFileSync(path, '# Method\n');
    writeResultsIntoDocs(path, 'tables');
    expect(readFileSync(path, 'utf8')).toBe(`# Method\n\n${RESULTS_START}\n\ntables\n\n${RESULTS_END}\n`);
  });
});
