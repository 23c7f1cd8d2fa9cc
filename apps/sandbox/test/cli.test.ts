import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { Agent } from 'node:https';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { httpsPost, requestXml, textAt } from './helpers.js';

/** The real bin (bin/optimo-sandbox.js → dist/cli.js) as a child process. */
const packageDir = fileURLToPath(new URL('..', import.meta.url));
const bin = join(packageDir, 'bin', 'optimo-sandbox.js');
const dir = mkdtempSync(join(tmpdir(), 'optimo-sandbox-cli-'));

function newestMtime(folder: string): number {
  return Math.max(...readdirSync(folder, { recursive: true, encoding: 'utf8' }).map((file) => statSync(join(folder, file)).mtimeMs));
}

beforeAll(() => {
  // `pnpm test` builds first; when run alone, build dist if it is missing or older than src.
  const cli = join(packageDir, 'dist', 'cli.js');
  const built = existsSync(cli) ? statSync(cli).mtimeMs : 0;
  if (built < newestMtime(join(packageDir, 'src'))) {
    const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
    execFileSync(process.execPath, [tsc, '-p', join(packageDir, 'tsconfig.build.json')], { stdio: 'inherit' });
  }
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function run(args: string[]): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('optimo-sandbox (bin)', () => {
  it('starts, prints one JSON line once listening, serves HTTPS with the written certificate, stops on SIGTERM', async () => {
    const certFile = join(dir, 'cert.pem');
    const logFile = join(dir, 'requests.jsonl');
    const child = spawn(process.execPath, [bin, '--port', '0', '--http-port', '0', '--cert-out', certFile, '--quota', '7', '--time-zone', 'America/New_York', '--log', logFile], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    const line = await new Promise<string>((resolve, reject) => {
      let buffered = '';
      child.stdout.on('data', (chunk: Buffer) => {
        buffered += chunk.toString();
        const newline = buffered.indexOf('\n');
        if (newline !== -1) resolve(buffered.slice(0, newline));
      });
      child.on('close', (code) => reject(new Error(`exited ${code}: ${stderr}`)));
    });
    try {
      const info = JSON.parse(line) as { url: string; port: number; httpPort: number; certFile: string; accounts: Array<{ name: string; timeZone: string; quota: number; tokens: { admin: string; coach: string } }> };
      expect(Object.keys(info).slice(0, 4)).toEqual(['url', 'port', 'certFile', 'accounts']);
      expect(info.url).toBe(`https://127.0.0.1:${info.port}/api/2.1/xml-in`);
      expect(info.port).toBeGreaterThan(0);
      expect(info.certFile).toBe(certFile);
      expect(info.accounts).toEqual([{ name: 'demo', timeZone: 'America/New_York', quota: 7, tokens: { admin: expect.stringMatching(/^[0-9a-f]{32}$/), coach: expect.stringMatching(/^[0-9a-f]{32}$/) } }]);
      const account = info.accounts[0];
      if (account === undefined) throw new Error('no account');
      const agent = new Agent({ ca: readFileSync(certFile, 'utf8') });
      const answer = await httpsPost(info.url, agent, account.tokens.coach, requestXml('system.current'));
      expect(textAt(answer.root, 'system', 'timezone')).toBe('America/New_York');
      expect(textAt(answer.root, 'system', 'api', 'request_limit')).toBe('7');
      agent.destroy();
      const plain = await fetch(`http://127.0.0.1:${info.httpPort}/api/2.1/xml-in`, { method: 'POST', body: requestXml('system.current') });
      expect(plain.status).toBe(403);
      expect(await plain.text()).toContain('<code>40300</code>');
      const log = readFileSync(logFile, 'utf8').trim().split('\n').map((entry) => JSON.parse(entry) as { status: number; code: number | null });
      expect(log.map((entry) => [entry.status, entry.code])).toEqual([
        [200, null],
        [403, 40300],
      ]);
      expect(readFileSync(logFile, 'utf8')).not.toContain(account.tokens.coach);
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
  });

  it('--help prints the usage and exits 0; a bad flag exits 2', async () => {
    const help = await run(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('--day-seconds N');
    const bad = await run(['--port', 'eighty']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--port must be a whole number');
    expect((await run(['--frobnicate'])).code).toBe(2);
  });

  it('a bad seed file exits 1 naming the place; --quota with --seed exits 2', async () => {
    const seedFile = join(dir, 'seed.json');
    writeFileSync(seedFile, JSON.stringify({ accounts: [{ name: 'x', staff: [{ username: 'a', role: 'boss' }] }] }));
    const bad = await run(['--port', '0', '--seed', seedFile]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('[seed] accounts[0].staff[0].role');
    expect((await run(['--port', '0', '--seed', seedFile, '--quota', '3'])).code).toBe(2);
  });
});
