/**
 * A file ledger: append-only JSON lines, each write fsynced before it resolves. One process per
 * file (use the Redis ledger for several). The file is read once, at the first use; the last line
 * for a key wins; a line cut by a crash (the last one, without its newline) is dropped and cut off
 * the file before the next append. Once the file holds `compactAfterLines` lines and more than
 * twice as many as live keys, it is rewritten with the live entries only: into a temporary file,
 * fsynced, renamed over the ledger, and the folder fsynced.
 *
 * Line forms: `{"key":"…","entry":{…}}` and `{"key":"…","removed":true}`.
 */
import { mkdir, open, readFile, rename } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import { checkLedgerKey, parseLedgerEntry } from './ledger.js';
import type { LedgerEntry, UploadLedger } from './ledger.js';

export interface FileLedgerOptions {
  /** The ledger file (created with its folder if missing). */
  file: string;
  /** Compact once the file has this many lines (and over twice the live keys). Default 10,000. */
  compactAfterLines?: number;
}

export interface FileLedger extends UploadLedger {
  /** Rewrites the file with the live entries only (atomic rename). */
  compact(): Promise<void>;
  /** Closes the file; a later call reopens it. */
  close(): Promise<void>;
}

interface Loaded {
  entries: Map<string, LedgerEntry>;
  handle: FileHandle;
  lines: number;
}

async function syncFolder(folder: string): Promise<void> {
  const handle = await open(folder, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

async function readLines(file: string): Promise<{ entries: Map<string, LedgerEntry>; lines: number; keepBytes: number | undefined }> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { entries: new Map(), lines: 0, keepBytes: undefined };
    throw error;
  }
  const entries = new Map<string, LedgerEntry>();
  const end = text.lastIndexOf('\n') + 1;
  const torn = end < text.length;
  const complete = text.slice(0, end).split('\n').slice(0, -1);
  complete.forEach((line, index) => {
    if (line.trim() === '') return;
    const where = `[file-ledger] ${file} line ${index + 1}`;
    let record: { key?: unknown; entry?: unknown; removed?: unknown };
    try {
      record = JSON.parse(line) as typeof record;
    } catch {
      throw new Error(`${where}: not JSON (the ledger is damaged; it was not cut by a crash, which only cuts the last line)`);
    }
    const key = checkLedgerKey(record.key, 'file-ledger');
    if (record.removed === true) entries.delete(key);
    else entries.set(key, parseLedgerEntry(record.entry, where));
  });
  return { entries, lines: complete.length, keepBytes: torn ? Buffer.byteLength(text.slice(0, end)) : undefined };
}

export function createFileLedger(options: FileLedgerOptions): FileLedger {
  if (typeof options?.file !== 'string' || options.file === '') throw new RangeError(`[file-ledger] option \`file\` must be a path, got ${typeof options?.file}`);
  const compactAfterLines = options.compactAfterLines ?? 10_000;
  if (!Number.isInteger(compactAfterLines) || compactAfterLines < 1) throw new RangeError(`[file-ledger] option \`compactAfterLines\` must be a whole number ≥ 1, got ${compactAfterLines}`);
  const { file } = options;
  let loading: Promise<Loaded> | undefined;
  /** Writes run one after another, in call order. */
  let queue: Promise<unknown> = Promise.resolve();

  const load = (): Promise<Loaded> => {
    loading ??= (async () => {
      await mkdir(dirname(file), { recursive: true });
      const { entries, lines, keepBytes } = await readLines(file);
      const handle = await open(file, 'a');
      if (keepBytes !== undefined) {
        await handle.truncate(keepBytes);
        await handle.sync();
      }
      if (lines === 0 && keepBytes === undefined) await syncFolder(dirname(file));
      return { entries, handle, lines };
    })();
    loading.catch(() => {
      loading = undefined;
    });
    return loading;
  };

  const serial = <T>(task: () => Promise<T>): Promise<T> => {
    const run = queue.then(task, task);
    queue = run.catch(() => undefined);
    return run;
  };

  const compactNow = async (state: Loaded): Promise<void> => {
    const temporary = `${file}.${process.pid}.tmp`;
    const out = await open(temporary, 'w');
    try {
      const text = [...state.entries].map(([key, entry]) => `${JSON.stringify({ key, entry })}\n`).join('');
      await out.writeFile(text, 'utf8');
      await out.sync();
    } finally {
      await out.close();
    }
    await rename(temporary, file);
    await syncFolder(dirname(file));
    await state.handle.close();
    state.handle = await open(file, 'a');
    state.lines = state.entries.size;
  };

  const append = async (record: object, apply: (entries: Map<string, LedgerEntry>) => void): Promise<void> => {
    const state = await load();
    await state.handle.write(`${JSON.stringify(record)}\n`);
    await state.handle.datasync();
    apply(state.entries);
    state.lines += 1;
    if (state.lines >= compactAfterLines && state.lines > 2 * state.entries.size) await compactNow(state);
  };

  return {
    async read(key) {
      checkLedgerKey(key, 'file-ledger');
      await queue;
      const entry = (await load()).entries.get(key);
      return entry === undefined ? undefined : { ...entry };
    },
    async write(key, entry) {
      checkLedgerKey(key, 'file-ledger');
      const checked = parseLedgerEntry(entry, '[file-ledger] write');
      return serial(() => append({ key, entry: checked }, (entries) => entries.set(key, checked)));
    },
    async remove(key) {
      checkLedgerKey(key, 'file-ledger');
      return serial(async () => {
        const state = await load();
        if (!state.entries.has(key)) return;
        await append({ key, removed: true }, (entries) => entries.delete(key));
      });
    },
    compact() {
      return serial(async () => compactNow(await load()));
    },
    close() {
      return serial(async () => {
        if (loading === undefined) return;
        const state = await loading;
        loading = undefined;
        await state.handle.close();
      });
    },
  };
}
