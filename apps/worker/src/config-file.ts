/**
 * The config file: which one (`--config FILE`, else `OPTIMO_CONFIG`, else `optimo-import.json`
 * in the working folder when it is there), read, and checked for shape. Every setting comes back
 * with its place in the file (`accounts.riverside.endpoint`); paths in the file are taken
 * relative to the file's folder. Values are checked by their rule (https, zone, …) in ./config.ts,
 * the same way for every layer.
 *
 * ```json
 * {
 *   "redisUrl": "redis://127.0.0.1:6379",
 *   "accounts": {
 *     "riverside": { "endpoint": "https://riverside.optimosport.com/api/2.1/xml-in", "tokenFile": "tokens/riverside", "timeZone": "Europe/Lisbon", "quota": 4000 }
 *   }
 * }
 * ```
 *
 * A literal `"token"` is refused: a config file is copied, committed, attached to tickets and shown
 * on screens; a file that holds only the token can be `chmod 600` and kept out of all that.
 */
import { readFile, stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { ConfigError } from './config-error.js';
import type { ConfigProblem, ConfigSource } from './config-error.js';

export const CONFIG_FILE_NAME = 'optimo-import.json';
/** A config file larger than this is refused unread. */
export const MAX_CONFIG_FILE_BYTES = 1024 * 1024;
/** Account names: used in logs, Redis keys and `--account`. */
export const ACCOUNT_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/;
export const ACCOUNT_NAME_RULE = "letters, digits, '.', '_' and '-', starting with a letter or digit, at most 63";

export interface Setting<T> {
  value: T;
  source: ConfigSource;
}

/** One layer's settings for one account (every field optional: a later layer may add it). */
export interface AccountSettings {
  /** Where the layer names the account (the file's `accounts.NAME`); the first setting's source otherwise. */
  place?: ConfigSource;
  endpoint?: Setting<string>;
  /** A literal token: only the environment (`OPTIMO_TOKEN`) gives one. */
  token?: Setting<string>;
  /** An absolute path. */
  tokenFile?: Setting<string>;
  /** An absolute path. */
  caFile?: Setting<string>;
  timeZone?: Setting<string>;
  quota?: Setting<number>;
}

/** What one layer (file, environment, flags) says. */
export interface LayerSettings {
  redisUrl?: Setting<string>;
  /** In the order the layer names them. */
  accounts: Map<string, AccountSettings>;
}

export interface ConfigFileChoice {
  /** Absolute. */
  path: string;
  /** `--config`, `OPTIMO_CONFIG`, or the default look in the working folder. */
  source: ConfigSource;
  /** False for the default look: a missing `optimo-import.json` is no error. */
  mustExist: boolean;
}

export interface ConfigFile {
  path: string;
  source: ConfigSource;
  settings: LayerSettings;
}

/** `--config FILE`, else `OPTIMO_CONFIG`, else `<cwd>/optimo-import.json` (used only when present). */
export function chooseConfigFile(options: { flag?: string; env?: string; cwd: string }): ConfigFileChoice {
  if (options.flag !== undefined) return { path: resolve(options.cwd, options.flag), source: { layer: 'flag', name: '--config' }, mustExist: true };
  if (options.env !== undefined) return { path: resolve(options.cwd, options.env), source: { layer: 'env', name: 'OPTIMO_CONFIG' }, mustExist: true };
  return { path: resolve(options.cwd, CONFIG_FILE_NAME), source: { layer: 'default', name: `${CONFIG_FILE_NAME} in the working folder` }, mustExist: false };
}

/** Reads and checks the chosen file; undefined when the default file is not there. Throws `ConfigError`. */
export async function readConfigFile(choice: ConfigFileChoice): Promise<ConfigFile | undefined> {
  const { path, source } = choice;
  const fail = (problem: ConfigProblem, cause?: unknown): never => {
    throw new ConfigError({ problems: [problem], cause });
  };
  let info: Awaited<ReturnType<typeof stat>>;
  try {
    info = await stat(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      if (!choice.mustExist) return undefined;
      return fail({ code: 'not-found', source, message: `no config file ${path}` }, error);
    }
    return fail({ code: 'unreadable', source, message: `cannot read the config file ${path} (${(error as NodeJS.ErrnoException).code ?? 'error'})` }, error);
  }
  if (!info.isFile()) fail({ code: 'unreadable', source, message: `the config file ${path} is not a file` });
  const size = info.size;
  if (size > MAX_CONFIG_FILE_BYTES) fail({ code: 'unreadable', source, message: `the config file ${path} is ${size} bytes, over ${MAX_CONFIG_FILE_BYTES}: not a config file` });
  let text: string;
  try {
    text = (await readFile(path, 'utf8')).replace(/^\uFEFF/, '');
  } catch (error) {
    return fail({ code: 'unreadable', source, message: `cannot read the config file ${path} (${(error as NodeJS.ErrnoException).code ?? 'error'})` }, error);
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    // The parser's own message may quote the text around the fault, which may be a secret: only the place is given.
    return fail({ code: 'bad-json', source: { layer: 'file', name: placeOfJsonError(text, error), file: path }, message: 'not valid JSON' }, undefined);
  }
  return { path, source, settings: checkConfigData(data, path) };
}

/** `line 3, column 14` from the parser's position, or `the file` when it names none. */
function placeOfJsonError(text: string, error: unknown): string {
  const match = /position (\d+)/.exec(error instanceof Error ? error.message : '');
  if (match === null) return text.trim() === '' ? 'the file (empty)' : 'the file';
  const before = text.slice(0, Number(match[1]));
  const lines = before.split('\n');
  return `line ${lines.length}, column ${(lines.at(-1)?.length ?? 0) + 1}`;
}

const TOP_KEYS = ['$schema', 'redisUrl', 'accounts'] as const;
const ACCOUNT_KEYS = {
  endpoint: 'string',
  tokenFile: 'string',
  caFile: 'string',
  timeZone: 'string',
  quota: 'number',
} as const;
type AccountKey = keyof typeof ACCOUNT_KEYS;
const PATH_KEYS: ReadonlySet<string> = new Set(['tokenFile', 'caFile']);

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
const typeName = (value: unknown): string => (value === null ? 'null' : Array.isArray(value) ? 'an array' : `a ${typeof value}`);
/** `accounts.riverside.endpoint`; a key that is no plain name is quoted: `accounts["a b"]`. */
const keyPath = (parent: string, key: string): string => {
  if (!/^[A-Za-z_$][\w$-]*$/.test(key)) return `${parent}[${JSON.stringify(key)}]`;
  return parent === '' ? key : `${parent}.${key}`;
};

/** The shape check of the parsed file: all problems at once, each with its place. Exported for tests. */
export function checkConfigData(data: unknown, file: string): LayerSettings {
  const problems: ConfigProblem[] = [];
  const at = (name: string): ConfigSource => ({ layer: 'file', name, file });
  const settings: LayerSettings = { accounts: new Map() };
  if (!isObject(data)) throw new ConfigError({ problems: [{ code: 'bad-type', source: at('the top level'), message: `must be a JSON object, got ${typeName(data)}` }] });
  for (const key of Object.keys(data)) {
    if (!(TOP_KEYS as readonly string[]).includes(key)) problems.push({ code: 'unknown-setting', source: at(keyPath('', key)), message: `unknown setting (known: ${TOP_KEYS.filter((k) => k !== '$schema').join(', ')})` });
  }
  if (data.redisUrl !== undefined) {
    if (typeof data.redisUrl !== 'string' || data.redisUrl === '') problems.push({ code: 'bad-type', source: at('redisUrl'), message: `must be a non-empty string, got ${data.redisUrl === '' ? 'an empty one' : typeName(data.redisUrl)}` });
    else settings.redisUrl = { value: data.redisUrl, source: at('redisUrl') };
  }
  if (data.accounts !== undefined) {
    if (!isObject(data.accounts)) problems.push({ code: 'bad-type', source: at('accounts'), message: `must be an object of account name → settings, got ${typeName(data.accounts)}` });
    else {
      for (const [name, raw] of Object.entries(data.accounts)) {
        const place = keyPath('accounts', name);
        if (!ACCOUNT_NAME_PATTERN.test(name)) {
          problems.push({ code: 'bad-value', source: at(place), message: `an account name must be ${ACCOUNT_NAME_RULE}` });
          continue;
        }
        if (!isObject(raw)) {
          problems.push({ code: 'bad-type', source: at(place), message: `must be an object of settings, got ${typeName(raw)}` });
          continue;
        }
        settings.accounts.set(name, checkAccountData(raw, place, file, at, problems));
      }
    }
  }
  if (problems.length > 0) throw new ConfigError({ problems });
  return settings;
}

function checkAccountData(raw: Record<string, unknown>, place: string, file: string, at: (name: string) => ConfigSource, problems: ConfigProblem[]): AccountSettings {
  const account: AccountSettings = { place: at(place) };
  for (const [key, value] of Object.entries(raw)) {
    const name = keyPath(place, key);
    if (key === 'token') {
      problems.push({
        code: 'token-in-file',
        source: at(name),
        message: 'a token is not taken from the config file (config files get copied, committed and shown); put it in a file of its own (chmod 600) and name that file in "tokenFile", or set OPTIMO_TOKEN',
      });
      continue;
    }
    if (!Object.hasOwn(ACCOUNT_KEYS, key)) {
      problems.push({ code: 'unknown-setting', source: at(name), message: `unknown setting (known: ${Object.keys(ACCOUNT_KEYS).join(', ')})` });
      continue;
    }
    const expected = ACCOUNT_KEYS[key as AccountKey];
    if (typeof value !== expected) {
      problems.push({ code: 'bad-type', source: at(name), message: `must be a ${expected}, got ${typeName(value)}` });
      continue;
    }
    if (value === '') {
      problems.push({ code: 'bad-value', source: at(name), message: 'must not be empty' });
      continue;
    }
    const source = at(name);
    if (key === 'quota') account.quota = { value: value as number, source };
    else if (PATH_KEYS.has(key)) account[key as 'tokenFile' | 'caFile'] = { value: resolve(dirname(file), value as string), source };
    else account[key as 'endpoint' | 'timeZone'] = { value: value as string, source };
  }
  return account;
}
