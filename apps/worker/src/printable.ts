/**
 * File names come from outside: a name holding a newline would forge a second log line, one
 * holding an escape sequence (`ESC [ 2 J`) would drive the operator's terminal, bidirectional
 * overrides (U+202E) would show `evil.fit.exe` as `evil.exe.tif`, and bytes that are not UTF-8
 * cannot be named in a job (a path is a JavaScript string) at all. These helpers make such names
 * safe to print; JSON output needs none of this (`JSON.stringify` escapes control characters).
 */
import { isUtf8 } from 'node:buffer';

// C0 and C1 controls, DEL, line and paragraph separators, and the bidirectional embeddings,
// overrides and isolates.
// eslint-disable-next-line no-control-regex
const UNPRINTABLE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

const SHORT: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/** `text` with every control or bidi character written as an escape: `\n`, `\r`, `\t`, else `\u001b`, `\u202e`. */
export function printable(text: string): string {
  return text.replace(UNPRINTABLE, (char) => SHORT[char] ?? `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** The bytes of a name, decoded where they are UTF-8 and written `\xNN` where they are not. */
export function escapeNameBytes(raw: Uint8Array): string {
  let out = '';
  for (let i = 0; i < raw.length; ) {
    const b = raw[i] as number;
    const length = b < 0x80 ? 1 : b >= 0xc2 && b < 0xe0 ? 2 : b >= 0xe0 && b < 0xf0 ? 3 : b >= 0xf0 && b < 0xf5 ? 4 : 0;
    const chunk = raw.subarray(i, i + length);
    if (length > 0 && chunk.length === length && isUtf8(chunk)) {
      out += Buffer.from(chunk).toString('utf8');
      i += length;
    } else {
      out += `\\x${b.toString(16).padStart(2, '0')}`;
      i += 1;
    }
  }
  return out;
}

/** Names in a folder (as raw bytes) that are not valid UTF-8: only looked for when a decoded name shows U+FFFD. */
export function invalidUtf8Names(decoded: readonly string[], raw: () => Promise<Buffer[]>): Promise<Buffer[]> {
  if (!decoded.some((name) => name.includes('\uFFFD'))) return Promise.resolve([]);
  return raw().then((names) => names.filter((name) => !isUtf8(name)));
}
