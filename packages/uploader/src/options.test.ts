import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createClient } from './client.js';
import { DEFAULT_USER_AGENT, UPLOADER_VERSION, resolveClientOptions } from './options.js';

const TOKEN = 'options-secret-token-42';
const base = { endpoint: 'https://acme.optimosport.example/api/2.1/xml-in', token: TOKEN };

describe('client options', () => {
  it('refuses a plain-HTTP endpoint at construction, with a clear message', () => {
    expect(() => createClient({ ...base, endpoint: 'http://acme.optimosport.example/api/2.1/xml-in' })).toThrow(
      '[uploader] option `endpoint` must be an https:// URL (the token is never sent over plain HTTP), got "http://acme.optimosport.example/api/2.1/xml-in"',
    );
    expect(() => createClient({ ...base, endpoint: 'ftp://x.example/' })).toThrow(RangeError);
    expect(() => createClient({ ...base, endpoint: 'not a url' })).toThrow('got "(not a URL)"');
  });

  it('refuses credentials in the endpoint without echoing them', () => {
    const attempt = (): unknown => createClient({ ...base, endpoint: `https://${TOKEN}:X@acme.optimosport.example/api/2.1/xml-in` });
    expect(attempt).toThrow('must not hold a user name or password');
    try {
      attempt();
    } catch (error) {
      expect(String(error)).not.toContain(TOKEN);
    }
    try {
      createClient({ ...base, endpoint: `http://${TOKEN}@acme.example/` });
    } catch (error) {
      expect(String(error)).not.toContain(TOKEN);
    }
  });

  it('checks the token without ever echoing it', () => {
    for (const token of [`${TOKEN} `, `${TOKEN}:x`, `${TOKEN}\n`, `${TOKEN}é`]) {
      try {
        createClient({ ...base, token });
        expect.unreachable();
      } catch (error) {
        expect(error).toBeInstanceOf(RangeError);
        expect(String(error)).toContain('(the token is not shown)');
        expect(String(error)).not.toContain(TOKEN);
      }
    }
    expect(() => createClient({ ...base, token: '' })).toThrow('got an empty string');
  });

  it('resolves defaults apart from what the user gave', () => {
    const resolved = resolveClientOptions(base);
    expect(resolved).toMatchObject({
      endpoint: base.endpoint,
      userAgent: DEFAULT_USER_AGENT,
      account: 'acme.optimosport.example',
      connectMs: 10_000,
      answerMs: 120_000,
      retry: { retries: 4, minDelayMs: 500, maxDelayMs: 10_000, factor: 2, maxRetryTimeMs: 60_000 },
      maxAnswerBytes: 64 * 1024 * 1024,
      maxSockets: 8,
    });
    expect(JSON.stringify(resolved)).not.toContain(TOKEN);
  });

  it('the default User-Agent names the application and the package version', () => {
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
    expect(UPLOADER_VERSION).toBe(pkg.version);
    expect(DEFAULT_USER_AGENT).toBe(`optimo-import/${pkg.version}`);
    expect(() => createClient({ ...base, userAgent: 'no version' })).toThrow('option `userAgent` must be printable ASCII naming the application and its version');
    expect(() => createClient({ ...base, userAgent: 'app/1\r\nX-Evil: 1' })).toThrow(RangeError);
  });

  it('refuses bad numbers in one form', () => {
    expect(() => createClient({ ...base, timeouts: { connectMs: 0 } })).toThrow('[uploader] option `timeouts.connectMs` must be a finite number > 0, got 0');
    expect(() => createClient({ ...base, retry: { retries: 1.5 } })).toThrow('option `retry.retries` must be a whole number ≥ 0, got 1.5');
    expect(() => createClient({ ...base, retry: { minDelayMs: 500, maxDelayMs: 100 } })).toThrow('option `retry.maxDelayMs` must be at least retry.minDelayMs (500), got 100');
    expect(() => createClient({ ...base, limiter: {} as never })).toThrow('option `limiter` must be a QuotaLimiter (acquire, sync, drain), got an object');
  });
});
