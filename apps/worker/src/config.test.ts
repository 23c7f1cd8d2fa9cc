import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeConfig, formatConfigText } from './config-describe.js';
import { isConfigError } from './config-error.js';
import type { ConfigError } from './config-error.js';
import { DEFAULT_REDIS_URL, resolveConfig } from './config.js';
import type { ConfigFlags, ResolvedConfig } from './config.js';

const TOKEN = 'tok-A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6';
const TOKEN_2 = 'tok-second-9z8y7x6w5v4u3t2s1r0q';
const FILE_TOKEN = 'tok-from-a-file-Qq1Ww2Ee3Rr4Tt5';
const PEM = '-----BEGIN CERTIFICATE-----\nMIIBfake\n-----END CERTIFICATE-----\n';
const SECRETS = [TOKEN, TOKEN_2, FILE_TOKEN];

let root: string;
let count = 0;

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'optimo-config-'));
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** A fresh folder with the given files (strings are written as-is, objects as JSON). */
function folder(files: Record<string, string | object> = {}): string {
  const dir = join(root, `case-${++count}`);
  mkdirSync(dir, { recursive: true });
  for (const [name, content] of Object.entries(files)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), typeof content === 'string' ? content : JSON.stringify(content, null, 2), { mode: 0o600 });
  }
  return dir;
}

async function resolveIn(cwd: string, env: Record<string, string | undefined> = {}, flags: ConfigFlags = {}): Promise<ResolvedConfig> {
  return resolveConfig({ env, cwd, flags });
}

async function failure(promise: Promise<unknown>): Promise<ConfigError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  if (!isConfigError(error)) throw new Error(`expected a ConfigError, got ${String(error)}`);
  return error;
}

function expectNoSecret(text: string): void {
  for (const secret of SECRETS) expect(text).not.toContain(secret);
}

const ENDPOINT = (host: string): string => `https://${host}.optimosport.com/api/2.1/xml-in`;

describe('resolveConfig: an environment-only run', () => {
  it('needs no config file: OPTIMO_* make the account "default", REDIS_URL the queue', async () => {
    const cwd = folder({ 'ca.pem': PEM });
    const config = await resolveIn(cwd, {
      OPTIMO_ENDPOINT: ENDPOINT('riverside'),
      OPTIMO_TOKEN: TOKEN,
      OPTIMO_CA_FILE: 'ca.pem',
      OPTIMO_TIME_ZONE: 'Europe/Lisbon',
      REDIS_URL: 'redis://queue.internal:6380/2',
    });
    expect(config.configFile).toBeUndefined();
    expect(config.selected).toEqual(['default']);
    expect(config.redis.shown).toBe('redis://queue.internal:6380/2');
    expect(config.redis.source).toEqual({ layer: 'env', name: 'REDIS_URL' });
    const [account] = config.accounts;
    expect(account?.name).toBe('default');
    expect(account?.endpoint).toEqual({ value: ENDPOINT('riverside'), source: { layer: 'env', name: 'OPTIMO_ENDPOINT' } });
    expect(account?.token.secret.reveal()).toBe(TOKEN);
    expect(account?.token.source).toEqual({ layer: 'env', name: 'OPTIMO_TOKEN' });
    expect(account?.ca).toMatchObject({ file: join(cwd, 'ca.pem'), pem: PEM, source: { layer: 'env', name: 'OPTIMO_CA_FILE' } });
    expect(account?.timeZone?.value).toBe('Europe/Lisbon');
    expect(config.warnings).toEqual([]);
  });

  it('takes the default Redis URL and treats empty variables as unset', async () => {
    const config = await resolveIn(folder(), { OPTIMO_ENDPOINT: ENDPOINT('a'), OPTIMO_TOKEN: TOKEN, OPTIMO_TIME_ZONE: '', REDIS_URL: '', OPTIMO_CONFIG: '' });
    expect(config.redis.url.reveal()).toBe(DEFAULT_REDIS_URL);
    expect(config.redis.source.layer).toBe('default');
    expect(config.accounts[0]?.timeZone).toBeUndefined();
  });

  it('with nothing configured says what to set', async () => {
    const cwd = folder();
    const error = await failure(resolveIn(cwd, {}));
    expect(error.code).toBe('missing');
    expect(error.message).toBe(`[config] no account is configured: set OPTIMO_ENDPOINT and OPTIMO_TOKEN (or OPTIMO_TOKEN_FILE), or name accounts in a config file (no ${join(cwd, 'optimo-import.json')})`);
  });

  it('an incomplete account says what made it and what is missing', async () => {
    const error = await failure(resolveIn(folder(), { OPTIMO_TIME_ZONE: 'Europe/Lisbon' }));
    expect(error.problems.map((problem) => problem.message)).toEqual([
      'account "default" (named by OPTIMO_TIME_ZONE): no endpoint: set OPTIMO_ENDPOINT or --endpoint, or "endpoint" of accounts.default in the config file',
      'account "default" (named by OPTIMO_TIME_ZONE): no token: set OPTIMO_TOKEN or OPTIMO_TOKEN_FILE, or --token-file, or "tokenFile" of accounts.default in the config file',
    ]);
    expect(error.message.split('\n')[0]).toBe('[config] 2 problems:');
  });
});

