/**
 * The worker's configuration: the one module that reads the environment.
 *
 * Layers, each overriding the one before, setting by setting:
 *
 * | layer       | gives                                                                                   |
 * | ----------- | --------------------------------------------------------------------------------------- |
 * | defaults    | `redisUrl` = `redis://127.0.0.1:6379`; no account                                       |
 * | config file | `--config FILE`, else `OPTIMO_CONFIG`, else `./optimo-import.json` when present (./config-file.ts) |
 * | environment | `OPTIMO_ENDPOINT`, `OPTIMO_TOKEN` or `OPTIMO_TOKEN_FILE`, `OPTIMO_CA_FILE`, `OPTIMO_TIME_ZONE` for the account `default`; `REDIS_URL` |
 * | flags       | `--endpoint`, `--token-file`, `--ca-file`, `--time-zone` for the account `--account NAME` (default `default`); `--redis-url` |
 *
 * The token is one setting whichever form it takes: the highest layer that gives a token
 * (`OPTIMO_TOKEN`) or a token file wins. There is no `--token` flag (a command line is visible to
 * every user of the machine) and no literal token in the config file (see ./config-file.ts).
 * An empty environment variable counts as unset. Relative paths are taken from the working
 * folder (environment, flags) or from the config file's folder (the file).
 *
 * `resolveConfig` is pure given its inputs: the environment and the working folder are passed in
 * (the CLI passes `process.env`, tests pass objects); it reads only the files the settings name.
 */
import { readFile, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { isTimeZone } from '@optimo-import/mapper';
import { ConfigError, createSecret, formatSource, redactSecrets } from './config-error.js';
import type { ConfigProblem, ConfigSource, Secret } from './config-error.js';
import { ACCOUNT_NAME_PATTERN, ACCOUNT_NAME_RULE, chooseConfigFile, readConfigFile } from './config-file.js';
import type { AccountSettings, LayerSettings, Setting } from './config-file.js';

/** The account the environment variables configure, and the flags unless `--account` names another. */
export const DEFAULT_ACCOUNT = 'default';
export const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';
/** A token file larger than this is not a token file. */
export const MAX_TOKEN_FILE_BYTES = 4096;
export const MAX_CA_FILE_BYTES = 1024 * 1024;

/** The environment variables read, by setting. */
export const CONFIG_ENV = {
  config: 'OPTIMO_CONFIG',
  endpoint: 'OPTIMO_ENDPOINT',
  token: 'OPTIMO_TOKEN',
  tokenFile: 'OPTIMO_TOKEN_FILE',
  caFile: 'OPTIMO_CA_FILE',
  timeZone: 'OPTIMO_TIME_ZONE',
  redisUrl: 'REDIS_URL',
} as const;

/** The config flags as `parseArgs` options, for every command that talks to the API or the queue. */
export const CONFIG_FLAG_OPTIONS = {
  config: { type: 'string' },
  account: { type: 'string' },
  endpoint: { type: 'string' },
  'token-file': { type: 'string' },
  'ca-file': { type: 'string' },
  'time-zone': { type: 'string' },
  'redis-url': { type: 'string' },
} as const;

export interface ConfigFlags {
  /** `--config FILE` */
  config?: string;
  /** `--account NAME`: the account the other flags set, and the only one used. */
  account?: string;
  endpoint?: string;
  tokenFile?: string;
  caFile?: string;
  timeZone?: string;
  redisUrl?: string;
}

/** `parseArgs` values (kebab-case) → `ConfigFlags`. */
export function configFlagsOf(values: Readonly<Partial<Record<keyof typeof CONFIG_FLAG_OPTIONS, unknown>>>): ConfigFlags {
  const text = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);
  return {
    config: text(values.config),
    account: text(values.account),
    endpoint: text(values.endpoint),
    tokenFile: text(values['token-file']),
    caFile: text(values['ca-file']),
    timeZone: text(values['time-zone']),
    redisUrl: text(values['redis-url']),
  };
}

export interface ResolveConfigOptions {
  flags?: ConfigFlags;
  /** The environment (`process.env` from the CLI; an object in tests). */
  env: Readonly<Record<string, string | undefined>>;
  /** The working folder: relative paths of the environment and flags, and where `optimo-import.json` is looked for. */
  cwd: string;
  /** For the token file permission check; default `process.platform` (no check on win32). */
  platform?: NodeJS.Platform;
  /** No account configured is fine (`--sandbox` brings its own). Default false: it is a problem. */
  allowNoAccounts?: boolean;
}

