/**
 * The one seeded generator of a run, split into named streams: the file set, the sandbox's fault
 * seed and the disruption schedule each draw from their own stream, so that a change in how many
 * numbers one of them takes never shifts the others. Same seed, same streams.
 */
import { mulberry32 } from '@optimo-import/fixtures';

export interface Random {
  /** A number in [0, 1). */
  next(): number;
  /** A whole number in [min, max]. */
  int(min: number, max: number): number;
  /** True with probability `p`. */
  chance(p: number): boolean;
  pick<T>(items: readonly T[]): T;
  /** A shuffled copy. */
  shuffle<T>(items: readonly T[]): T[];
  /** A 31-bit seed for something else that takes one (the sandbox's fault draws). */
  seed(): number;
}

/** FNV-1a of the label, mixed with the run's seed: the seed of one named stream. */
export function streamSeed(seed: number, label: string): number {
  let hash = 0x811c9dc5 ^ (seed >>> 0);
  for (const char of label) {
    hash ^= char.codePointAt(0) ?? 0;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash >>> 0;
}

export function createRandom(seed: number, label: string): Random {
  const next = mulberry32(streamSeed(seed, label));
  const int = (min: number, max: number): number => min + Math.floor(next() * (max - min + 1));
  return {
    next,
    int,
    chance: (p) => next() < p,
    pick(items) {
      if (items.length === 0) throw new RangeError('[chaos] pick from an empty list');
      return items[int(0, items.length - 1)] as (typeof items)[number];
    },
    shuffle(items) {
      const out = [...items];
      for (let i = out.length - 1; i > 0; i -= 1) {
        const j = int(0, i);
        [out[i], out[j]] = [out[j] as (typeof out)[number], out[i] as (typeof out)[number]];
      }
      return out;
    },
    seed: () => int(1, 2 ** 31 - 1),
  };
}