describe('resolveConfig: each layer overrides the one before', () => {
  const fileConfig = {
    redisUrl: 'redis://file-host:6379',
    accounts: {
      default: { endpoint: ENDPOINT('file'), tokenFile: 'secrets/file.token', caFile: 'file-ca.pem', timeZone: 'Europe/Paris', quota: 4000 },
      riverside: { endpoint: ENDPOINT('riverside'), tokenFile: 'secrets/file.token' },
    },
  };
  const files = { 'optimo-import.json': fileConfig, 'secrets/file.token': `${FILE_TOKEN}\n`, 'file-ca.pem': PEM, 'env-ca.pem': PEM, 'flag-ca.pem': PEM, 'flag.token': TOKEN_2 };

  it('config file alone', async () => {
    const cwd = folder(files);
    const config = await resolveIn(cwd);
    const file = join(cwd, 'optimo-import.json');
    expect(config.configFile).toEqual({ path: file, source: { layer: 'default', name: 'optimo-import.json in the working folder' } });
    expect(config.accounts.map((account) => account.name)).toEqual(['default', 'riverside']);
    const account = config.accounts[0]!;
    expect(account.endpoint).toEqual({ value: ENDPOINT('file'), source: { layer: 'file', name: 'accounts.default.endpoint', file } });
    expect(account.token.secret.reveal()).toBe(FILE_TOKEN);
    expect(account.token.file).toBe(join(cwd, 'secrets', 'file.token'));
    expect(account.ca?.file).toBe(join(cwd, 'file-ca.pem'));
    expect(account.timeZone?.value).toBe('Europe/Paris');
    expect(account.quota).toEqual({ value: 4000, source: { layer: 'file', name: 'accounts.default.quota', file } });
    expect(config.redis.shown).toBe('redis://file-host:6379');
  });

  it('the environment over the file', async () => {
    const cwd = folder(files);
    const config = await resolveIn(cwd, { OPTIMO_ENDPOINT: ENDPOINT('env'), OPTIMO_TOKEN: TOKEN, OPTIMO_CA_FILE: 'env-ca.pem', OPTIMO_TIME_ZONE: 'Europe/Lisbon', REDIS_URL: 'redis://env-host:6379' });
    const account = config.accounts[0]!;
    expect(account.endpoint.value).toBe(ENDPOINT('env'));
    expect(account.token.secret.reveal()).toBe(TOKEN);
    expect(account.token).toMatchObject({ source: { layer: 'env', name: 'OPTIMO_TOKEN' } });
    expect(account.token.file).toBeUndefined();
    expect(account.ca?.file).toBe(join(cwd, 'env-ca.pem'));
    expect(account.timeZone?.source.name).toBe('OPTIMO_TIME_ZONE');
    expect(account.quota?.value).toBe(4000);
    expect(config.redis.shown).toBe('redis://env-host:6379');
    // the environment sets "default" only: the file's other account is as the file says
    expect(config.accounts[1]?.endpoint.value).toBe(ENDPOINT('riverside'));
  });

  it('the flags over the environment', async () => {
    const cwd = folder(files);
    const config = await resolveIn(
      cwd,
      { OPTIMO_ENDPOINT: ENDPOINT('env'), OPTIMO_TOKEN: TOKEN, OPTIMO_CA_FILE: 'env-ca.pem', OPTIMO_TIME_ZONE: 'Europe/Lisbon', REDIS_URL: 'redis://env-host:6379' },
      { endpoint: ENDPOINT('flag'), tokenFile: 'flag.token', caFile: 'flag-ca.pem', timeZone: 'America/Denver', redisUrl: 'rediss://flag-host:6379' },
    );
    const account = config.accounts[0]!;
    expect(account.endpoint).toEqual({ value: ENDPOINT('flag'), source: { layer: 'flag', name: '--endpoint' } });
    expect(account.token.secret.reveal()).toBe(TOKEN_2);
    expect(account.token).toMatchObject({ file: join(cwd, 'flag.token'), source: { layer: 'flag', name: '--token-file' } });
    expect(account.ca?.source).toEqual({ layer: 'flag', name: '--ca-file' });
    expect(account.timeZone?.value).toBe('America/Denver');
    expect(config.redis).toMatchObject({ shown: 'rediss://flag-host:6379', source: { layer: 'flag', name: '--redis-url' } });
  });

  it('a token file in the environment beats a token file in the config file', async () => {
    const cwd = folder({ ...files, 'env.token': `${TOKEN}\n` });
    const config = await resolveIn(cwd, { OPTIMO_TOKEN_FILE: 'env.token' });
    expect(config.accounts[0]?.token).toMatchObject({ file: join(cwd, 'env.token'), source: { name: 'OPTIMO_TOKEN_FILE' } });
    expect(config.accounts[0]?.token.secret.reveal()).toBe(TOKEN);
  });

  it('--account NAME: the flags set that account, and only it is selected', async () => {
    const cwd = folder(files);
    const config = await resolveIn(cwd, { OPTIMO_ENDPOINT: ENDPOINT('env') }, { account: 'riverside', endpoint: ENDPOINT('flag'), timeZone: 'Europe/Madrid' });
    expect(config.selected).toEqual(['riverside']);
    const riverside = config.accounts.find((account) => account.name === 'riverside')!;
    expect(riverside.endpoint.value).toBe(ENDPOINT('flag'));
    expect(riverside.timeZone?.value).toBe('Europe/Madrid');
    expect(config.accounts.find((account) => account.name === 'default')?.endpoint.value).toBe(ENDPOINT('env'));
  });

  it('--account naming no account is an error listing the ones there are', async () => {
    const error = await failure(resolveIn(folder(files), {}, { account: 'mountain' }));
    expect(error.message).toBe('[config] --account: no account "mountain" is configured (configured: default, riverside)');
    const badName = await failure(resolveIn(folder(files), {}, { account: '../etc' }));
    expect(badName.message).toContain("--account: an account name must be letters, digits, '.', '_' and '-'");
  });
});