export interface ResolvedAccount {
  name: string;
  /** Normalised https:// URL. */
  endpoint: Setting<string>;
  /** `file` is the token file the token was read from, when it was. */
  token: { secret: Secret; source: ConfigSource; file?: string };
  /** Extra certificate authorities (PEM) to trust besides the system's. */
  ca?: { file: string; pem: string; source: ConfigSource };
  /** The configured zone; absent: the account's own (system.current). */
  timeZone?: Setting<string>;
  /** Requests per day this importer may use; absent: the account's request limit. */
  quota?: Setting<number>;
}

export interface ResolvedConfig {
  /** The config file read, if any. */
  configFile?: { path: string; source: ConfigSource };
  /** `url.reveal()` to connect; `shown` has any password replaced by `***`. */
  redis: { url: Secret; shown: string; source: ConfigSource };
  /** Every account configured, in the order the layers name them. */
  accounts: ResolvedAccount[];
  /** The names of the accounts to use: `--account NAME`, else all. */
  selected: string[];
  /** Things worth fixing that do not stop a run (a token file others can read). No secrets. */
  warnings: string[];
}

/** Reads the real process's environment and working folder: the CLI's input to `resolveConfig`. */
export function readProcessContext(): Pick<ResolveConfigOptions, 'env' | 'cwd'> {
  return { env: process.env, cwd: process.cwd() };
}

interface Context {
  problems: ConfigProblem[];
  warnings: string[];
  /** Every secret seen, to redact from every message. */
  secrets: Set<string>;
  platform: NodeJS.Platform;
}

/** Resolves the layers into the worker's config. Throws `ConfigError` listing every problem found. */
export async function resolveConfig(options: ResolveConfigOptions): Promise<ResolvedConfig> {
  const flags = options.flags ?? {};
  const env = options.env;
  const cwd = options.cwd;
  const context: Context = { problems: [], warnings: [], secrets: new Set(), platform: options.platform ?? process.platform };
  const envValue = (name: string): string | undefined => {
    const value = env[name];
    return value === undefined || value === '' ? undefined : value;
  };
  const literalToken = envValue(CONFIG_ENV.token);
  if (literalToken !== undefined) context.secrets.add(literalToken);

  const choice = chooseConfigFile({ flag: flags.config, env: envValue(CONFIG_ENV.config), cwd });
  if (flags.config === '') context.problems.push({ code: 'bad-value', source: { layer: 'flag', name: '--config' }, message: 'must not be empty' });
  const file = flags.config === '' ? undefined : await readConfigFile(choice);

  const layers: LayerSettings[] = [];
  if (file !== undefined) layers.push(file.settings);
  layers.push(envLayer(envValue, cwd, context), flagLayer(flags, cwd, context));

  const merged = mergeAccounts(layers);
  const redisSetting = layers.reduce<Setting<string>>((current, layer) => layer.redisUrl ?? current, { value: DEFAULT_REDIS_URL, source: { layer: 'default', name: '' } });
  const redis = resolveRedis(redisSetting, context);

  const accounts: ResolvedAccount[] = [];
  for (const [name, account] of merged) {
    const resolved = await resolveAccount(name, account, context);
    if (resolved !== undefined) accounts.push(resolved);
  }

  if (merged.size === 0 && options.allowNoAccounts !== true) {
    const where = file === undefined ? `no ${choice.path}` : `${file.path} names none`;
    context.problems.push({
      code: 'missing',
      message: `no account is configured: set ${CONFIG_ENV.endpoint} and ${CONFIG_ENV.token} (or ${CONFIG_ENV.tokenFile}), or name accounts in a config file (${where})`,
    });
  }
  let selected = [...merged.keys()];
  if (flags.account !== undefined) {
    const source: ConfigSource = { layer: 'flag', name: '--account' };
    if (!ACCOUNT_NAME_PATTERN.test(flags.account)) context.problems.push({ code: 'bad-value', source, message: `an account name must be ${ACCOUNT_NAME_RULE}` });
    else if (!merged.has(flags.account) && merged.size > 0) {
      context.problems.push({ code: 'missing', source, message: `no account "${flags.account}" is configured (configured: ${[...merged.keys()].join(', ')})` });
    }
    selected = [flags.account];
  }

  const secrets = context.secrets;
  if (context.problems.length > 0) {
    throw new ConfigError({ problems: context.problems.map((problem) => ({ ...problem, message: redactSecrets(problem.message, secrets) })) });
  }
  return {
    configFile: file === undefined ? undefined : { path: file.path, source: file.source },
    redis: redis as NonNullable<typeof redis>,
    accounts,
    selected,
    warnings: context.warnings.map((warning) => redactSecrets(warning, secrets)),
  };
}

