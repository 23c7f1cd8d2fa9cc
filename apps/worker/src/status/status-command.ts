/**
 * `optimo-import status [--json] [config flags]`: the queue's jobs by state, the latest failed jobs
 * and why, each selected account's quota used and left today, and the running migrations with
 * their estimated finish. Reads Redis only; needs no token, and no account (then no quota lines).
 * `OPTIMO_DAY_SECONDS` sets a test day's length, as for `work` (the sandbox's `--day-seconds`).
 * Exit codes: 0 printed, 1 Redis unreachable (or lost while reading), 2 usage or config error.
 */
import { parseArgs } from 'node:util';
import { Redis } from 'ioredis';
import type { CliIo } from '../cli.js';
import { isConfigError } from '../config-error.js';
import { RUN_ENV } from '../commands/run-context.js';
import { CONFIG_FLAG_OPTIONS, configFlagsOf, readProcessContext, resolveConfig } from '../config.js';
import type { ResolveConfigOptions, ResolvedConfig } from '../config.js';
import { formatStatus } from './format-status.js';
import { gatherStatus } from './status.js';
import type { ImportStatus } from './status.js';

export interface StatusCommandOptions {
  /** The text shown with usage errors and `--help`. */
  usage: string;
  /** The environment and working folder; default the process's (the CLI). */
  context?: Pick<ResolveConfigOptions, 'env' | 'cwd' | 'platform'>;
  /** Key prefix (tests); default `KEY_PREFIX`. */
  prefix?: string;
  /** Epoch ms (tests). */
  now?: () => number;
  /** How long to try to reach Redis. Default 5000 ms. */
  connectTimeoutMs?: number;
}

const PREFIX = 'optimo-import status';

export async function statusCommand(args: readonly string[], io: CliIo, options: StatusCommandOptions): Promise<number> {
  if (args.some((arg) => arg === '--token' || arg.startsWith('--token='))) {
    io.err(`${PREFIX}: there is no --token flag (and status needs no token to read the queue); use --token-file FILE, OPTIMO_TOKEN or OPTIMO_TOKEN_FILE`);
    return 2;
  }
  let parsed;
  try {
    parsed = parseArgs({
      args: [...args],
      allowPositionals: true,
      options: { json: { type: 'boolean', default: false }, help: { type: 'boolean', short: 'h' }, ...CONFIG_FLAG_OPTIONS },
    });
  } catch (error) {
    io.err(`${PREFIX}: ${(error as Error).message}\n\n${options.usage}`);
    return 2;
  }
  if (parsed.values.help) {
    io.out(options.usage);
    return 0;
  }
  if (parsed.positionals.length > 0) {
    io.err(`${PREFIX}: takes flags only (${parsed.positionals.length} other argument(s) given)\n\n${options.usage}`);
    return 2;
  }
  const context = options.context ?? readProcessContext();
  let daySeconds: number | undefined;
  const dayText = context.env[RUN_ENV.daySeconds];
  if (dayText !== undefined && dayText !== '') {
    daySeconds = Number(dayText);
    if (!Number.isInteger(daySeconds) || daySeconds < 10 || daySeconds > 86_400) {
      io.err(`${PREFIX}: ${RUN_ENV.daySeconds} must be a whole number of seconds from 10 to 86400, got ${JSON.stringify(dayText)}`);
      return 2;
    }
  }
  let config: ResolvedConfig;
  try {
    config = await resolveConfig({ ...context, flags: configFlagsOf(parsed.values), allowNoAccounts: true });
  } catch (error) {
    if (!isConfigError(error)) throw error;
    io.err(`${PREFIX}: ${error.message}`);
    return 2;
  }

  const redis = new Redis(config.redis.url.reveal(), {
    lazyConnect: true,
    connectTimeout: options.connectTimeoutMs ?? 5000,
    maxRetriesPerRequest: 1,
    retryStrategy: () => null,
    enableOfflineQueue: false,
  });
  let lastError: Error | undefined;
  redis.on('error', (error: Error) => {
    lastError = error;
  });
  const unreachable = (error: unknown): number => {
    const message = (error as Error)?.message || lastError?.message || String(error);
    io.err(`${PREFIX}: Redis at ${config.redis.shown} is unreachable: ${message} (set it with --redis-url, REDIS_URL or redisUrl in the config file)`);
    return 1;
  };
  let status: ImportStatus;
  try {
    try {
      await redis.connect();
    } catch (error) {
      return unreachable(error);
    }
    const selected = config.accounts.filter((account) => config.selected.includes(account.name));
    try {
      status = await gatherStatus({
        redis,
        accounts: selected.map((account) => ({
          name: account.name,
          ...(account.timeZone === undefined ? {} : { timeZone: account.timeZone.value }),
          ...(account.quota === undefined ? {} : { dailyQuota: account.quota.value }),
        })),
        ...(options.prefix === undefined ? {} : { prefix: options.prefix }),
        ...(daySeconds === undefined ? {} : { daySeconds }),
        ...(options.now === undefined ? {} : { now: options.now }),
      });
    } catch (error) {
      if (redis.status !== 'ready') return unreachable(error);
      throw error;
    }
  } finally {
    redis.disconnect();
  }
  if (parsed.values.json) io.out(JSON.stringify(status));
  else for (const line of formatStatus(status)) io.out(line);
  return 0;
}
