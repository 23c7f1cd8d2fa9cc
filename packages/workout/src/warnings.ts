import type { Warning } from './model.js';

/** Collects warnings, merging repeats of the same code into one entry with a count. */
export interface WarningCollector {
  add(code: string, message: string, count?: number): void;
  list(): Warning[];
}

export function createWarnings(initial: readonly Warning[] = []): WarningCollector {
  const byCode = new Map<string, Warning>();
  const add = (code: string, message: string, count = 1): void => {
    if (count <= 0) return;
    const existing = byCode.get(code);
    if (existing) existing.count += count;
    else byCode.set(code, { code, message, count });
  };
  for (const w of initial) add(w.code, w.message, w.count);
  return {
    add,
    list: () => [...byCode.values()].map((w) => ({ ...w })),
  };
}
