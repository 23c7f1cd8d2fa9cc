/**
 * Entry of one memory run, in a fresh `node --expose-gc --trace-gc` process started by
 * memory.ts: loads one contender and one file, settles the heap, takes the baseline, resets the
 * kernel's peak-RSS mark, parses once, and prints what it saw. Lines on stdout:
 * `@@bench-begin`, V8's GC trace lines, `@@bench-end`, then `@@bench-result <json>`.
 */
import { readFileSync, writeFileSync, writeSync } from 'node:fs';
import { basename } from 'node:path';
import type { BenchFormat } from './contender.js';
import { describeFailure, runParse } from './contender.js';
import { contenderById } from './contenders.js';
import type { ChildReport } from './memory-report.js';
import { BEGIN, END, RESULT } from './memory-report.js';

const [contenderId = '', path = '', format = 'fit'] = process.argv.slice(2);
const contender = contenderById(contenderId);
if (!contender) throw new RangeError(`[bench] memory child: unknown contender "${contenderId}"`);
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('[bench] memory child: run with --expose-gc');

const loaded = await contender.load();
const input = { name: basename(path), format: format as BenchFormat, bytes: new Uint8Array(readFileSync(path)) };
gc();
gc();
const base = process.memoryUsage();
const peakRssReset = resetPeakRss();
const baseHwm = readPeakRssBytes();
writeSync(1, `${BEGIN}\n`);
const started = performance.now();
let kept: unknown;
let failure: string | undefined;
try {
  kept = await runParse(loaded, input);
} catch (error) {
  failure = describeFailure(error);
}
const parseMs = performance.now() - started;
const after = process.memoryUsage();
const peakRss = readPeakRssBytes();
writeSync(1, `${END}\n`);
if (!failure) failure = loaded.inspect(kept).failure;
gc();
gc();
const retainedHeapBytes = process.memoryUsage().heapUsed - base.heapUsed;
const report: ChildReport = {
  contenderId,
  parseMs,
  baseRssBytes: base.rss,
  baseHeapBytes: base.heapUsed,
  endHeapBytes: after.heapUsed,
  peakRssBytes: peakRss,
  baselinePeakRssBytes: baseHwm,
  peakRssReset,
  retainedHeapBytes,
  keptType: typeof kept,
  ...(failure ? { failure } : {}),
};
writeSync(1, `${RESULT} ${JSON.stringify(report)}\n`);

/** Linux: writing 5 to /proc/self/clear_refs resets VmHWM (the peak RSS) to the current RSS. */
function resetPeakRss(): boolean {
  try {
    writeFileSync('/proc/self/clear_refs', '5');
    return true;
  } catch {
    return false; // not Linux, or not allowed: the peak then includes start-up (reported as such)
  }
}

/** VmHWM from /proc/self/status in bytes: the kernel's exact high-water mark of RSS. */
function readPeakRssBytes(): number | undefined {
  try {
    const match = /VmHWM:\s+(\d+)\s+kB/.exec(readFileSync('/proc/self/status', 'utf8'));
    return match ? Number(match[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}
