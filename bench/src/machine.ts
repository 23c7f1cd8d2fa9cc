import { arch, cpus, loadavg, platform, release, totalmem } from 'node:os';

export interface MachineInfo {
  node: string;
  v8: string;
  os: string;
  cpu: string;
  cores: number;
  memoryGb: number;
  /** One-minute load average when the run started and when it ended: other work on the machine. */
  loadAtStart: number;
  loadAtEnd?: number;
}

export function describeMachine(): MachineInfo {
  const list = cpus();
  return {
    node: process.version,
    v8: process.versions.v8,
    os: `${platform()} ${arch()} ${release()}`,
    cpu: list[0]?.model.replace(/\s+/g, ' ').trim() ?? 'unknown CPU',
    cores: list.length,
    memoryGb: Math.round((totalmem() / 1024 ** 3) * 10) / 10,
    loadAtStart: currentLoad(),
  };
}

/** The one-minute load average (0 where the OS has none). */
export function currentLoad(): number {
  return Math.round((loadavg()[0] ?? 0) * 10) / 10;
}

export function formatMachine(m: MachineInfo): string {
  const load = m.loadAtEnd === undefined ? `load ${m.loadAtStart}` : `load average ${m.loadAtStart} at the start, ${m.loadAtEnd} at the end`;
  return `Node ${m.node} (V8 ${m.v8}) on ${m.os}, ${m.cores} × ${m.cpu}, ${m.memoryGb} GiB RAM, ${load}`;
}
