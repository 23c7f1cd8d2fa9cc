/**
 * A count of the entries an archive import skipped, grouped by kind: a Polar account-data
 * export holds one `training-session-*.json` per session among hundreds of other files
 * (`activity-*.json`, `sleep-*.json`, `account-data-*.json`…), and "skipped 812 files" reads
 * better by kind than as a list of 812 names.
 */
import type { EntryResult } from './registry.js';

export interface SkippedSummary {
  /** How many entries were skipped. */
  count: number;
  /** Skipped entries by name pattern (`activity-*.json`), most frequent first. */
  kinds: { pattern: string; count: number }[];
  /** One line for logs and reports, e.g. `skipped 5 files that are not workouts: 3 activity-*.json, 2 sleep-*.json`. */
  message: string;
}

/**
 * The name pattern of an entry: its base name with everything from the first digit-bearing
 * part replaced by `*` (`polar-user-data-export_x.zip!activity-2021-02-28-4711.json` →
 * `activity-*.json`); names without such a part stay as they are.
 */
export function skippedPattern(name: string): string {
  const base = name.slice(name.lastIndexOf('!') + 1).split(/[/\\]/).pop() ?? name;
  const dot = base.lastIndexOf('.');
  const stem = dot > 0 ? base.slice(0, dot) : base;
  const ext = dot > 0 ? base.slice(dot) : '';
  const parts = stem.split(/([-_ ])/);
  const cut = parts.findIndex((p) => /\d/.test(p));
  if (cut <= 0) return base;
  return `${parts.slice(0, cut).join('')}*${ext}`;
}

/** Counts the `skipped` results of `parseFile`, grouped by name pattern. */
export function summarizeSkipped(results: readonly EntryResult[]): SkippedSummary {
  const byPattern = new Map<string, number>();
  let count = 0;
  for (const r of results) {
    if (r.status !== 'skipped') continue;
    count++;
    const pattern = skippedPattern(r.name);
    byPattern.set(pattern, (byPattern.get(pattern) ?? 0) + 1);
  }
  const kinds = [...byPattern].map(([pattern, n]) => ({ pattern, count: n })).sort((a, b) => b.count - a.count || a.pattern.localeCompare(b.pattern));
  const shown = kinds.slice(0, 8).map((k) => `${k.count} ${k.pattern}`);
  if (kinds.length > 8) shown.push(`${kinds.slice(8).reduce((s, k) => s + k.count, 0)} others`);
  const message = count === 0 ? 'nothing was skipped' : `skipped ${count} ${count === 1 ? 'file' : 'files'} that ${count === 1 ? 'is not a workout' : 'are not workouts'}: ${shown.join(', ')}`;
  return { count, kinds, message };
}
