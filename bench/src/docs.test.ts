import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MAPPER_MARKERS, RESULTS_END, RESULTS_START, SANDBOX_MARKERS, writeResultsIntoDocs } from './docs.js';

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

describe('writeResultsIntoDocs with several blocks', () => {
  it('replaces one section and leaves the others as they were', () => {
    const path = join(mkdtempSync(join(tmpdir(), 'bench-docs-')), 'benchmarks.md');
    const page = `# Method\n\n${RESULTS_START}\nparse\n${RESULTS_END}\n\n## Mapper\n\n${MAPPER_MARKERS.start}\nold mapper\n${MAPPER_MARKERS.end}\n\n## Sandbox\n\n${SANDBOX_MARKERS.start}\nold sandbox\n${SANDBOX_MARKERS.end}\n`;
    writeFileSync(path, page);
    writeResultsIntoDocs(path, 'new mapper', MAPPER_MARKERS);
    expect(readFileSync(path, 'utf8')).toBe(page.replace('\nold mapper\n', '\n\nnew mapper\n\n'));
  });
});
