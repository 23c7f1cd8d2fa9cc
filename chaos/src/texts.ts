/**
 * Everything a run wrote, as text to search for tokens: every file under the run's folder (logs of
 * every process, the sandbox's and the proxy's request logs, the migration report, the config,
 * Redis's append-only file), except the input files and the token file itself.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { join, relative } from 'node:path';
import type { TextSource } from './invariants.js';

export async function collectTexts(dir: string, skip: readonly string[]): Promise<TextSource[]> {
  const out: TextSource[] = [];
  const skipped = new Set(skip.map((path) => relative(dir, path)));
  const walk = async (folder: string): Promise<void> => {
    for (const entry of await readdir(folder, { withFileTypes: true })) {
      const path = join(folder, entry.name);
      const name = relative(dir, path);
      if (skipped.has(name)) continue;
      if (entry.isDirectory()) await walk(path);
      else if (entry.isFile() && (await stat(path)).size <= 64 * 1024 * 1024) out.push({ where: name, text: (await readFile(path)).toString('latin1') });
    }
  };
  await walk(dir);
  return out;
}