function envLayer(envValue: (name: string) => string | undefined, cwd: string, context: Context): LayerSettings {
  const at = (name: string): ConfigSource => ({ layer: 'env', name });
  const account: AccountSettings = {};
  const endpoint = envValue(CONFIG_ENV.endpoint);
  if (endpoint !== undefined) account.endpoint = { value: endpoint, source: at(CONFIG_ENV.endpoint) };
  const token = envValue(CONFIG_ENV.token);
  const tokenFile = envValue(CONFIG_ENV.tokenFile);
  if (token !== undefined && tokenFile !== undefined) {
    context.problems.push({ code: 'conflict', source: at(CONFIG_ENV.tokenFile), message: `${CONFIG_ENV.token} is set too: set one of the two` });
  } else if (token !== undefined) account.token = { value: token, source: at(CONFIG_ENV.token) };
  else if (tokenFile !== undefined) account.tokenFile = { value: resolve(cwd, tokenFile), source: at(CONFIG_ENV.tokenFile) };
  const caFile = envValue(CONFIG_ENV.caFile);
  if (caFile !== undefined) account.caFile = { value: resolve(cwd, caFile), source: at(CONFIG_ENV.caFile) };
  const timeZone = envValue(CONFIG_ENV.timeZone);
  if (timeZone !== undefined) account.timeZone = { value: timeZone, source: at(CONFIG_ENV.timeZone) };
  const redisUrl = envValue(CONFIG_ENV.redisUrl);
  const layer: LayerSettings = { accounts: new Map() };
  if (Object.keys(account).length > 0) layer.accounts.set(DEFAULT_ACCOUNT, account);
  if (redisUrl !== undefined) layer.redisUrl = { value: redisUrl, source: at(CONFIG_ENV.redisUrl) };
  return layer;
}

function flagLayer(flags: ConfigFlags, cwd: string, context: Context): LayerSettings {
  const account: AccountSettings = {};
  const layer: LayerSettings = { accounts: new Map() };
  const take = (flag: string, value: string | undefined): Setting<string> | undefined => {
    if (value === undefined) return undefined;
    const source: ConfigSource = { layer: 'flag', name: flag };
    if (value === '') {
      context.problems.push({ code: 'bad-value', source, message: 'must not be empty' });
      return undefined;
    }
    return { value, source };
  };
  const path = (setting: Setting<string> | undefined): Setting<string> | undefined => setting && { value: resolve(cwd, setting.value), source: setting.source };
  const endpoint = take('--endpoint', flags.endpoint);
  const tokenFile = path(take('--token-file', flags.tokenFile));
  const caFile = path(take('--ca-file', flags.caFile));
  const timeZone = take('--time-zone', flags.timeZone);
  const redisUrl = take('--redis-url', flags.redisUrl);
  if (endpoint) account.endpoint = endpoint;
  if (tokenFile) account.tokenFile = tokenFile;
  if (caFile) account.caFile = caFile;
  if (timeZone) account.timeZone = timeZone;
  if (redisUrl) layer.redisUrl = redisUrl;
  if (Object.keys(account).length > 0) layer.accounts.set(flags.account ?? DEFAULT_ACCOUNT, account);
  return layer;
}

interface MergedAccount {
  /** The first setting that named the account, to say why it exists when it is incomplete. */
  namedBy: ConfigSource;
  endpoint?: Setting<string>;
  token?: { kind: 'literal' | 'file'; setting: Setting<string> };
  caFile?: Setting<string>;
  timeZone?: Setting<string>;
  quota?: Setting<number>;
}

