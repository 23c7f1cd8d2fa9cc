/**
 * Where a setting came from, the one error of the config module, and the secret holder.
 *
 * | problem code      | meaning                                                                   |
 * | ----------------- | ------------------------------------------------------------------------- |
 * | `not-found`       | a file named by a setting (config, token, CA) does not exist              |
 * | `unreadable`      | that file exists but cannot be read, is not a file, or is too large       |
 * | `bad-json`        | the config file is not JSON (line and column given, the text never shown) |
 * | `unknown-setting` | a key the config file does not know (a typo shows instead of being lost)  |
 * | `bad-type`        | a value of the wrong JSON type                                            |
 * | `token-in-file`   | a literal `token` in the config file: refused, use `tokenFile`            |
 * | `bad-value`       | a value out of its rule (not https, unknown zone, not a whole number, …)  |
 * | `missing`         | an account lacks its endpoint or token; no account at all                 |
 * | `conflict`        | two settings of one layer say the same thing (OPTIMO_TOKEN and OPTIMO_TOKEN_FILE) |
 *
 * Every message is checked against every secret the resolution saw (tokens, the Redis password)
 * and any occurrence is replaced by `[hidden]` before it leaves the module.
 */
import { inspect } from 'node:util';

export type ConfigLayer = 'default' | 'file' | 'env' | 'flag';

export interface ConfigSource {
  layer: ConfigLayer;
  /** The environment variable, the flag, the JSON path in the file, or what the default is. */
  name: string;
  /** The config file, for the `file` layer. */
  file?: string;
}

/** `OPTIMO_ENDPOINT`, `--endpoint`, `/etc/optimo-import.json: accounts.riverside.endpoint`, `default`. */
export function formatSource(source: ConfigSource): string {
  if (source.layer === 'file') return `${source.file ?? 'config file'}: ${source.name}`;
  if (source.layer === 'default') return source.name === '' ? 'default' : `default (${source.name})`;
  return source.name;
}

export type ConfigProblemCode = 'not-found' | 'unreadable' | 'bad-json' | 'unknown-setting' | 'bad-type' | 'token-in-file' | 'bad-value' | 'missing' | 'conflict';

export interface ConfigProblem {
  code: ConfigProblemCode;
  /** The setting at fault, with its layer; absent for problems of the whole config (no account). */
  source?: ConfigSource;
  /** Without the source prefix. Never holds a secret. */
  message: string;
}

export interface ConfigErrorInit {
  problems: ConfigProblem[];
  cause?: unknown;
}

/** Every problem found, one per line: `[config] OPTIMO_ENDPOINT: must be an https:// URL …`. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  /** The first problem's code. */
  readonly code: ConfigProblemCode;
  readonly problems: readonly ConfigProblem[];

  constructor(init: ConfigErrorInit) {
    super(formatProblems(init.problems), init.cause === undefined ? undefined : { cause: init.cause });
    this.problems = init.problems;
    this.code = init.problems[0]?.code ?? 'bad-value';
  }
}

/** Type guard by name, so that two copies of the module still match. */
export function isConfigError(error: unknown): error is ConfigError {
  return error instanceof Error && error.name === 'ConfigError';
}

export function formatProblem(problem: ConfigProblem): string {
  return problem.source === undefined ? problem.message : `${formatSource(problem.source)}: ${problem.message}`;
}

function formatProblems(problems: readonly ConfigProblem[]): string {
  if (problems.length === 1) return `[config] ${formatProblem(problems[0] as ConfigProblem)}`;
  return `[config] ${problems.length} problems:\n${problems.map((problem) => `  ${formatProblem(problem)}`).join('\n')}`;
}

const HIDDEN = '[hidden]';

/**
 * A value that must never be printed: `reveal()` gives it to the code that sends it; JSON,
 * `String()`, template literals and `console.log` / `util.inspect` all show `[hidden]`.
 */
export interface Secret {
  reveal(): string;
  /** Characters in the secret (shown as "set (32 chars)"). */
  readonly length: number;
  toJSON(): string;
  toString(): string;
}

export function createSecret(value: string): Secret {
  return {
    reveal: () => value,
    length: value.length,
    toJSON: () => HIDDEN,
    toString: () => HIDDEN,
    [inspect.custom]: () => HIDDEN,
  } as Secret;
}

/**
 * Secrets shorter than this are not searched for in texts (a one-letter Redis password would
 * blank every such letter of every message); nothing here prints a secret in the first place.
 */
export const MIN_REDACTED_LENGTH = 4;

/** Replaces every occurrence of every secret in a text (longest first). */
export function redactSecrets(text: string, secrets: Iterable<string>): string {
  let out = text;
  const list = [...new Set(secrets)].filter((secret) => secret.length >= MIN_REDACTED_LENGTH).sort((a, b) => b.length - a.length);
  for (const secret of list) out = out.split(secret).join(HIDDEN);
  return out;
}