describe('resolveConfig: which config file', () => {
  const account = (host: string): object => ({ accounts: { [host]: { endpoint: ENDPOINT(host), tokenFile: 't' } } });

  it('--config beats OPTIMO_CONFIG, which beats ./optimo-import.json', async () => {
    const cwd = folder({ 'optimo-import.json': account('cwd'), 'env.json': account('env'), 'flag.json': account('flag'), t: TOKEN });
    expect((await resolveIn(cwd)).accounts[0]?.name).toBe('cwd');
    const fromEnv = await resolveIn(cwd, { OPTIMO_CONFIG: 'env.json' });
    expect(fromEnv.accounts[0]?.name).toBe('env');
    expect(fromEnv.configFile?.source).toEqual({ layer: 'env', name: 'OPTIMO_CONFIG' });
    const fromFlag = await resolveIn(cwd, { OPTIMO_CONFIG: 'env.json' }, { config: 'flag.json' });
    expect(fromFlag.accounts[0]?.name).toBe('flag');
    expect(fromFlag.configFile).toEqual({ path: join(cwd, 'flag.json'), source: { layer: 'flag', name: '--config' } });
  });

  it('a named config file that is not there is an error; the default one may be absent', async () => {
    const cwd = folder();
    const error = await failure(resolveIn(cwd, { OPTIMO_ENDPOINT: ENDPOINT('a'), OPTIMO_TOKEN: TOKEN }, { config: 'nope.json' }));
    expect(error.code).toBe('not-found');
    expect(error.message).toBe(`[config] --config: no config file ${join(cwd, 'nope.json')}`);
    const viaEnv = await failure(resolveIn(cwd, { OPTIMO_CONFIG: '/no/such/optimo.json' }));
    expect(viaEnv.message).toBe('[config] OPTIMO_CONFIG: no config file /no/such/optimo.json');
  });

  it('paths in the file are taken from the file\'s folder, paths in the environment from the working folder', async () => {
    const cwd = folder({ 'conf/optimo.json': { accounts: { a: { endpoint: ENDPOINT('a'), tokenFile: 'a.token', caFile: '../ca.pem' } } }, 'conf/a.token': TOKEN, 'ca.pem': PEM });
    const config = await resolveIn(join(cwd, 'conf', '..'), {}, { config: 'conf/optimo.json' });
    expect(config.accounts[0]?.token.file).toBe(join(cwd, 'conf', 'a.token'));
    expect(config.accounts[0]?.ca?.file).toBe(join(cwd, 'ca.pem'));
  });
});

