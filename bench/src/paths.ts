import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The bench package folder (bench/). */
export const BENCH_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '..');
/** The repository root. */
export const REPO_DIR = resolve(BENCH_DIR, '..');
/** The shared corpus, a sibling of the repository (see STYLE.md: read in place, never copied). */
export const CORPUS_DIR = resolve(REPO_DIR, '../shared/corpus');
/** Generated inputs and raw results; git-ignored. */
export const RESULTS_DIR = resolve(BENCH_DIR, 'results');
export const DOCS_FILE = resolve(REPO_DIR, 'docs/benchmarks.md');
