import { readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { isSandboxError } from './errors.js';
import { startSandbox } from './sandbox.js';
import type { SandboxOptions } from './sandbox.js';

/**
 * `optimo-sandbox`: starts the sandbox, prints one JSON line once listening, runs until SIGINT or
 * SIGTERM. Exit codes: 0 after a clean stop, 1 when it cannot start, 2 on a usage error.
 */
export const USAGE = `Usage: optimo-sandbox [options]

  --port N           HTTPS port (default 8443; 0 picks a free one)
  --http-port N      also listen for plain HTTP on N, answering 403/40300 (default: off)
  --data FILE        keep state in this SQLite file (default: in memory)
  --seed FILE        accounts, staff, athletes, faults (JSON; default: the demo account)
  --cert FILE        serve this certificate (PEM; needs --key; default: a new self-signed one)
  --key FILE         the certificate's private key (PEM)
  --cert-out FILE    write the served certificate here (default: <tmp>/optimo-sandbox-PORT.pem)
  --quota N          the demo account's daily request limit (default 5000)
  --time-zone ZONE   the demo account's IANA time zone (default: this machine's zone)
  --faults SPEC      kind:probability,... of error5xx, html5xx, reset-before, reset-after,
                     slow-after, quota-early (default: none)
  --faults-seed N    seed for the fault draws, to reproduce a run (default: random)
  --day-seconds N    length of the quota day in seconds, for tests (default 86400)
  --log FILE         append one JSON line per API request to FILE
  --help             show this
`;

class UsageError extends Error {}

function wholeNumber(name: string, value: string | undefined, min: number, max = Number.MAX_SAFE_INTEGER): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value) || Number(value) < min || Number(value) > max) throw new UsageError(`--${name} must be a whole number from ${min} to ${max}, not '${value}'`);
  return Number(value);
}

function readText(flag: string, file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    throw new UsageError(`--${flag} ${file}: ${error instanceof Error ? error.message : String(error)}`);
  }
}

function toOptions(argv: string[]): { options: SandboxOptions; certOut: string | undefined } | 'help' {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    allowPositionals: false,
    options: {
      port: { type: 'string' },
      'http-port': { type: 'string' },
      data: { type: 'string' },
      seed: { type: 'string' },
      cert: { type: 'string' },
      key: { type: 'string' },
      'cert-out': { type: 'string' },
      quota: { type: 'string' },
      'time-zone': { type: 'string' },
      faults: { type: 'string' },
      'faults-seed': { type: 'string' },
      'day-seconds': { type: 'string' },
      log: { type: 'string' },
      help: { type: 'boolean' },
    },
  });
  if (values.help === true) return 'help';
  const options: SandboxOptions = { port: wholeNumber('port', values.port, 0, 65_535) ?? 8443 };
  const httpPort = wholeNumber('http-port', values['http-port'], 0, 65_535);
  if (httpPort !== undefined) options.httpPort = httpPort;
  if (values.data !== undefined) options.dataFile = values.data;
  if (values.seed !== undefined) {
    const text = readText('seed', values.seed);
    try {
      options.seed = JSON.parse(text) as unknown;
    } catch (error) {
      throw new UsageError(`--seed ${values.seed}: not JSON (${error instanceof Error ? error.message : String(error)})`);
    }
    if (values.quota !== undefined || values['time-zone'] !== undefined) throw new UsageError('--quota and --time-zone set the demo account; with --seed, set them in the seed file');
  } else {
    const quota = wholeNumber('quota', values.quota, 0);
    if (quota !== undefined) options.quota = quota;
    options.timeZone = values['time-zone'] ?? Intl.DateTimeFormat().resolvedOptions().timeZone;
  }
  if ((values.cert === undefined) !== (values.key === undefined)) throw new UsageError('--cert and --key go together');
  if (values.cert !== undefined && values.key !== undefined) options.tls = { cert: readText('cert', values.cert), key: readText('key', values.key) };
  if (values.faults !== undefined) options.faults = values.faults;
  const faultsSeed = wholeNumber('faults-seed', values['faults-seed'], 0, 2 ** 32 - 1);
  if (faultsSeed !== undefined) options.faultsSeed = faultsSeed;
  const daySeconds = wholeNumber('day-seconds', values['day-seconds'], 1);
  if (daySeconds !== undefined) options.daySeconds = daySeconds;
  if (values.log !== undefined) options.logFile = values.log;
  return { options, certOut: values['cert-out'] };
}

function waitForStop(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const stop = (signal: NodeJS.Signals): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve(signal);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}

export async function main(argv: string[]): Promise<number> {
  let parsed: ReturnType<typeof toOptions>;
  try {
    parsed = toOptions(argv);
  } catch (error) {
    process.stderr.write(`optimo-sandbox: ${error instanceof Error ? error.message : String(error)}\n\n${USAGE}`);
    return 2;
  }
  if (parsed === 'help') {
    process.stdout.write(USAGE);
    return 0;
  }
  try {
    const sandbox = await startSandbox(parsed.options);
    const certFile = parsed.certOut ?? join(tmpdir(), `optimo-sandbox-${sandbox.port}.pem`);
    writeFileSync(certFile, sandbox.certPem);
    const line: Record<string, unknown> = {
      url: sandbox.url,
      port: sandbox.port,
      certFile,
      accounts: sandbox.accounts.map(({ name, timeZone, quota, tokens }) => ({ name, timeZone, quota, tokens })),
    };
    if (sandbox.httpPort !== undefined) line.httpPort = sandbox.httpPort;
    if (sandbox.faultsSeed !== undefined) line.faultsSeed = sandbox.faultsSeed;
    process.stdout.write(`${JSON.stringify(line)}\n`);
    await waitForStop();
    await sandbox.close();
    return 0;
  } catch (error) {
    if (isSandboxError(error) || error instanceof UsageError) {
      process.stderr.write(`optimo-sandbox: ${error.message}\n`);
      return error instanceof UsageError ? 2 : 1;
    }
    throw error;
  }
}
