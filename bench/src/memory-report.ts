/** Markers and the report shared by memory.ts (parent) and memory-child.ts. */
export const BEGIN = '@@bench-begin';
export const END = '@@bench-end';
export const RESULT = '@@bench-result';

export interface ChildReport {
  contenderId: string;
  parseMs: number;
  baseRssBytes: number;
  baseHeapBytes: number;
  /** heapUsed right after the parse, before any forced GC. */
  endHeapBytes: number;
  /** VmHWM after the parse; undefined where /proc is missing. */
  peakRssBytes?: number;
  /** VmHWM right after the reset (equals the RSS then). */
  baselinePeakRssBytes?: number;
  /** Whether the peak-RSS mark could be reset at the baseline. */
  peakRssReset: boolean;
  /** Heap still used after two forced GCs with the result kept: the size of the output. */
  retainedHeapBytes: number;
  keptType: string;
  failure?: string;
}

/** One "before" heap size per GC in a `--trace-gc` line, e.g. `Scavenge 3.8 (4.0) -> 3.4 (5.0) MB`. */
const GC_LINE = /:\s+[A-Za-z-]+(?: \([a-z ]+\))?\s+([\d.]+)\s+\([\d.]+\)\s+->\s+[\d.]+\s+\([\d.]+\)\s+MB/;

/** Heap sizes in bytes seen just before each GC between the markers. */
export function heapSizesBeforeGc(stdout: string): number[] {
  const lines = stdout.split('\n');
  const begin = lines.indexOf(BEGIN);
  const end = lines.indexOf(END);
  if (begin < 0 || end < begin) return [];
  const sizes: number[] = [];
  for (const line of lines.slice(begin + 1, end)) {
    const match = GC_LINE.exec(line);
    if (match) sizes.push(Number(match[1]) * 1024 * 1024);
  }
  return sizes;
}

export function parseChildReport(stdout: string): ChildReport | undefined {
  const line = stdout.split('\n').find((l) => l.startsWith(`${RESULT} `));
  return line ? (JSON.parse(line.slice(RESULT.length + 1)) as ChildReport) : undefined;
}
