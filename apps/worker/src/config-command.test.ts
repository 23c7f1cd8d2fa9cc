import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSandbox } from '@optimo-import/sandbox';
import type { Sandbox } from '@optimo-import/sandbox';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { main } from './cli.js';
import { configCommand } from './config-command.js';
import type { AccountCheck } from './config-check.js';
import type { ConfigDescription } from './config-describe.js';
import { CONFIG_ENV } from './config.js';

/** `optimo-import config` against the real sandbox over HTTPS, its certificate trusted through a CA file. */
const WRONG_TOKEN = 'wrong-token-Zx9Yw8Vu7Ts6Rq5Po4';
let sandbox: Sandbox;
let dir: string;
let admin: string;
let coach: string;
let caFile: string;
const methods: string[] = [];

beforeAll(async () => {
  sandbox = await startSandbox({ port: 0, timeZone: 'Europe/Lisbon', quota: 5000, onLog: (entry) => methods.push(`${entry.status} ${entry.method ?? '-'}`) });
  dir = mkdtempSync(join(tmpdir(), 'optimo-config-check-'));
  caFile = join(dir, 'sandbox-ca.pem');
  writeFileSync(caFile, sandbox.certPem);
  const tokens = sandbox.accounts[0]?.tokens;
  if (tokens?.admin === undefined || tokens.coach === undefined) throw new Error('the sandbox has no admin or coach token');
  admin = tokens.admin;
  coach = tokens.coach;
  writeFileSync(join(dir, 'coach.token'), `${coach}\n`, { mode: 0o600 });
  writeFileSync(join(dir, 'wrong.token'), `${WRONG_TOKEN}\n`, { mode: 0o600 });
});

