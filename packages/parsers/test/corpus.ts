import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (this file is packages/parsers/test/corpus.ts). */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

/** ../shared/corpus beside the repository; read in place, never copied in. */
export const CORPUS_ROOT = resolve(REPO_ROOT, '../shared/corpus');

/** Absolute path of a corpus folder, or undefined when it is absent on this machine. */
export function corpusDir(name: string): string | undefined {
  const dir = join(CORPUS_ROOT, name);
  return existsSync(dir) ? dir : undefined;
}

/** Files of a corpus folder (not the .md notes), sorted; empty when the folder is absent. */
export function corpusFiles(name: string): string[] {
  const dir = corpusDir(name);
  if (!dir) return [];
  return readdirSync(dir)
    .filter((f) => !f.endsWith('.md'))
    .sort()
    .map((f) => join(dir, f));
}

export function readBytes(path: string): Uint8Array {
  const b = readFileSync(path);
  return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
}