describe('resolveConfig: the config file is checked, with the place of each problem', () => {
  it('refuses a literal token, without echoing it', async () => {
    const cwd = folder({ 'optimo-import.json': { accounts: { riverside: { endpoint: ENDPOINT('riverside'), token: TOKEN } } } });
    const error = await failure(resolveIn(cwd));
    expect(error.code).toBe('token-in-file');
    expect(error.message).toContain(`${join(cwd, 'optimo-import.json')}: accounts.riverside.token: a token is not taken from the config file`);
    expect(error.message).toContain('"tokenFile"');
    expectNoSecret(error.message);
  });

  it('names the line and column of a JSON error, never the text around it', async () => {
    const cwd = folder({ 'optimo-import.json': `{\n  "accounts": {\n    "a": { "tokenFile": "${TOKEN}" x }\n  }\n}\n` });
    const error = await failure(resolveIn(cwd));
    expect(error.code).toBe('bad-json');
    expect(error.message).toMatch(/^\[config\] .*optimo-import\.json: line 3, column \d+: not valid JSON$/);
    expectNoSecret(error.message);
  });

  it('lists every shape problem at once: unknown keys, wrong types, bad names', async () => {
    const cwd = folder({
      'optimo-import.json': { redis: 'x', accounts: { 'bad name': {}, a: { endpoint: 5, tokenfile: 'x', quota: '100', timeZone: '' }, b: [] } },
    });
    const error = await failure(resolveIn(cwd));
    const file = join(cwd, 'optimo-import.json');
    expect(error.problems.map((problem) => `${problem.source?.name}: ${problem.message}`)).toEqual([
      'redis: unknown setting (known: redisUrl, accounts)',
      `accounts["bad name"]: an account name must be letters, digits, '.', '_' and '-', starting with a letter or digit, at most 63`,
      'accounts.a.endpoint: must be a string, got a number',
      'accounts.a.tokenfile: unknown setting (known: endpoint, tokenFile, caFile, timeZone, quota)',
      'accounts.a.quota: must be a number, got a string',
      'accounts.a.timeZone: must not be empty',
      'accounts.b: must be an object of settings, got an array',
    ]);
    expect(error.problems.every((problem) => problem.source?.file === file)).toBe(true);
  });

  it('checks values by the same rules as the other layers: quota, zone, endpoint', async () => {
    const cwd = folder({ 'optimo-import.json': { accounts: { a: { endpoint: 'http://a.example/api', tokenFile: 't', quota: 2.5, timeZone: 'Mars/Olympus' } } }, t: TOKEN });
    const error = await failure(resolveIn(cwd));
    const file = join(cwd, 'optimo-import.json');
    expect(error.message.split('\n').slice(1)).toEqual([
      `  ${file}: accounts.a.endpoint: must be an https:// URL (the token is never sent over plain HTTP), got "http://a.example/api"`,
      `  ${file}: accounts.a.timeZone: unknown time zone "Mars/Olympus" (use an IANA name such as Europe/Lisbon)`,
      `  ${file}: accounts.a.quota: must be a whole number of requests per day, at least 1, got 2.5`,
    ]);
  });
});