function mergeAccounts(layers: readonly LayerSettings[]): Map<string, MergedAccount> {
  const merged = new Map<string, MergedAccount>();
  for (const layer of layers) {
    for (const [name, settings] of layer.accounts) {
      const first = [settings.endpoint, settings.token, settings.tokenFile, settings.caFile, settings.timeZone, settings.quota].find((setting) => setting !== undefined);
      const namedBy = settings.place ?? first?.source ?? { layer: 'default', name: name };
      const account = merged.get(name) ?? { namedBy };
      if (settings.endpoint) account.endpoint = settings.endpoint;
      if (settings.token) account.token = { kind: 'literal', setting: settings.token };
      if (settings.tokenFile) account.token = { kind: 'file', setting: settings.tokenFile };
      if (settings.caFile) account.caFile = settings.caFile;
      if (settings.timeZone) account.timeZone = settings.timeZone;
      if (settings.quota) account.quota = settings.quota;
      merged.set(name, account);
    }
  }
  return merged;
}

function missingHint(name: string, field: 'endpoint' | 'token'): string {
  const inFile = `"${field === 'token' ? 'tokenFile' : field}" of accounts.${name} in the config file`;
  if (name === DEFAULT_ACCOUNT) {
    return field === 'endpoint' ? `set ${CONFIG_ENV.endpoint} or --endpoint, or ${inFile}` : `set ${CONFIG_ENV.token} or ${CONFIG_ENV.tokenFile}, or --token-file, or ${inFile}`;
  }
  return field === 'endpoint' ? `give --endpoint with --account ${name}, or set ${inFile}` : `give --token-file with --account ${name}, or set ${inFile}`;
}

async function resolveAccount(name: string, account: MergedAccount, context: Context): Promise<ResolvedAccount | undefined> {
  const { problems } = context;
  const before = problems.length;
  const label = `account "${name}" (named by ${formatSource(account.namedBy)})`;
  let endpoint: Setting<string> | undefined;
  if (account.endpoint === undefined) problems.push({ code: 'missing', message: `${label}: no endpoint: ${missingHint(name, 'endpoint')}` });
  else {
    const checked = checkEndpoint(account.endpoint.value);
    if ('problem' in checked) problems.push({ code: 'bad-value', source: account.endpoint.source, message: checked.problem });
    else endpoint = { value: checked.url, source: account.endpoint.source };
  }

  let token: ResolvedAccount['token'] | undefined;
  if (account.token === undefined) problems.push({ code: 'missing', message: `${label}: no token: ${missingHint(name, 'token')}` });
  else if (account.token.kind === 'literal') {
    const { value, source } = account.token.setting;
    const problem = tokenProblem(value);
    if (problem !== undefined) problems.push({ code: 'bad-value', source, message: `the token ${problem}` });
    else token = { secret: createSecret(value), source };
  } else {
    const { value: file, source } = account.token.setting;
    const value = await readTokenFile(file, source, context);
    if (value !== undefined) token = { secret: createSecret(value), source, file };
  }

  let ca: ResolvedAccount['ca'];
  if (account.caFile !== undefined) {
    const pem = await readCaFile(account.caFile.value, account.caFile.source, context);
    if (pem !== undefined) ca = { file: account.caFile.value, pem, source: account.caFile.source };
  }
  if (account.timeZone !== undefined && !isTimeZone(account.timeZone.value)) {
    problems.push({ code: 'bad-value', source: account.timeZone.source, message: `unknown time zone ${JSON.stringify(account.timeZone.value)} (use an IANA name such as Europe/Lisbon)` });
  }
  if (account.quota !== undefined && (!Number.isInteger(account.quota.value) || account.quota.value < 1)) {
    problems.push({ code: 'bad-value', source: account.quota.source, message: `must be a whole number of requests per day, at least 1, got ${account.quota.value}` });
  }
  if (problems.length > before || endpoint === undefined || token === undefined) return undefined;
  return { name, endpoint, token, ca, timeZone: account.timeZone, quota: account.quota };
}

/** The endpoint rules of the uploader's `createClient`, checked here so the message names the setting. */
function checkEndpoint(value: string): { url: string } | { problem: string } {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return { problem: 'is not a URL (it looks like https://ACCOUNT.optimosport.com/api/2.1/xml-in)' };
  }
  if (url.username !== '' || url.password !== '') return { problem: 'must not hold a user name or password (the token is given on its own: OPTIMO_TOKEN or a token file)' };
  if (url.protocol !== 'https:') return { problem: `must be an https:// URL (the token is never sent over plain HTTP), got ${JSON.stringify(url.toString())}` };
  if (url.hash !== '') return { problem: `must have no #fragment, got ${JSON.stringify(url.toString())}` };
  return { url: url.toString() };
}

