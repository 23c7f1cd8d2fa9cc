import { readFileSync, writeFileSync } from 'node:fs';

export const RESULTS_START = '<!-- bench:results:start (written by `pnpm bench`; edit the text above, not this block) -->';
export const RESULTS_END = '<!-- bench:results:end -->';

/**
 * Replaces what lies between the result markers of the benchmarks page, keeping the method
 * text around them. A page without the markers gets them appended at its end.
 */
export function writeResultsIntoDocs(path: string, block: string): void {
  let page: string;
  try {
    page = readFileSync(path, 'utf8');
  } catch (error) {
    throw new Error(`[bench] cannot read ${path}: the method text lives there`, { cause: error });
  }
  const start = page.indexOf(RESULTS_START);
  const end = page.indexOf(RESULTS_END);
  const body = `${RESULTS_START}\n\n${block.trim()}\n\n${RESULTS_END}`;
  const next = start >= 0 && end > start ? page.slice(0, start) + body + page.slice(end + RESULTS_END.length) : `${page.trimEnd()}\n\n${body}\n`;
  writeFileSync(path, next);
}