describe('resolveConfig: tokens', () => {
  it('reads OPTIMO_TOKEN_FILE, dropping the trailing newline', async () => {
    const cwd = folder({ token: `${TOKEN}\n` });
    const config = await resolveIn(cwd, { OPTIMO_ENDPOINT: ENDPOINT('a'), OPTIMO_TOKEN_FILE: join(cwd, 'token') });
    expect(config.accounts[0]?.token.secret.reveal()).toBe(TOKEN);
    expect(config.accounts[0]?.token.secret.length).toBe(TOKEN.length);
    const crlf = folder({ token: `${TOKEN}\r\n` });
    expect((await resolveIn(crlf, { OPTIMO_ENDPOINT: ENDPOINT('a'), OPTIMO_TOKEN_FILE: 'token' })).accounts[0]?.token.secret.reveal()).toBe(TOKEN);
  });

  it('a missing token file is a clear error naming the variable and the path', async () => {
    const cwd = folder();
    const error = await failure(resolveIn(cwd, { OPTIMO_ENDPOINT: ENDPOINT('a'), OPTIMO_TOKEN_FILE: 'missing.token' }));
    expect(error.code).toBe('not-found');
    expect(error.message).toBe(`[config] OPTIMO_TOKEN_FILE: no token file ${join(cwd, 'missing.token')}`);
  });

  it('an empty token file, a folder, a file of two lines are refused without showing their text', async () => {
    const cwd = folder({ empty: '\n', twolines: `${TOKEN}\n${TOKEN_2}\n`, 'dir/x': '' });
    const env = { OPTIMO_ENDPOINT: ENDPOINT('a') };
    expect((await failure(resolveIn(cwd, { ...env, OPTIMO_TOKEN_FILE: 'empty' }))).message).toBe(`[config] OPTIMO_TOKEN_FILE: the token file ${join(cwd, 'empty')} is empty`);
    expect((await failure(resolveIn(cwd, { ...env, OPTIMO_TOKEN_FILE: 'dir' }))).message).toBe(`[config] OPTIMO_TOKEN_FILE: the token file ${join(cwd, 'dir')} is not a file`);
    const two = await failure(resolveIn(cwd, { ...env, OPTIMO_TOKEN_FILE: 'twolines' }));
    expect(two.message).toContain('holds characters a token cannot have');
    expectNoSecret(two.message);
  });

  it('warns when the token file can be read by its group or others (no warning at 0600)', async () => {
    const cwd = folder({ private: TOKEN, shared: TOKEN });
    chmodSync(join(cwd, 'shared'), 0o644);
    const env = { OPTIMO_ENDPOINT: ENDPOINT('a') };
    expect((await resolveConfig({ cwd, env: { ...env, OPTIMO_TOKEN_FILE: 'private' }, platform: 'linux' })).warnings).toEqual([]);
    const shared = await resolveConfig({ cwd, env: { ...env, OPTIMO_TOKEN_FILE: 'shared' }, platform: 'linux' });
    expect(shared.warnings).toEqual([`OPTIMO_TOKEN_FILE: the token file ${join(cwd, 'shared')} can be read by its group and others (mode 644): chmod 600 ${join(cwd, 'shared')}`]);
    expect((await resolveConfig({ cwd, env: { ...env, OPTIMO_TOKEN_FILE: 'shared' }, platform: 'win32' })).warnings).toEqual([]);
  });

  it('OPTIMO_TOKEN and OPTIMO_TOKEN_FILE together are a conflict', async () => {
    const cwd = folder({ t: TOKEN });
    const error = await failure(resolveIn(cwd, { OPTIMO_ENDPOINT: ENDPOINT('a'), OPTIMO_TOKEN: TOKEN_2, OPTIMO_TOKEN_FILE: 't' }));
    expect(error.problems[0]).toMatchObject({ code: 'conflict', message: 'OPTIMO_TOKEN is set too: set one of the two' });
    expectNoSecret(error.message);
  });

  it('a malformed OPTIMO_TOKEN is refused without being shown', async () => {
    const bad = `${TOKEN}:extra`;
    const error = await failure(resolveIn(folder(), { OPTIMO_ENDPOINT: ENDPOINT('a'), OPTIMO_TOKEN: bad }));
    expect(error.message).toBe('[config] OPTIMO_TOKEN: the token holds characters a token cannot have (whitespace, ":", control or non-ASCII characters); it is not shown');
    expectNoSecret(error.message);
  });
});

