/**
 * What `work`, `watch` and `migrate` share before they start: the resolved config, the mode
 * (queue when a Redis URL is configured, embedded otherwise), the Redis connection, the state
 * folder of the embedded mode, and with `--sandbox` a sandbox started inside this process.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Redis } from 'ioredis';
import { createSecret, isConfigError } from '../config-error.js';
import { configFlagsOf, resolveConfig } from '../config.js';
import type { ConfigFlags, ResolveConfigOptions, ResolvedAccount, ResolvedConfig } from '../config.js';

/** Environment variables of the run (besides the config's): the embedded state folder, a test day's length, a test token hold. */
export const RUN_ENV = {
  stateDir: 'OPTIMO_STATE_DIR',
  daySeconds: 'OPTIMO_DAY_SECONDS',
  tokenHoldSeconds: 'OPTIMO_TOKEN_HOLD_SECONDS',
} as const;

export const DEFAULT_STATE_DIR = '.optimo-import';

export interface RunContext {
  mode: 'queue' | 'embedded';
  config: ResolvedConfig;
  /** The accounts this run uses (`--account`, else every configured one). */
  accounts: ResolvedAccount[];
  /** Queue mode: a connection with `maxRetriesPerRequest: null` (BullMQ's workers need it). */
  redis?: Redis;
  /** Embedded mode: where the ledger and the results are kept. */
  stateDir?: string;
  /** Length of a test day (the sandbox's), from OPTIMO_DAY_SECONDS. */
  daySeconds?: number;
  /** How long an account whose token was refused waits before its jobs look at the token file again, from OPTIMO_TOKEN_HOLD_SECONDS (tests, demos); default 5 minutes. */
  tokenHoldMs?: number;
  /** `--sandbox`: the sandbox's page for people. */
  sandboxPage?: string;
  close(): Promise<void>;
}

export interface OpenRunOptions {
  /** parseArgs values holding the config flags. */
  values: Record<string, unknown>;
  context: Pick<ResolveConfigOptions, 'env' | 'cwd'>;
  /** `queue`: Redis is required (work, status); `auto`: queue when a Redis URL is configured, else embedded. */
  want: 'queue' | 'auto';
  /** Start a sandbox inside the process and use it as the account `default` (embedded mode). */
  sandbox?: boolean;
  /** `--state-dir`. */
  stateDir?: string;
}

export class RunSetupError extends Error {
  override readonly name = 'RunSetupError';
  constructor(
    message: string,
    /** 2: usage or config; 1: something to reach was not there (Redis). */
    readonly exitCode: 1 | 2,
  ) {
    super(message);
  }
}

function daySecondsOf(env: Readonly<Record<string, string | undefined>>): number | undefined {
  const text = env[RUN_ENV.daySeconds];
  if (text === undefined || text === '') return undefined;
  const value = Number(text);
  if (!Number.isInteger(value) || value < 10 || value > 86_400) throw new RunSetupError(`${RUN_ENV.daySeconds} must be a whole number of seconds from 10 to 86400, got ${JSON.stringify(text)}`, 2);
  return value;
}

function tokenHoldMsOf(env: Readonly<Record<string, string | undefined>>): number | undefined {
  const text = env[RUN_ENV.tokenHoldSeconds];
  if (text === undefined || text === '') return undefined;
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1 || value > 3600) throw new RunSetupError(`${RUN_ENV.tokenHoldSeconds} must be a whole number of seconds from 1 to 3600, got ${JSON.stringify(text)}`, 2);
  return value * 1000;
}

/** Connects to Redis or says plainly that it cannot (never printing a password). */
export async function connectRedis(url: string, shown: string): Promise<Redis> {
  const redis = new Redis(url, { maxRetriesPerRequest: null, lazyConnect: true, connectTimeout: 5000, retryStrategy: (times) => Math.min(times * 200, 2000) });
  redis.on('error', () => undefined); // reconnects on its own; commands report failures
  try {
    await redis.connect();
    await redis.ping();
  } catch (error) {
    redis.disconnect();
    throw new RunSetupError(`cannot reach Redis at ${shown}: ${(error as Error).message}`, 1);
  }
  return redis;
}

export async function openRunContext(options: OpenRunOptions): Promise<RunContext> {
  const { env, cwd } = options.context;
  const flags: ConfigFlags = configFlagsOf(options.values);
  let config: ResolvedConfig;
  try {
    config = await resolveConfig({ env, cwd, flags, allowNoAccounts: options.sandbox === true });
  } catch (error) {
    if (isConfigError(error)) throw new RunSetupError(error.message, 2);
    throw error;
  }
  const daySeconds = daySecondsOf(env);
  const tokenHoldMs = tokenHoldMsOf(env);
  const closers: Array<() => Promise<void>> = [];
  let accounts = config.accounts.filter((account) => config.selected.includes(account.name));
  let sandboxPage: string | undefined;
  let mode: RunContext['mode'] = options.want === 'queue' || config.redis.source.layer !== 'default' ? 'queue' : 'embedded';

  if (options.sandbox === true) {
    if (options.want === 'queue') throw new RunSetupError('--sandbox runs everything in this process: it does not go with a queue command', 2);
    mode = 'embedded';
    const { startSandbox } = await import('@optimo-import/sandbox');
    const sandbox = await startSandbox({ ...(daySeconds === undefined ? {} : { daySeconds }) });
    closers.push(() => sandbox.close());
    sandboxPage = sandbox.pageUrl;
    const source = { layer: 'flag' as const, name: '--sandbox' };
    accounts = [
      {
        name: 'default',
        endpoint: { value: sandbox.url, source },
        token: { secret: createSecret(sandbox.accounts[0]?.tokens.admin ?? ''), source },
        ca: { file: '(the sandbox certificate)', pem: sandbox.certPem, source },
      },
    ];
  }

  let redis: Redis | undefined;
  let stateDir: string | undefined;
  if (mode === 'queue') {
    redis = await connectRedis(config.redis.url.reveal(), config.redis.shown);
    const connection = redis;
    closers.push(async () => {
      await connection.quit().catch(() => connection.disconnect());
    });
  } else {
    const given = options.stateDir ?? env[RUN_ENV.stateDir];
    if (given !== undefined && given !== '') stateDir = resolve(cwd, given);
    else if (options.sandbox === true) {
      // A fresh sandbox knows nothing of earlier runs: its state lives and dies with it.
      const temporary = await mkdtemp(join(tmpdir(), 'optimo-import-sandbox-'));
      closers.push(() => rm(temporary, { recursive: true, force: true }));
      stateDir = temporary;
    } else stateDir = resolve(cwd, DEFAULT_STATE_DIR);
  }

  return {
    mode,
    config,
    accounts,
    ...(redis === undefined ? {} : { redis }),
    ...(stateDir === undefined ? {} : { stateDir }),
    ...(daySeconds === undefined ? {} : { daySeconds }),
    ...(tokenHoldMs === undefined ? {} : { tokenHoldMs }),
    ...(sandboxPage === undefined ? {} : { sandboxPage }),
    async close() {
      for (const close of closers.reverse()) await close().catch(() => undefined);
    },
  };
}
