/**
 * `pnpm bench`: races our parser against @garmin/fitsdk, fit-file-parser and sports-lib (and
 * fast-xml-parser as a reference for XML) on the largest corpus files and generated long files,
 * measures peak memory in fresh processes, prints the tables and writes them into
 * docs/benchmarks.md. Flags: see options.ts.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Contender, LoadedContender } from './contender.js';
import { describeFailure } from './contender.js';
import { CONTENDERS } from './contenders.js';
import { writeResultsIntoDocs } from './docs.js';
import type { BenchFile } from './files.js';
import { discoverCorpusFiles, sortBenchFiles } from './files.js';
import { formatMegabytes, formatMs } from './format.js';
import { buildGeneratedFiles, TWELVE_HOUR_FILE } from './generated.js';
import { currentLoad, describeMachine, formatMachine } from './machine.js';
import type { MemoryResult } from './memory.js';
import { measureMemoryAll } from './memory.js';
import type { BenchOptions } from './options.js';
import { parseBenchArgs } from './options.js';
import { DOCS_FILE, RESULTS_DIR } from './paths.js';
import { findCountMismatches, formatResults } from './report.js';
import type { BenchRun, ContenderInfo } from './results.js';
import { toFileInfo } from './results.js';
import { measureFileSpeed } from './speed.js';

const log = (line: string): void => console.log(line);
/** Memory runs side by side: each is its own process, so this changes no memory figure. */
const MEMORY_CONCURRENCY = 2;

async function main(): Promise<number> {
  let options: BenchOptions;
  try {
    options = parseBenchArgs(process.argv.slice(2));
  } catch (error) {
    console.error(error instanceof Error ? error.message : String(error));
    return 2;
  }
  if (!(globalThis as { gc?: unknown }).gc) log('[bench] run without --expose-gc: no forced GC between samples');
  const startedAt = new Date();
  const machine = describeMachine();
  log(`[bench] ${formatMachine(machine)}`);

  const skipped: string[] = [];
  const note = (line: string): void => {
    log(line);
    skipped.push(line.replace(/^\[bench\] /, ''));
  };
  const { loaded, infos } = await loadContenders();
  const generated = buildGeneratedFiles(log, (name) => (options.filter ? name.includes(options.filter) : !options.quick || name === TWELVE_HOUR_FILE));
  const files = sortBenchFiles([...generated, ...discoverCorpusFiles({ ...options, log: note })]);
  if (!files.length) {
    console.error('[bench] no input files: nothing to measure');
    return 1;
  }

  const speed: BenchRun['speed'] = [];
  for (const file of files) {
    const started = performance.now();
    const racing = loaded.filter((c) => c.contender.formats.includes(file.format));
    const result = await measureFileSpeed(file, racing, { rounds: options.rounds, warmup: options.warmup, budgetSeconds: options.fileBudgetSeconds, minSampleMs: 10 });
    const line = result.results.map((r) => `${r.contenderId} ${r.failure ? 'fails' : `${formatMs(r.medianMs)} ms`}`).join(', ');
    const took = ((performance.now() - started) / 1000).toFixed(1);
    log(`[bench] ${file.name} (${file.bytes.length.toLocaleString('en-US')} B, ${result.rounds} rounds, ${took} s): ${line}`);
    speed.push({ file: toFileInfo(file), rounds: result.rounds, warmup: result.warmup, results: result.results });
  }

  let memory: MemoryResult[] = [];
  if (options.memory) {
    const jobs = pickMemoryFiles(files, options.quick).flatMap((file) =>
      loaded.filter((c) => c.contender.formats.includes(file.format)).map(({ contender }) => ({ file, contender })),
    );
    memory = await measureMemoryAll(jobs, MEMORY_CONCURRENCY, (m) => {
      const what = m.failure ? `fails: ${m.failure}` : `peak RSS +${formatMegabytes(m.peakRssDeltaBytes)} MB, heap +${formatMegabytes(m.peakHeapDeltaBytes)} MB`;
      log(`[bench] memory ${m.fileName} ${m.contenderId}: ${what}`);
    });
  }

  const run: BenchRun = {
    startedAt: startedAt.toISOString(),
    durationSeconds: (Date.now() - startedAt.getTime()) / 1000,
    machine: { ...machine, loadAtEnd: currentLoad() },
    options,
    contenders: infos,
    speed,
    memory,
    skipped,
  };
  for (const line of findCountMismatches(run)) log(`[bench] record count mismatch ${line.slice(2)}`);
  const block = formatResults(run);
  log(`\n${block}\n`);
  mkdirSync(RESULTS_DIR, { recursive: true });
  writeFileSync(join(RESULTS_DIR, 'latest.json'), `${JSON.stringify(run, (_, v: unknown) => (v === Infinity ? null : v), 2)}\n`);
  if (options.write) {
    writeResultsIntoDocs(DOCS_FILE, block);
    log(`[bench] tables written into ${DOCS_FILE}`);
  } else {
    log('[bench] docs/benchmarks.md left as it was (partial run; add --write to write it anyway)');
  }
  return 0;
}

async function loadContenders(): Promise<{ loaded: { contender: Contender; loaded: LoadedContender }[]; infos: ContenderInfo[] }> {
  const loaded: { contender: Contender; loaded: LoadedContender }[] = [];
  const infos: ContenderInfo[] = [];
  for (const contender of CONTENDERS) {
    const info: ContenderInfo = { id: contender.id, label: contender.label, role: contender.role, recordsMeaning: contender.recordsMeaning };
    try {
      loaded.push({ contender, loaded: await contender.load() });
    } catch (error) {
      info.loadFailure = describeFailure(error);
      log(`[bench] ${contender.label} could not be loaded (${info.loadFailure}): left out`);
    }
    infos.push(info);
  }
  return { loaded, infos };
}

/** The 12-hour file and the largest file of each format (generated or real). */
function pickMemoryFiles(files: readonly BenchFile[], quick: boolean): BenchFile[] {
  const twelve = files.filter((f) => f.name === TWELVE_HOUR_FILE);
  if (quick) return twelve.length ? twelve : files.slice(0, 1);
  const largest = (['fit', 'tcx', 'gpx'] as const).flatMap((format) =>
    files.filter((f) => f.format === format && f.name !== TWELVE_HOUR_FILE).sort((a, b) => b.bytes.length - a.bytes.length).slice(0, 1),
  );
  return [...twelve, ...largest];
}

process.exitCode = await main();
