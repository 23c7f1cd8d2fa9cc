/**
 * `pnpm bench`, in five sections (each also alone with `--only`):
 * - parse: races our parser against @garmin/fitsdk, fit-file-parser and sports-lib (and, as
 *   floors, fast-xml-parser for XML, csv-parse for CSV and a plain line scan for HRM) on the
 *   largest corpus files and generated long files, and measures peak memory in fresh processes;
 * - mapper: `planWorkoutUpload` throughput, and reading a large `workout.get` answer;
 * - sandbox: `workout.create` requests per second against apps/sandbox over HTTPS;
 * - uploader: the quota limiter's cost per token (memory, Redis), uploads per second through
 *   `uploadWorkout` against the sandbox, and requests per workout over the whole corpus;
 * - pipeline: files per second through the whole import (parse, map, upload) over the corpus by
 *   the queue with one and three real worker processes, the embedded mode and a naive script,
 *   and each process's peak memory.
 * Prints the tables and writes each section into its own block of docs/benchmarks.md.
 * Flags: see options.ts.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Contender, LoadedContender } from './contender.js';
import { describeFailure } from './contender.js';
import { CONTENDERS } from './contenders.js';
import type { DocsMarkers } from './docs.js';
import { MAPPER_MARKERS, PARSE_MARKERS, PIPELINE_MARKERS, SANDBOX_MARKERS, UPLOADER_MARKERS, writeResultsIntoDocs } from './docs.js';
import type { BenchFile } from './files.js';
import { discoverCorpusFiles, FORMAT_ORDER, sortBenchFiles } from './files.js';
import { formatMegabytes, formatMs } from './format.js';
import { buildGeneratedFiles, TWELVE_HOUR_FILE } from './generated.js';
import type { MachineInfo } from './machine.js';
import { currentLoad, describeMachine, formatMachine } from './machine.js';
import { runMapperBench } from './mapper-bench.js';
import { formatMapperResults } from './mapper-report.js';
import type { MemoryResult } from './memory.js';
import { measureMemoryAll } from './memory.js';
import type { BenchOptions } from './options.js';
import { parseBenchArgs } from './options.js';
import { DOCS_FILE, RESULTS_DIR } from './paths.js';
import { runPipelineBench } from './pipeline-bench.js';
import { formatPipelineResults } from './pipeline-report.js';
import { findCountMismatches, formatResults } from './report.js';
import type { BenchRun, ContenderInfo } from './results.js';
import { toFileInfo } from './results.js';
import { runSandboxBench } from './sandbox-bench.js';
import { formatSandboxResults } from './sandbox-report.js';
import { measureFileSpeed } from './speed.js';
import { runUploaderBench } from './uploader-bench.js';
import { formatUploaderResults } from './uploader-report.js';

const log = (line: string): void => console.log(line);
/** Memory runs side by side: each is its own process, so this changes no memory figure. */
const MEMORY_CONCURRENCY = 2;

/** A section's outcome: the printed and written block, and the raw run for bench/results. */
interface SectionOutput {
  block: string;
  markers: DocsMarkers;
  jsonFile: string;
  run: unknown;
}

async function main(): Promise<number> {
  let options: BenchOptions;
  try {
    options = parseBenchArgs(process.argv.slice(2));
  } catch (error) {
    console.error(error instanceof Error ? error.message : String(error));
    return 2;
  }
  if (!(globalThis as { gc?: unknown }).gc) log('[bench] run without --expose-gc: no forced GC between samples');
  log(`[bench] ${formatMachine(describeMachine())}; sections: ${options.sections.join(', ')}`);
  mkdirSync(RESULTS_DIR, { recursive: true });
  let exitCode = 0;
  for (const section of options.sections) {
    const machine = describeMachine();
    let output: SectionOutput | undefined;
    try {
      if (section === 'parse') output = await runParseSection(options, machine);
      else if (section === 'mapper') {
        const run = await runMapperBench(options, machine, log);
        run.machine = { ...machine, loadAtEnd: currentLoad() };
        output = { block: formatMapperResults(run), markers: MAPPER_MARKERS, jsonFile: 'latest-mapper.json', run };
      } else if (section === 'sandbox') {
        const run = await runSandboxBench(options, machine, log);
        run.machine = { ...machine, loadAtEnd: currentLoad() };
        output = { block: formatSandboxResults(run), markers: SANDBOX_MARKERS, jsonFile: 'latest-sandbox.json', run };
      } else if (section === 'uploader') {
        const run = await runUploaderBench(options, machine, log);
        run.machine = { ...machine, loadAtEnd: currentLoad() };
        output = { block: formatUploaderResults(run), markers: UPLOADER_MARKERS, jsonFile: 'latest-uploader.json', run };
      } else {
        const run = await runPipelineBench(options, machine, log);
        run.machine = { ...machine, loadAtEnd: currentLoad() };
        output = { block: formatPipelineResults(run), markers: PIPELINE_MARKERS, jsonFile: 'latest-pipeline.json', run };
      }
    } catch (error) {
      console.error(`[bench] the ${section} section failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
      exitCode = 1;
      continue;
    }
    if (!output) {
      exitCode = 1;
      continue;
    }
    log(`\n${output.block}\n`);
    writeFileSync(join(RESULTS_DIR, output.jsonFile), `${JSON.stringify(output.run, (_, v: unknown) => (v === Infinity ? null : v), 2)}\n`);
    if (options.write) {
      writeResultsIntoDocs(DOCS_FILE, output.block, output.markers);
      log(`[bench] ${section} tables written into ${DOCS_FILE}`);
    } else {
      log(`[bench] docs/benchmarks.md left as it was for ${section} (partial run; add --write to write it anyway)`);
    }
  }
  return exitCode;
}

/** The parse race: speed of every contender on every file, then memory in fresh processes. */
async function runParseSection(options: BenchOptions, machine: MachineInfo): Promise<SectionOutput | undefined> {
  const startedAt = new Date();
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
    return undefined;
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
  return { block: formatResults(run), markers: PARSE_MARKERS, jsonFile: 'latest.json', run };
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

/** The 12-hour FIT and the largest other file of each format (generated or real). */
function pickMemoryFiles(files: readonly BenchFile[], quick: boolean): BenchFile[] {
  const twelve = files.filter((f) => f.name === TWELVE_HOUR_FILE);
  if (quick) return twelve.length ? twelve : files.slice(0, 1);
  const largest = FORMAT_ORDER.flatMap((format) =>
    files.filter((f) => f.format === format && f.name !== TWELVE_HOUR_FILE).sort((a, b) => b.bytes.length - a.bytes.length).slice(0, 1),
  );
  return [...twelve, ...largest];
}

process.exitCode = await main();
