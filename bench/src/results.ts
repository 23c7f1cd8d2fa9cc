import type { Contender } from './contender.js';
import type { BenchFile } from './files.js';
import type { MachineInfo } from './machine.js';
import type { MemoryResult } from './memory.js';
import type { BenchOptions } from './options.js';
import type { ContenderSpeed } from './speed.js';

/** A file as the report knows it (without its bytes). */
export interface FileInfo {
  name: string;
  format: BenchFile['format'];
  size: number;
  origin: BenchFile['origin'];
  notes: string[];
}

export interface ContenderInfo {
  id: string;
  label: string;
  role: Contender['role'];
  recordsMeaning: string;
  /** Set when the contender's library could not be loaded at all. */
  loadFailure?: string;
}

/** Everything one run measured; also written as JSON to bench/results/latest.json. */
export interface BenchRun {
  startedAt: string;
  durationSeconds: number;
  machine: MachineInfo;
  options: BenchOptions;
  contenders: ContenderInfo[];
  speed: { file: FileInfo; rounds: number; warmup: number; results: ContenderSpeed[] }[];
  memory: MemoryResult[];
  /** Inputs that were looked for but not there (missing folders, builders not written yet). */
  skipped: string[];
}

export function toFileInfo(file: BenchFile): FileInfo {
  return { name: file.name, format: file.format, size: file.bytes.length, origin: file.origin, notes: file.notes };
}
