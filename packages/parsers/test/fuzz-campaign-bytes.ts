/**
 * The byte-level mutator of the fuzz campaign and the helpers every mutator shares (see
 * fuzz-campaign-mutators.ts for the structure-aware ones).
 */
export type Rand = () => number;

/** Inputs never grow past this (a mutation that would is cut). */
export const MAX_INPUT_BYTES = 512 * 1024;

export const int = (rand: Rand, n: number): number => Math.floor(rand() * n);
export const pick = <T>(rand: Rand, items: readonly T[]): T => items[int(rand, items.length)] as T;

export function concat(...parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

export function capped(bytes: Uint8Array): Uint8Array {
  return bytes.length > MAX_INPUT_BYTES ? bytes.slice(0, MAX_INPUT_BYTES) : bytes;
}

const INTERESTING_BYTES = [0x00, 0xff, 0x7f, 0x80, 0x3c, 0x3e, 0x26, 0x22, 0x0a, 0x0d, 0x30, 0x39, 0x2d, 0x2c, 0x3b, 0x09, 0x7b, 0x7d, 0x5b, 0x5d, 0x3a, 0x2e];

/**
 * Byte-level: 1–4 of bit flips, an interesting byte, truncation, deleting or duplicating a chunk
 * of up to 64 bytes, a splice with `other` (the operations of test/fuzz.test.ts), plus inserting
 * random bytes and overwriting a 16/32-bit value with a boundary value.
 */
export function mutateBytes(input: Uint8Array, other: Uint8Array, rand: Rand): Uint8Array {
  let out: Uint8Array = input.slice();
  for (let k = 0, ops = 1 + int(rand, 4); k < ops; k++) {
    const n = out.length;
    if (n === 0) return Uint8Array.of(int(rand, 256));
    const at = int(rand, n);
    const len = 1 + int(rand, Math.min(64, n - at));
    switch (int(rand, 8)) {
      case 0:
        for (let i = 0, m = 1 + int(rand, 8); i < m; i++) {
          const j = int(rand, n);
          out[j] = (out[j] as number) ^ (1 << int(rand, 8));
        }
        break;
      case 1:
        out[at] = pick(rand, INTERESTING_BYTES);
        break;
      case 2:
        out = out.slice(0, at);
        break;
      case 3:
        out = concat(out.subarray(0, at), out.subarray(at + len));
        break;
      case 4:
        out = concat(out.subarray(0, at + len), out.subarray(at, at + len), out.subarray(at + len));
        break;
      case 5:
        out = concat(out.subarray(0, at), Uint8Array.from({ length: 1 + int(rand, 16) }, () => int(rand, 256)), out.subarray(at));
        break;
      case 6: {
        const value = pick(rand, [0, 0xff, 0x7f, 0x80, 0xffff, 0x7fff, 0x8000, 0xffffffff, 0x7fffffff, 0x80000000, 1, 2]);
        const width = pick(rand, [1, 2, 4]);
        for (let b = 0; b < width && at + b < n; b++) out[at + b] = (value >>> (8 * b)) & 0xff;
        break;
      }
      default:
        out = concat(out.subarray(0, at), other.subarray(int(rand, other.length + 1)));
    }
  }
  return capped(out);
}