describe('resolveConfig: endpoint, CA file, zone, Redis', () => {
  it('refuses an http:// endpoint, naming the setting and its layer', async () => {
    const cwd = folder();
    const env = { OPTIMO_ENDPOINT: 'http://riverside.optimosport.com/api/2.1/xml-in', OPTIMO_TOKEN: TOKEN };
    const error = await failure(resolveIn(cwd, env));
    expect(error.code).toBe('bad-value');
    expect(error.message).toBe('[config] OPTIMO_ENDPOINT: must be an https:// URL (the token is never sent over plain HTTP), got "http://riverside.optimosport.com/api/2.1/xml-in"');
    const flag = await failure(resolveIn(cwd, { OPTIMO_TOKEN: TOKEN }, { endpoint: 'http://127.0.0.1:8080/api' }));
    expect(flag.message).toBe('[config] --endpoint: must be an https:// URL (the token is never sent over plain HTTP), got "http://127.0.0.1:8080/api"');
  });

  it('refuses credentials in the endpoint and does not echo a token pasted there', async () => {
    const withUser = await failure(resolveIn(folder(), { OPTIMO_ENDPOINT: `https://${TOKEN}:X@a.optimosport.com/api`, OPTIMO_TOKEN: TOKEN }));
    expect(withUser.message).toBe('[config] OPTIMO_ENDPOINT: must not hold a user name or password (the token is given on its own: OPTIMO_TOKEN or a token file)');
    // the token and the endpoint swapped by mistake
    const swapped = await failure(resolveIn(folder(), { OPTIMO_ENDPOINT: TOKEN, OPTIMO_TOKEN: TOKEN_2 }));
    expect(swapped.message).toBe('[config] OPTIMO_ENDPOINT: is not a URL (it looks like https://ACCOUNT.optimosport.com/api/2.1/xml-in)');
    const inZone = await failure(resolveIn(folder(), { OPTIMO_ENDPOINT: ENDPOINT('a'), OPTIMO_TOKEN: TOKEN, OPTIMO_TIME_ZONE: TOKEN }));
    expect(inZone.message).toBe('[config] OPTIMO_TIME_ZONE: unknown time zone "[hidden]" (use an IANA name such as Europe/Lisbon)');
  });

  it('a CA file must exist and hold a PEM certificate', async () => {
    const cwd = folder({ 'not.pem': 'hello' });
    const env = { OPTIMO_ENDPOINT: ENDPOINT('a'), OPTIMO_TOKEN: TOKEN };
    expect((await failure(resolveIn(cwd, { ...env, OPTIMO_CA_FILE: 'none.pem' }))).message).toBe(`[config] OPTIMO_CA_FILE: no CA file ${join(cwd, 'none.pem')}`);
    expect((await failure(resolveIn(cwd, env, { caFile: 'not.pem' }))).message).toBe(`[config] --ca-file: the CA file ${join(cwd, 'not.pem')} holds no PEM certificate (-----BEGIN CERTIFICATE-----)`);
  });

  it('an unknown zone and an empty flag are refused', async () => {
    const env = { OPTIMO_ENDPOINT: ENDPOINT('a'), OPTIMO_TOKEN: TOKEN };
    expect((await failure(resolveIn(folder(), env, { timeZone: 'Lisbon' }))).message).toBe('[config] --time-zone: unknown time zone "Lisbon" (use an IANA name such as Europe/Lisbon)');
    expect((await failure(resolveIn(folder(), env, { endpoint: '' }))).message).toBe('[config] --endpoint: must not be empty');
  });

  it('hides a Redis password everywhere and refuses another scheme', async () => {
    const env = { OPTIMO_ENDPOINT: ENDPOINT('a'), OPTIMO_TOKEN: TOKEN };
    const config = await resolveIn(folder(), { ...env, REDIS_URL: 'redis://worker:s3cr3t-pass@queue:6379/1' });
    expect(config.redis.url.reveal()).toBe('redis://worker:s3cr3t-pass@queue:6379/1');
    expect(config.redis.shown).toBe('redis://worker:***@queue:6379/1');
    expect(JSON.stringify(describeConfig(config))).not.toContain('s3cr3t-pass');
    const error = await failure(resolveIn(folder(), { ...env, REDIS_URL: 'http://:s3cr3t-pass@queue:6379' }));
    expect(error.message).toBe('[config] REDIS_URL: must be a redis:// or rediss:// URL, got "http://:***@queue:6379/"');
  });
});

