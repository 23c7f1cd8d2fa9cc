/**
 * The FIT CRC: CRC-16 with the reflected polynomial 0xA001 and initial value 0 (the protocol
 * document computes it a nibble at a time). Eight byte tables ("slicing by 8") give the same
 * value eight bytes per step: table k holds the CRC of a byte followed by k zero bytes.
 */
const TABLES: Uint16Array[] = [];
for (let k = 0; k < 8; k++) TABLES.push(new Uint16Array(256));
const [T0, T1, T2, T3, T4, T5, T6, T7] = TABLES as [Uint16Array, Uint16Array, Uint16Array, Uint16Array, Uint16Array, Uint16Array, Uint16Array, Uint16Array];
for (let i = 0; i < 256; i++) {
  let c = i;
  for (let bit = 0; bit < 8; bit++) c = c & 1 ? (c >>> 1) ^ 0xa001 : c >>> 1;
  T0[i] = c;
}
for (let k = 1; k < 8; k++) {
  const prev = TABLES[k - 1] as Uint16Array;
  const table = TABLES[k] as Uint16Array;
  for (let i = 0; i < 256; i++) {
    const c = prev[i] as number;
    table[i] = (c >>> 8) ^ (T0[c & 0xff] as number);
  }
}

/** CRC of `bytes[start, end)`, continuing from `crc` (0 for a fresh computation). */
export function fitCrc(bytes: Uint8Array, start: number, end: number, crc = 0): number {
  let c = crc;
  let i = start;
  for (; i + 8 <= end; i += 8) {
    const x = c ^ ((bytes[i] as number) | ((bytes[i + 1] as number) << 8));
    c =
      (T7[x & 0xff] as number) ^
      (T6[x >>> 8] as number) ^
      (T5[bytes[i + 2] as number] as number) ^
      (T4[bytes[i + 3] as number] as number) ^
      (T3[bytes[i + 4] as number] as number) ^
      (T2[bytes[i + 5] as number] as number) ^
      (T1[bytes[i + 6] as number] as number) ^
      (T0[bytes[i + 7] as number] as number);
  }
  for (; i < end; i++) c = (c >>> 8) ^ (T0[(c ^ (bytes[i] as number)) & 0xff] as number);
  return c;
}
