import { execFile } from 'node:child_process';
import { join } from 'node:path';
import type { Contender } from './contender.js';
import type { BenchFile } from './files.js';
import { heapSizesBeforeGc, parseChildReport } from './memory-report.js';
import { BENCH_DIR } from './paths.js';

export interface MemoryResult {
  fileName: string;
  contenderId: string;
  /** Peak RSS during the parse minus the RSS at the baseline. */
  peakRssDeltaBytes?: number;
  /** False when the kernel's peak mark could not be reset: the peak then includes start-up. */
  peakRssExact: boolean;
  /** Largest heap seen (before any GC during the parse, or at its end) minus the baseline heap. */
  peakHeapDeltaBytes?: number;
  /** Heap the result still holds after forced GCs. */
  retainedHeapBytes?: number;
  gcCount: number;
  parseMs?: number;
  failure?: string;
}

const CHILD = join(BENCH_DIR, 'src', 'memory-child.ts');
const CHILD_TIMEOUT_MS = 180_000;

/**
 * Measures one contender on one file in a fresh Node process (`--expose-gc --trace-gc`, tsx as
 * the loader), so nothing from the speed runs or another library is in its heap. See
 * memory-child.ts for the steps inside.
 */
export async function measureMemory(file: BenchFile, contender: Contender): Promise<MemoryResult> {
  const empty = { fileName: file.name, contenderId: contender.id, peakRssExact: false, gcCount: 0 };
  let stdout: string;
  try {
    stdout = await runChild([contender.id, file.path, file.format]);
  } catch (error) {
    return { ...empty, failure: `memory run crashed: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}` };
  }
  const report = parseChildReport(stdout);
  if (!report) return { ...empty, failure: 'memory run printed no result' };
  const heapSizes = heapSizesBeforeGc(stdout);
  const peakHeap = Math.max(report.endHeapBytes, ...heapSizes);
  const rssBase = report.peakRssReset ? (report.baselinePeakRssBytes ?? report.baseRssBytes) : report.baseRssBytes;
  return {
    ...empty,
    peakRssDeltaBytes: report.peakRssBytes !== undefined ? Math.max(0, report.peakRssBytes - rssBase) : undefined,
    peakRssExact: report.peakRssReset && report.peakRssBytes !== undefined,
    peakHeapDeltaBytes: Math.max(0, peakHeap - report.baseHeapBytes),
    retainedHeapBytes: Math.max(0, report.retainedHeapBytes),
    gcCount: heapSizes.length,
    parseMs: report.parseMs,
    ...(report.failure ? { failure: report.failure } : {}),
  };
}

/**
 * Runs the memory measurements a few at a time (each in its own process, so running them side
 * by side changes no figure but the cold parse time), results in the order of the jobs.
 */
export async function measureMemoryAll(
  jobs: readonly { file: BenchFile; contender: Contender }[],
  concurrency: number,
  onResult: (result: MemoryResult) => void,
): Promise<MemoryResult[]> {
  const results: MemoryResult[] = new Array<MemoryResult>(jobs.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < jobs.length) {
      const index = next++;
      const job = jobs[index];
      if (!job) continue;
      const result = await measureMemory(job.file, job.contender);
      results[index] = result;
      onResult(result);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, concurrency) }, worker));
  return results;
}

function runChild(args: readonly string[]): Promise<string> {
  const nodeArgs = ['--expose-gc', '--trace-gc', '--import', 'tsx', CHILD, ...args];
  return new Promise((resolve, reject) => {
    execFile(process.execPath, nodeArgs, { cwd: BENCH_DIR, maxBuffer: 256 * 1024 * 1024, timeout: CHILD_TIMEOUT_MS }, (error, stdout, stderr) => {
      if (error) reject(new Error(`${error.message}\n${stderr.slice(-2000)}`, { cause: error }));
      else resolve(stdout);
    });
  });
}