/** The uploader's token rule (printable ASCII, no whitespace or `:`), worded without the token. */
function tokenProblem(token: string): string | undefined {
  // eslint-disable-next-line no-control-regex
  if (/[\s:\u0000-\u001f\u007f]/.test(token) || [...token].some((char) => char.codePointAt(0)! > 0x7e)) {
    return 'holds characters a token cannot have (whitespace, ":", control or non-ASCII characters); it is not shown';
  }
  return undefined;
}

async function readSmallFile(path: string, what: string, maxBytes: number, source: ConfigSource, context: Context): Promise<{ text: string; mode: number } | undefined> {
  const fail = (code: ConfigProblem['code'], message: string): undefined => {
    context.problems.push({ code, source, message });
    return undefined;
  };
  try {
    const info = await stat(path);
    if (!info.isFile()) return fail('unreadable', `the ${what} ${path} is not a file`);
    if (info.size > maxBytes) return fail('unreadable', `the ${what} ${path} is ${info.size} bytes, over ${maxBytes}: not a ${what}`);
    return { text: await readFile(path, 'utf8'), mode: info.mode };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return fail('not-found', `no ${what} ${path}`);
    return fail('unreadable', `cannot read the ${what} ${path} (${code ?? 'error'})`);
  }
}

async function readTokenFile(path: string, source: ConfigSource, context: Context): Promise<string | undefined> {
  const read = await readSmallFile(path, 'token file', MAX_TOKEN_FILE_BYTES, source, context);
  if (read === undefined) return undefined;
  context.secrets.add(read.text);
  const token = read.text.trim();
  context.secrets.add(token);
  for (const line of read.text.split(/\r?\n/)) context.secrets.add(line.trim());
  if (token === '') {
    context.problems.push({ code: 'bad-value', source, message: `the token file ${path} is empty` });
    return undefined;
  }
  const problem = tokenProblem(token);
  if (problem !== undefined) {
    context.problems.push({ code: 'bad-value', source, message: `the token in ${path} ${problem} (the file holds the token alone, on one line)` });
    return undefined;
  }
  const others = read.mode & 0o044;
  if (context.platform !== 'win32' && others !== 0) {
    const who = others === 0o044 ? 'its group and others' : others === 0o040 ? 'its group' : 'others';
    context.warnings.push(`${formatSource(source)}: the token file ${path} can be read by ${who} (mode ${(read.mode & 0o777).toString(8).padStart(3, '0')}): chmod 600 ${path}`);
  }
  return token;
}

async function readCaFile(path: string, source: ConfigSource, context: Context): Promise<string | undefined> {
  const read = await readSmallFile(path, 'CA file', MAX_CA_FILE_BYTES, source, context);
  if (read === undefined) return undefined;
  if (!read.text.includes('-----BEGIN CERTIFICATE-----')) {
    context.problems.push({ code: 'bad-value', source, message: `the CA file ${path} holds no PEM certificate (-----BEGIN CERTIFICATE-----)` });
    return undefined;
  }
  return read.text;
}

function resolveRedis(setting: Setting<string>, context: Context): ResolvedConfig['redis'] | undefined {
  const fail = (message: string): undefined => {
    context.problems.push({ code: 'bad-value', source: setting.source, message });
    return undefined;
  };
  let url: URL;
  try {
    url = new URL(setting.value);
  } catch {
    return fail('is not a URL (redis://HOST:PORT/DB, or rediss:// for TLS)');
  }
  if (url.password !== '') {
    context.secrets.add(url.password);
    try {
      context.secrets.add(decodeURIComponent(url.password));
    } catch {
      // a malformed escape: the raw form is redacted already
    }
  }
  const shown = new URL(url.toString());
  if (shown.password !== '') shown.password = '***';
  if (url.protocol !== 'redis:' && url.protocol !== 'rediss:') return fail(`must be a redis:// or rediss:// URL, got ${JSON.stringify(shown.toString())}`);
  return { url: createSecret(url.toString()), shown: shown.toString(), source: setting.source };
}