afterAll(async () => {
  await sandbox?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

afterEach(() => {
  vi.unstubAllEnvs();
});

const USAGE = 'usage text';

async function run(args: string[], env: Record<string, string>): Promise<{ code: number; out: string[]; err: string[]; all: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await configCommand(args, { out: (line) => out.push(line), err: (line) => err.push(line) }, { usage: USAGE, context: { env, cwd: dir } });
  return { code, out, err, all: [...out, ...err].join('\n') };
}

function expectNoToken(text: string): void {
  for (const token of [admin, coach, WRONG_TOKEN]) {
    expect(text).not.toContain(token);
    expect(text).not.toContain(Buffer.from(`${token}:X`).toString('base64'));
  }
}

const env = (extra: Record<string, string> = {}): Record<string, string> => ({ OPTIMO_ENDPOINT: sandbox.url, OPTIMO_CA_FILE: caFile, ...extra });

describe('optimo-import config --check against the sandbox', () => {
  it('a good token: exit 0, the staff member, the zone as configured, requests used and left', async () => {
    methods.length = 0;
    const result = await run(['--check'], env({ OPTIMO_TOKEN: admin, OPTIMO_TIME_ZONE: 'Europe/Lisbon' }));
    expect(result.err).toEqual([]);
    expect(result.code).toBe(0);
    expect(result.out).toContain('check default: ok');
    expect(result.out).toContain('  staff       admin (admin, staff 1)');
    expect(result.out).toContain('  time zone   Europe/Lisbon (as configured)');
    expect(result.out.find((line) => line.startsWith('  requests'))).toMatch(/^ {2}requests {4}\d+ used today of 5000: \d+ left, resets in /);
    expect(result.out).toContain(`  token       set (${admin.length} chars, from OPTIMO_TOKEN)  (OPTIMO_TOKEN)`);
    expect(result.out.at(-1)).toBe('checked 1 account(s): all ok');
    expect(methods).toEqual(['200 staff.current', '200 system.current']);
    expectNoToken(result.all);
  });

  it('--json: one object with the description and the checks; a coach token from a token file', async () => {
    const result = await run(['--check', '--json'], env({ OPTIMO_TOKEN_FILE: 'coach.token' }));
    expect(result.code).toBe(0);
    expect(result.out).toHaveLength(1);
    const report = JSON.parse(result.out[0]!) as ConfigDescription & { checks: AccountCheck[]; ok: boolean };
    expect(report.ok).toBe(true);
    expect(report.accounts[0]?.token).toEqual({ value: `set (${coach.length} chars, from the file ${join(dir, 'coach.token')})`, layer: 'env', from: 'OPTIMO_TOKEN_FILE' });
    const check = report.checks[0]!;
    expect(check).toMatchObject({ account: 'default', ok: true, staff: { staffId: '2', username: 'coach', role: 'coach' }, timeZone: { account: 'Europe/Lisbon', configured: null, matches: null } });
    expect(check.requests).toMatchObject({ limit: 5000, quota: null });
    expect(check.requests!.left).toBe(5000 - check.requests!.used);
    expectNoToken(result.all);
  });

  it('a wrong token: exit 1 with the 40100 message, naming where the token came from, never the token', async () => {
    methods.length = 0;
    const result = await run(['--check'], env({ OPTIMO_TOKEN: WRONG_TOKEN }));
    expect(result.code).toBe(1);
    expect(result.out).toContain('check default: FAILED (bad-token)');
    expect(result.out).toContain('  the token was refused (HTTP 401, 40100): it is wrong, or it was changed (a password change gives a new token); put the current token of an admin or coach of account "default" in OPTIMO_TOKEN');
    expect(result.out.at(-1)).toBe('checked 1 account(s): 1 failed');
    expect(methods).toEqual(['401 -']);
    expectNoToken(result.all);
  });

  it('a token changed on the server (password change): the old one is refused with 40100', async () => {
    const fresh = await sandbox.rotateToken('coach');
    try {
      const result = await run(['--check', '--json'], env({ OPTIMO_TOKEN_FILE: 'coach.token' }));
      expect(result.code).toBe(1);
      const report = JSON.parse(result.out[0]!) as { checks: AccountCheck[]; ok: boolean };
      expect(report.ok).toBe(false);
      expect(report.checks[0]?.problem).toMatchObject({ code: 'bad-token', status: 401, apiCode: 40100 });
      expect(report.checks[0]?.problem?.message).toContain(`put the current token of an admin or coach of account "default" in ${join(dir, 'coach.token')} (OPTIMO_TOKEN_FILE)`);
      expectNoToken(result.all);
      expect(result.all).not.toContain(fresh);
    } finally {
      coach = fresh;
      writeFileSync(join(dir, 'coach.token'), `${fresh}\n`, { mode: 0o600 });
    }
  });

  it('several accounts from a config file: each checked, exit 1 when one fails; a differing zone fails too', async () => {
    writeFileSync(
      join(dir, 'two.json'),
      JSON.stringify({
        accounts: {
          good: { endpoint: sandbox.url, tokenFile: 'coach.token', caFile: 'sandbox-ca.pem', quota: 4000 },
          wrong: { endpoint: sandbox.url, tokenFile: 'wrong.token', caFile: 'sandbox-ca.pem' },
          zone: { endpoint: sandbox.url, tokenFile: 'coach.token', caFile: 'sandbox-ca.pem', timeZone: 'America/Denver' },
        },
      }),
    );
    const result = await run(['--check', '--config', 'two.json'], {});
    expect(result.code).toBe(1);
    expect(result.out).toContain('check good: ok');
    expect(result.out.find((line) => line.startsWith('  requests') && line.includes('quota 4000'))).toMatch(/of the account's 5000, this importer's quota 4000: \d+ left/);
    expect(result.out).toContain('check wrong: FAILED (bad-token)');
    expect(result.out).toContain('check zone: FAILED (time-zone)');
    expect(result.out).toContain('  time zone   Europe/Lisbon (NOT the configured America/Denver)');
    expect(result.all).toContain(`the configured time zone America/Denver (${join(dir, 'two.json')}: accounts.zone.timeZone) is not the account's, Europe/Lisbon`);
    expect(result.out.at(-1)).toBe('checked 3 account(s): 2 failed');
    // --account narrows the check to one
    const one = await run(['--check', '--config', 'two.json', '--account', 'good'], {});
    expect(one.code).toBe(0);
    expect(one.out.filter((line) => line.startsWith('check '))).toEqual(['check good: ok']);
    expectNoToken(result.all + one.all);
  });

  it("without the sandbox's CA the certificate is refused: exit 1 with a hint", async () => {
    const result = await run(['--check'], { OPTIMO_ENDPOINT: sandbox.url, OPTIMO_TOKEN: admin });
    expect(result.code).toBe(1);
    expect(result.out).toContain('check default: FAILED (failed)');
    expect(result.all).toMatch(/the server's certificate is not trusted \([A-Z_]+\): give its certificate authority with OPTIMO_CA_FILE/);
    expectNoToken(result.all);
  });
});

describe('optimo-import config: printing, usage and config errors', () => {
  it('prints the resolved config with the token hidden (text and JSON), exit 0, no request sent', async () => {
    methods.length = 0;
    const text = await run([], env({ OPTIMO_TOKEN: admin }));
    expect(text.code).toBe(0);
    expect(text.out).toContain(`  endpoint    ${sandbox.url}  (OPTIMO_ENDPOINT)`);
    expect(text.out).toContain(`  ca file     ${caFile}  (OPTIMO_CA_FILE)`);
    const json = await run(['--json'], env({ OPTIMO_TOKEN: admin }));
    const description = JSON.parse(json.out[0]!) as ConfigDescription;
    expect(description.accounts[0]?.token.value).toBe(`set (${admin.length} chars, from OPTIMO_TOKEN)`);
    expect(methods).toEqual([]);
    expectNoToken(text.all + json.all);
  });

  it('warns about a token file others can read', async () => {
    const shared = join(dir, 'shared.token');
    writeFileSync(shared, admin);
    chmodSync(shared, 0o640);
    const result = await run([], env({ OPTIMO_TOKEN_FILE: shared }));
    expect(result.code).toBe(0);
    expect(result.out).toContain(`warning: OPTIMO_TOKEN_FILE: the token file ${shared} can be read by its group (mode 640): chmod 600 ${shared}`);
    expectNoToken(result.all);
  });

  it('an http:// endpoint is a config error: exit 2, the setting named, the token not shown', async () => {
    const result = await run(['--check'], { OPTIMO_ENDPOINT: sandbox.url.replace('https:', 'http:'), OPTIMO_TOKEN: admin });
    expect(result.code).toBe(2);
    expect(result.out).toEqual([]);
    expect(result.err).toEqual([`optimo-import config: [config] OPTIMO_ENDPOINT: must be an https:// URL (the token is never sent over plain HTTP), got "${sandbox.url.replace('https:', 'http:')}"`]);
    expectNoToken(result.all);
  });

  it('usage errors exit 2: no --token flag (the value not echoed), no positional arguments, unknown flags', async () => {
    const token = await run(['--check', `--token=${admin}`], {});
    expect(token.code).toBe(2);
    expect(token.err[0]).toBe('optimo-import config: there is no --token flag: a command line is visible to every user of the machine; use --token-file FILE, OPTIMO_TOKEN or OPTIMO_TOKEN_FILE');
    const positional = await run(['--check', admin], {});
    expect(positional.code).toBe(2);
    expect(positional.err[0]).toMatch(/^optimo-import config: takes flags only \(1 other argument\(s\) given\)/);
    const unknown = await run(['--verbose'], {});
    expect(unknown.code).toBe(2);
    expectNoToken(token.all + positional.all);
  });

  it('through main(): the config branch reads the process environment', async () => {
    for (const name of Object.values(CONFIG_ENV)) vi.stubEnv(name, '');
    vi.stubEnv('OPTIMO_ENDPOINT', sandbox.url);
    vi.stubEnv('OPTIMO_TOKEN', admin);
    vi.stubEnv('OPTIMO_CA_FILE', caFile);
    writeFileSync(join(dir, 'empty.json'), '{}');
    const out: string[] = [];
    const err: string[] = [];
    const code = await main(['config', '--check', '--json', '--config', join(dir, 'empty.json')], { out: (line) => out.push(line), err: (line) => err.push(line) });
    expect(err).toEqual([]);
    expect(code).toBe(0);
    const report = JSON.parse(out[0]!) as { checks: AccountCheck[]; configFile: { value: string } };
    expect(report.configFile.value).toBe(join(dir, 'empty.json'));
    expect(report.checks[0]).toMatchObject({ ok: true, staff: { username: 'admin', role: 'admin' } });
    expectNoToken([...out, ...err].join('\n'));
    const help: string[] = [];
    expect(await main(['--help'], { out: (line) => help.push(line), err: () => undefined })).toBe(0);
    expect(help.join('\n')).toContain('config [--check] [--json]');
  });
});
