/**
 * The athlete map (`--map FILE`): which athlete (and optionally which account) each per-athlete
 * subfolder of the watched folder belongs to. A JSON object, subfolder name to athlete id, or to
 * `{ "athleteId": "…", "account": "…" }` when the subfolder's files go to another account:
 *
 * ```json
 * { "alice": "10231", "bob": { "athleteId": "10377", "account": "riverside" } }
 * ```
 *
 * Keys are matched exactly (letter case included) against the first folder of a file's path.
 * The map is read once, when the watcher starts; at most 1 MiB. Every problem found is listed in
 * one `WatchError` whose message names the file and each bad key.
 */
import { readFile, stat } from 'node:fs/promises';
import { importJobSchema } from '../jobs/job-data.js';
import { isIgnoredName, isResultFolderName } from './ignored-names.js';
import { errnoOf, messageOf, WatchError } from './watch-error.js';
import type { WatchErrorCode } from './watch-error.js';

/** Largest athlete map file read. */
export const MAX_ATHLETE_MAP_BYTES = 1024 * 1024;
/** Longest subfolder name (most file systems' limit for one name). */
const MAX_KEY_LENGTH = 255;
const ENTRY_FIELDS = ['athleteId', 'account'];

export interface AthleteMapEntry {
  athleteId: string;
  /** The account the subfolder's files go to; the watcher's `account` when absent. */
  account?: string;
}

export interface AthleteMap {
  /** Where the map came from (its path), named in the reasons of files it cannot place. */
  source: string;
  entries: ReadonlyMap<string, AthleteMapEntry>;
}

/** Reads and checks an athlete map file. Throws a `WatchError` naming the file (and the keys at fault). */
export async function readAthleteMap(path: string): Promise<AthleteMap> {
  let size: number;
  try {
    const info = await stat(path);
    if (!info.isFile()) throw new WatchError(`${path}: the athlete map is not a file`, { code: 'unreadable', file: path });
    size = info.size;
  } catch (error) {
    if (error instanceof WatchError) throw error;
    if (errnoOf(error) === 'ENOENT') throw new WatchError(`${path}: no such athlete map file`, { code: 'not-found', file: path, cause: error });
    throw new WatchError(`${path}: cannot read the athlete map: ${messageOf(error)}`, { code: 'unreadable', file: path, cause: error });
  }
  if (size > MAX_ATHLETE_MAP_BYTES) {
    throw new WatchError(`${path}: the athlete map is ${size} bytes, over the cap of ${MAX_ATHLETE_MAP_BYTES} bytes`, { code: 'too-large', file: path });
  }
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new WatchError(`${path}: cannot read the athlete map: ${messageOf(error)}`, { code: 'unreadable', file: path, cause: error });
  }
  let value: unknown;
  try {
    value = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (error) {
    throw new WatchError(`${path}: the athlete map is not JSON: ${messageOf(error)}`, { code: 'bad-json', file: path, cause: error });
  }
  return parseAthleteMap(value, path);
}

interface Problem {
  code: WatchErrorCode;
  key?: string;
  message: string;
}

/** Checks a parsed athlete map (`source` names it in errors). Throws a `WatchError` listing every problem. */
export function parseAthleteMap(value: unknown, source = 'athlete map'): AthleteMap {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new WatchError(`${source}: the athlete map must be a JSON object of subfolder name to athlete id, not ${describe(value)}`, { code: 'bad-value', file: source });
  }
  const problems: Problem[] = [];
  const entries = new Map<string, AthleteMapEntry>();
  for (const [key, raw] of Object.entries(value)) {
    const keyProblem = checkKey(key);
    if (keyProblem !== undefined) {
      problems.push({ code: 'bad-key', key, message: keyProblem });
      continue;
    }
    const entry = checkEntry(key, raw, problems);
    if (entry !== undefined) entries.set(key, entry);
  }
  if (problems.length === 0 && entries.size === 0) problems.push({ code: 'bad-value', message: 'the athlete map names no subfolder' });
  if (problems.length > 0) {
    const first = problems[0] as Problem;
    const lines = problems.map((problem) => (problem.key === undefined ? problem.message : `${JSON.stringify(problem.key)}: ${problem.message}`));
    const message = lines.length === 1 ? `${source}: ${lines[0]}` : `${source}: ${lines.length} problems:\n${lines.map((line) => `  ${line}`).join('\n')}`;
    throw new WatchError(message, { code: first.code, file: source, ...(first.key === undefined ? {} : { key: first.key }) });
  }
  return { source, entries };
}

function checkKey(key: string): string | undefined {
  if (key.length === 0) return 'a subfolder name cannot be empty';
  if (key.length > MAX_KEY_LENGTH) return `a subfolder name of ${key.length} characters; at most ${MAX_KEY_LENGTH}`;
  if (key.includes('/') || key.includes('\\')) return 'a subfolder name, not a path: no / or \\';
  if (key.includes('\0')) return 'a subfolder name cannot hold a NUL character';
  if (isResultFolderName(key)) return `"${key}" is where the watcher puts its results; it is never read`;
  if (isIgnoredName(key)) return 'a hidden or temporary name, which the watcher ignores';
  return undefined;
}

const athleteIdSchema = importJobSchema.shape.athleteId;
const accountSchema = importJobSchema.shape.account;

function checkEntry(key: string, raw: unknown, problems: Problem[]): AthleteMapEntry | undefined {
  if (typeof raw === 'string') {
    const athleteId = athleteIdSchema.safeParse(raw);
    if (athleteId.success) return { athleteId: athleteId.data };
    problems.push({ code: 'bad-value', key, message: `the athlete id ${JSON.stringify(raw)} must be 1 to 64 characters, not blank` });
    return undefined;
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    problems.push({ code: 'bad-value', key, message: `must be an athlete id (a string) or { "athleteId": "…", "account": "…" }, not ${describe(raw)}` });
    return undefined;
  }
  const fields = raw as Record<string, unknown>;
  let ok = true;
  for (const field of Object.keys(fields)) {
    if (!ENTRY_FIELDS.includes(field)) {
      problems.push({ code: 'bad-value', key, message: `unknown field ${JSON.stringify(field)}; the fields are ${ENTRY_FIELDS.join(' and ')}` });
      ok = false;
    }
  }
  const athleteId = athleteIdSchema.safeParse(fields['athleteId']);
  if (!athleteId.success) {
    const given = fields['athleteId'];
    problems.push({
      code: 'bad-value',
      key,
      message: given === undefined ? 'athleteId is missing' : `athleteId must be a string of 1 to 64 characters, not blank; got ${describe(given)}`,
    });
    ok = false;
  }
  let account: string | undefined;
  if (fields['account'] !== undefined) {
    const parsed = accountSchema.safeParse(fields['account']);
    if (parsed.success) account = parsed.data;
    else {
      problems.push({ code: 'bad-value', key, message: `account must be an account name (letters, digits, ., _ and -, at most 63); got ${describe(fields['account'])}` });
      ok = false;
    }
  }
  if (!ok || !athleteId.success) return undefined;
  return account === undefined ? { athleteId: athleteId.data } : { athleteId: athleteId.data, account };
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return JSON.stringify(value.length > 70 ? `${value.slice(0, 70)}…` : value);
  if (typeof value === 'object') return 'an object';
  return `${typeof value} ${String(value)}`;
}