describe('describeConfig', () => {
  it('shows where each value came from and the token only as "set (N chars, from …)"', async () => {
    const cwd = folder({ 'optimo-import.json': { accounts: { riverside: { endpoint: ENDPOINT('riverside'), tokenFile: 'riverside.token', quota: 4000 } } }, 'riverside.token': `${FILE_TOKEN}\n` });
    const config = await resolveIn(cwd, { OPTIMO_ENDPOINT: ENDPOINT('env'), OPTIMO_TOKEN: TOKEN, OPTIMO_TIME_ZONE: 'Europe/Lisbon' }, { account: 'riverside' });
    const description = describeConfig(config);
    const file = join(cwd, 'optimo-import.json');
    expect(description.configFile).toEqual({ value: file, layer: 'default', from: 'default (optimo-import.json in the working folder)' });
    expect(description.redisUrl).toEqual({ value: DEFAULT_REDIS_URL, layer: 'default', from: 'default' });
    expect(description.accounts).toEqual([
      {
        name: 'riverside',
        selected: true,
        endpoint: { value: ENDPOINT('riverside'), layer: 'file', from: `${file}: accounts.riverside.endpoint` },
        token: { value: `set (${FILE_TOKEN.length} chars, from the file ${join(cwd, 'riverside.token')})`, layer: 'file', from: `${file}: accounts.riverside.tokenFile` },
        caFile: { value: null, layer: 'default', from: 'default' },
        timeZone: { value: null, layer: 'default', from: 'default' },
        quota: { value: 4000, layer: 'file', from: `${file}: accounts.riverside.quota` },
      },
      {
        name: 'default',
        selected: false,
        endpoint: { value: ENDPOINT('env'), layer: 'env', from: 'OPTIMO_ENDPOINT' },
        token: { value: `set (${TOKEN.length} chars, from OPTIMO_TOKEN)`, layer: 'env', from: 'OPTIMO_TOKEN' },
        caFile: { value: null, layer: 'default', from: 'default' },
        timeZone: { value: 'Europe/Lisbon', layer: 'env', from: 'OPTIMO_TIME_ZONE' },
        quota: { value: null, layer: 'default', from: 'default' },
      },
    ]);
    const text = formatConfigText(description).join('\n');
    expect(text).toContain(`  token       set (${TOKEN.length} chars, from OPTIMO_TOKEN)  (OPTIMO_TOKEN)`);
    expect(text).toContain("  time zone   the account's own (system.current)  (default)");
    expect(formatConfigText(describeConfig(await resolveIn(folder(), { OPTIMO_ENDPOINT: ENDPOINT('a'), OPTIMO_TOKEN: TOKEN })))[0]).toBe(
      'config file   none (no --config, no OPTIMO_CONFIG, no optimo-import.json in the working folder)  (default)',
    );
    expectNoSecret(text);
    expectNoSecret(JSON.stringify(description));
  });

  it('the resolved config itself never shows a secret: JSON, String(), inspect', async () => {
    const cwd = folder({ t: FILE_TOKEN });
    const config = await resolveIn(cwd, { OPTIMO_ENDPOINT: ENDPOINT('a'), OPTIMO_TOKEN_FILE: 't', REDIS_URL: 'redis://:s3cr3t-pass@q:6379' });
    for (const text of [JSON.stringify(config), inspect(config, { depth: 10 }), String(config.accounts[0]?.token.secret), `${config.redis.url}`]) {
      expectNoSecret(text);
      expect(text).not.toContain('s3cr3t-pass');
    }
    expect(JSON.stringify(config)).toContain('"secret":"[hidden]"');
  });
});
