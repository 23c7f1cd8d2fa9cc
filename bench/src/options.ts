/**
 * Command-line options of `pnpm bench`.
 *
 * | flag | default | behaviour |
 * | --- | --- | --- |
 * | `--quick` | off | 3 timed rounds, the largest real file of each format and the 12-hour FIT, memory on the 12-hour FIT only; results are printed, docs/benchmarks.md is left alone unless `--write` |
 * | `--rounds N` | 5 (3 with `--quick`) | timed rounds per file, the median of them reported; given, it lifts the per-file time budget |
 * | `--warmup N` | 1 | untimed rounds after the first (also untimed) parse, alternating like the timed ones |
 * | `--filter TEXT` | none | only files whose name contains TEXT (docs are not written) |
 * | `--no-memory` | memory on | skip the child-process memory runs |
 * | `--only LIST` | all sections | run only these sections (comma-separated, or the flag repeated): `parse`, `mapper`, `sandbox`, `uploader`, `pipeline` |
 * | `--write` / `--no-write` | write on a full run | write each section that ran into its own block of docs/benchmarks.md |
 *
 * `--quick` also shortens the mapper rounds (3), the sandbox runs and the uploader's limiter
 * and upload runs (half the count and time of each), and imports the corpus without perf/ in the
 * pipeline section; `--rounds`, `--warmup` and `--filter` apply to the mapper's inputs as to the
 * parse files (the uploader section takes neither; the pipeline section takes `--rounds` as the
 * number of times each mode imports the corpus, and `--warmup` for its in-process reference). `--only` alone is not a partial run: each section writes only its own block.
 */
export interface BenchOptions {
  quick: boolean;
  rounds: number;
  warmup: number;
  filter?: string;
  memory: boolean;
  write: boolean;
  /** The sections to run, in the canonical order. */
  sections: BenchSection[];
  /**
   * Without `--rounds`, a file whose rounds would take longer than this gets fewer of them
   * (never fewer than 3), to keep the parse section of the default run under three minutes on two cores.
   */
  fileBudgetSeconds: number;
}

/** The parts of `pnpm bench`, in the order a full run takes them. */
export const BENCH_SECTIONS = ['parse', 'mapper', 'sandbox', 'uploader', 'pipeline'] as const;
export type BenchSection = (typeof BENCH_SECTIONS)[number];

export const USAGE = `usage: pnpm bench [--only ${BENCH_SECTIONS.join('|')}[,…]] [--quick] [--rounds N] [--warmup N] [--filter TEXT] [--no-memory] [--write | --no-write]`;

export function parseBenchArgs(argv: readonly string[]): BenchOptions {
  const args = argv.filter((a) => a !== '--');
  const quick = args.includes('--quick');
  let rounds = quick ? 3 : 5;
  let roundsGiven = false;
  let warmup = 1;
  let filter: string | undefined;
  let memory = true;
  let write: boolean | undefined;
  let only: Set<BenchSection> | undefined;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === '--quick') continue;
    else if (arg === '--rounds') {
      rounds = readCount(arg, args[++i], 1);
      roundsGiven = true;
    }
    else if (arg === '--warmup') warmup = readCount(arg, args[++i], 0);
    else if (arg === '--filter') filter = readText(arg, args[++i]);
    else if (arg === '--no-memory') memory = false;
    else if (arg === '--write') write = true;
    else if (arg === '--no-write') write = false;
    else if (arg === '--only') {
      only ??= new Set();
      for (const name of readText(arg, args[++i]).split(',')) only.add(readSection(name.trim()));
    }
    else throw new RangeError(`[bench] unknown argument "${arg}"; ${USAGE}`);
  }
  const sections = BENCH_SECTIONS.filter((section) => !only || only.has(section));
  const partial = quick || filter !== undefined || (!memory && sections.includes('parse'));
  return { quick, rounds, warmup, filter, memory, write: write ?? !partial, sections, fileBudgetSeconds: roundsGiven ? Infinity : quick ? 8 : 12 };
}

function readSection(name: string): BenchSection {
  const section = BENCH_SECTIONS.find((s) => s === name);
  if (!section) throw new RangeError(`[bench] --only takes ${BENCH_SECTIONS.join(', ')} (comma-separated), got "${name}"; ${USAGE}`);
  return section;
}

function readCount(flag: string, value: string | undefined, min: number): number {
  const n = Number(value);
  if (value === undefined || !Number.isInteger(n) || n < min || n > 1000) {
    throw new RangeError(`[bench] ${flag} needs a whole number from ${min} to 1000, got "${value ?? ''}"; ${USAGE}`);
  }
  return n;
}

function readText(flag: string, value: string | undefined): string {
  if (!value || value.startsWith('--')) throw new RangeError(`[bench] ${flag} needs a value; ${USAGE}`);
  return value;
}
