import { describe, expect, it } from 'vitest';
import { parseProcStatCpuMs, parseProcStatus, readProcCpuMs, readProcMemory } from './proc-stats.js';

describe('parseProcStatus', () => {
  it('reads the peak and the current resident set, in bytes', () => {
    const text = 'Name:\tnode\nVmPeak:\t 1100000 kB\nVmHWM:\t  183456 kB\nVmRSS:\t  150000 kB\nThreads:\t11\n';
    expect(parseProcStatus(text)).toEqual({ peakRssBytes: 183_456 * 1024, rssBytes: 150_000 * 1024 });
  });

  it('gives undefined when a line is missing (a kernel thread, another OS)', () => {
    expect(parseProcStatus('Name:\tkthreadd\nState:\tS (sleeping)\n')).toBeUndefined();
  });
});

describe('parseProcStatCpuMs', () => {
  it('adds utime and stime, whatever the name in parentheses holds', () => {
    const fields = ['S', '1', '2', '3', '0', '-1', '4194560', '100', '0', '0', '0', '250', '50', '0', '0'];
    expect(parseProcStatCpuMs(`4242 (node (a) b) ${fields.join(' ')}`)).toBe(3000);
  });
});

describe.runIf(process.platform === 'linux')('on this process', () => {
  it('reads its own memory and CPU', () => {
    const memory = readProcMemory(process.pid);
    expect(memory?.peakRssBytes).toBeGreaterThanOrEqual(memory?.rssBytes ?? Infinity);
    expect(readProcCpuMs(process.pid)).toBeGreaterThan(0);
    expect(readProcMemory(2 ** 22 + 1)).toBeUndefined();
  });
});
