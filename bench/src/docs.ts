import { readFileSync, writeFileSync } from 'node:fs';

/** The start and end comments around one block of results in docs/benchmarks.md. */
export interface DocsMarkers {
  start: string;
  end: string;
}

export const RESULTS_START = '<!-- bench:results:start (written by `pnpm bench`; edit the text above, not this block) -->';
export const RESULTS_END = '<!-- bench:results:end -->';

/** The parse race (the page's first results block). */
export const PARSE_MARKERS: DocsMarkers = { start: RESULTS_START, end: RESULTS_END };
export const MAPPER_MARKERS: DocsMarkers = {
  start: '<!-- bench:mapper:start (written by `pnpm bench`; edit the text above, not this block) -->',
  end: '<!-- bench:mapper:end -->',
};
export const SANDBOX_MARKERS: DocsMarkers = {
  start: '<!-- bench:sandbox:start (written by `pnpm bench`; edit the text above, not this block) -->',
  end: '<!-- bench:sandbox:end -->',
};
export const UPLOADER_MARKERS: DocsMarkers = {
  start: '<!-- bench:uploader:start (written by `pnpm bench`; edit the text above, not this block) -->',
  end: '<!-- bench:uploader:end -->',
};
export const PIPELINE_MARKERS: DocsMarkers = {
  start: '<!-- bench:pipeline:start (written by `pnpm bench`; edit the text above, not this block) -->',
  end: '<!-- bench:pipeline:end -->',
};

/**
 * Replaces what lies between the result markers of the benchmarks page, keeping the method
 * text around them. A page without the markers gets them appended at its end.
 */
export function writeResultsIntoDocs(path: string, block: string, markers: DocsMarkers = PARSE_MARKERS): void {
  let page: string;
  try {
    page = readFileSync(path, 'utf8');
  } catch (error) {
    throw new Error(`[bench] cannot read ${path}: the method text lives there`, { cause: error });
  }
  const start = page.indexOf(markers.start);
  const end = page.indexOf(markers.end, start < 0 ? 0 : start);
  const body = `${markers.start}\n\n${block.trim()}\n\n${markers.end}`;
  const next = start >= 0 && end > start ? page.slice(0, start) + body + page.slice(end + markers.end.length) : `${page.trimEnd()}\n\n${body}\n`;
  writeFileSync(path, next);
}
