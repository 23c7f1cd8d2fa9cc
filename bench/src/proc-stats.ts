/**
 * Memory and CPU of another process, read from Linux's /proc: what the pipeline benchmark knows
 * of the worker processes it starts. Elsewhere (no /proc, or the process gone) every read gives
 * undefined rather than a guess.
 */
import { readFileSync } from 'node:fs';

export interface ProcMemory {
  /** VmHWM: the process's peak resident set so far. */
  peakRssBytes: number;
  /** VmRSS: its resident set now. */
  rssBytes: number;
}

/** Clock ticks per second of /proc/<pid>/stat's times (USER_HZ: 100 on Linux x86-64 and arm64). */
const CLOCK_TICKS_PER_SECOND = 100;

/** VmHWM and VmRSS of `pid` from /proc/<pid>/status. */
export function readProcMemory(pid: number): ProcMemory | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/status`, 'utf8');
  } catch {
    return undefined;
  }
  return parseProcStatus(text);
}

/** The two lines of a /proc/<pid>/status text (`VmHWM:   123456 kB`); undefined when either is missing. */
export function parseProcStatus(text: string): ProcMemory | undefined {
  const kilobytes = (field: string): number | undefined => {
    const match = new RegExp(`^${field}:\\s+(\\d+) kB$`, 'm').exec(text);
    return match ? Number(match[1]) * 1024 : undefined;
  };
  const peak = kilobytes('VmHWM');
  const rss = kilobytes('VmRSS');
  return peak === undefined || rss === undefined ? undefined : { peakRssBytes: peak, rssBytes: rss };
}

/** User + system CPU time (ms) `pid` has used, from /proc/<pid>/stat; 10 ms resolution. */
export function readProcCpuMs(pid: number): number | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  return parseProcStatCpuMs(text);
}

/** utime + stime (fields 14 and 15) of a /proc/<pid>/stat line, in ms. The name in parentheses may hold spaces. */
export function parseProcStatCpuMs(text: string): number | undefined {
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  // fields[0] is field 3 (state), so field n is fields[n - 3].
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  if (!Number.isFinite(utime) || !Number.isFinite(stime)) return undefined;
  return ((utime + stime) * 1000) / CLOCK_TICKS_PER_SECOND;
}

/**
 * Reads a process's memory and CPU every `everyMs` until stopped, keeping the last values seen:
 * VmHWM only grows, so the last read before the process ends holds its peak, short only of a
 * peak in its last `everyMs`.
 */
export function watchProcess(pid: number, everyMs: number): { last(): { memory?: ProcMemory; cpuMs?: number; firstRssBytes?: number }; stop(): void } {
  let memory: ProcMemory | undefined;
  let cpuMs: number | undefined;
  let firstRssBytes: number | undefined;
  const read = (): void => {
    const m = readProcMemory(pid);
    if (m === undefined) return;
    memory = m;
    firstRssBytes ??= m.rssBytes;
    cpuMs = readProcCpuMs(pid) ?? cpuMs;
  };
  read();
  const timer = setInterval(read, everyMs);
  return {
    last: () => ({ ...(memory === undefined ? {} : { memory }), ...(cpuMs === undefined ? {} : { cpuMs }), ...(firstRssBytes === undefined ? {} : { firstRssBytes }) }),
    stop: () => clearInterval(timer),
  };
}
