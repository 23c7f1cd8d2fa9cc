/**
 * Where final job results are kept: a Redis hash (queue mode) or a JSON-lines file (embedded
 * mode). A result written for a migration's job also counts it, once, in the migration's counters.
 */
import { appendFile, mkdir, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Redis } from 'ioredis';
import { KEY_PREFIX } from './job-data.js';
import type { ImportResult } from './job-data.js';
import { redisKeysOf } from './keys.js';

export interface ResultStore {
  write(result: ImportResult): Promise<void>;
  read(jobId: string): Promise<ImportResult | undefined>;
  /** Results of many jobs at once, in the same order (undefined where there is none). */
  readMany(jobIds: readonly string[]): Promise<Array<ImportResult | undefined>>;
  /** Forgets a job's result (a job sent to run again). */
  remove(jobId: string): Promise<void>;
}

/**
 * KEYS: results, migration counters, migration finished-set. ARGV: job id, result JSON, outcome.
 * The migration's counters move only the first time a job finishes; a later result of the same
 * job (run again) moves the counter from its old outcome to the new one.
 */
const WRITE_LUA = `
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
if KEYS[2] ~= '' then
  local before = redis.call('HGET', KEYS[3], ARGV[1])
  if before ~= ARGV[3] then
    if before then redis.call('HINCRBY', KEYS[2], before, -1) end
    redis.call('HSET', KEYS[3], ARGV[1], ARGV[3])
    redis.call('HINCRBY', KEYS[2], ARGV[3], 1)
    redis.call('HINCRBY', KEYS[2], 'requests', tonumber(ARGV[4]))
    redis.call('HSET', KEYS[2], 'updatedAt', ARGV[5])
  end
end
return 1
`;

export function parseResult(text: string | null | undefined): ImportResult | undefined {
  if (text === null || text === undefined) return undefined;
  try {
    const value = JSON.parse(text) as ImportResult;
    return typeof value === 'object' && value !== null && typeof value.jobId === 'string' ? value : undefined;
  } catch {
    return undefined;
  }
}

/** `prefix`: the key prefix, `KEY_PREFIX` unless a test keeps its keys apart. */
export function createRedisResultStore(redis: Redis, prefix: string = KEY_PREFIX): ResultStore {
  const keys = redisKeysOf(prefix);
  return {
    async write(result) {
      const migration = result.migration;
      await redis.eval(
        WRITE_LUA,
        3,
        keys.results,
        migration === undefined ? '' : keys.migration(migration),
        migration === undefined ? '' : keys.migrationFinished(migration),
        result.jobId,
        JSON.stringify(result),
        result.outcome,
        String(result.requests),
        String(Date.now()),
      );
    },
    async read(jobId) {
      return parseResult(await redis.hget(keys.results, jobId));
    },
    async readMany(jobIds) {
      const out: Array<ImportResult | undefined> = [];
      for (let i = 0; i < jobIds.length; i += 1000) {
        const texts = await redis.hmget(keys.results, ...jobIds.slice(i, i + 1000));
        for (const text of texts) out.push(parseResult(text));
      }
      return out;
    },
    async remove(jobId) {
      await redis.hdel(keys.results, jobId);
    },
  };
}

/** Embedded mode: one JSON line per result appended to `file` (the last line of a job wins). */
export function createFileResultStore(file: string): ResultStore & { all(): Promise<ImportResult[]> } {
  let loaded: Map<string, ImportResult> | undefined;
  let writing: Promise<void> = Promise.resolve();
  let pendingNewline = false;
  async function load(): Promise<Map<string, ImportResult>> {
    if (loaded) return loaded;
    const map = new Map<string, ImportResult>();
    let text = '';
    try {
      text = await readFile(file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
    for (const line of text.split('\n')) {
      const result = parseResult(line.trim() === '' ? undefined : line);
      if (result) map.set(result.jobId, result);
      else if (line.startsWith('{"removed":')) {
        const id = (JSON.parse(line) as { removed: string }).removed;
        map.delete(id);
      }
    }
    // A line cut by a crash is dropped above; start the next one on a line of its own.
    if (text !== '' && !text.endsWith('\n')) pendingNewline = true;
    loaded = map;
    return map;
  }
  const append = (line: string): Promise<void> => {
    const next = writing.then(async () => {
      await mkdir(dirname(file), { recursive: true });
      await appendFile(file, `${pendingNewline ? '\n' : ''}${line}\n`);
      pendingNewline = false;
    });
    writing = next.catch(() => undefined);
    return next;
  };
  return {
    async write(result) {
      (await load()).set(result.jobId, result);
      await append(JSON.stringify(result));
    },
    async read(jobId) {
      return (await load()).get(jobId);
    },
    async readMany(jobIds) {
      const map = await load();
      return jobIds.map((id) => map.get(id));
    },
    async remove(jobId) {
      if ((await load()).delete(jobId)) await append(JSON.stringify({ removed: jobId }));
    },
    async all() {
      return [...(await load()).values()];
    },
  };
}
