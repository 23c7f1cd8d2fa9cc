/**
 * One runtime per configured account, built on first use: the API client, its quota limiter
 * (shared through Redis in queue mode, in this process in embedded mode), the upload ledger, and
 * the account's time zone. The token stays inside the client; a refused token is re-read from its
 * file, so that replacing the file is enough to let a stopped account go on.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createClient, createFileLedger, createMemoryLimiter, createRedisLedger, createRedisLimiter } from '@optimo-import/uploader';
import type { Client, ClientLogEntry, GrantingQuotaLimiter, HttpsFetch, LimiterStatus, UploadLedger } from '@optimo-import/uploader';
import type { Redis } from 'ioredis';
import type { ResolvedAccount } from '../config.js';
import { MAX_TOKEN_FILE_BYTES } from '../config.js';
import { REDIS_KEYS } from './keys.js';

export interface AccountRuntime {
  readonly name: string;
  readonly client: Client;
  readonly limiter: GrantingQuotaLimiter;
  readonly ledger: UploadLedger;
  /** The account's IANA zone (configured, else from `system.current`). */
  readonly timeZone: string;
  /** Re-reads the token file; true when it holds a new token (given to the client). */
  reloadToken(): Promise<boolean>;
}

export interface AccountRuntimesOptions {
  accounts: readonly ResolvedAccount[];
  /** Queue mode: limiter and ledger in this Redis. Embedded mode (absent): in this process and in `stateDir`. */
  redis?: Redis;
  /** Embedded mode: where the ledger file is kept. Required without `redis`. */
  stateDir?: string;
  /** Length of a test "day" (the sandbox's `--day-seconds`); default the real day. */
  daySeconds?: number;
  /** Passed to every client (tests inject faults). */
  fetch?: HttpsFetch;
  log?: (entry: ClientLogEntry) => void;
}

export interface AccountRuntimes {
  /** The account's runtime; rejects with `AccountUnknownError` for an account not configured here. */
  get(name: string): Promise<AccountRuntime>;
  /** The accounts configured here. */
  names(): string[];
  /** Limiter status of each account built so far. */
  quota(): Promise<Array<{ account: string; status: LimiterStatus }>>;
  close(): Promise<void>;
}

export class AccountUnknownError extends Error {
  override readonly name = 'AccountUnknownError';
  readonly code = 'account-unknown';
  constructor(readonly account: string, known: readonly string[]) {
    super(`the account "${account}" is not configured on this worker (configured: ${known.length === 0 ? 'none' : known.map((name) => `"${name}"`).join(', ')})`);
  }
}

async function readToken(file: string): Promise<string | undefined> {
  try {
    const text = await readFile(file, 'utf8');
    if (Buffer.byteLength(text) > MAX_TOKEN_FILE_BYTES) return undefined;
    const token = text.trim();
    return token === '' ? undefined : token;
  } catch {
    return undefined;
  }
}

/**
 * The configured quota as the limiter's limit: a sync replaces the limit with the server's
 * `<request_limit>`, so the sync is given min(the server's, the quota) — otherwise the quota would
 * hold only until the first `system.current`.
 */
function capLimit(limiter: GrantingQuotaLimiter, quota: number): GrantingQuotaLimiter {
  return { ...limiter, sync: (state) => limiter.sync({ ...state, limit: Math.min(state.limit, quota) }) };
}

export function createAccountRuntimes(options: AccountRuntimesOptions): AccountRuntimes {
  const { redis } = options;
  if (redis === undefined && options.stateDir === undefined) throw new RangeError('[accounts] give `redis` (queue mode) or `stateDir` (embedded mode)');
  const configured = new Map(options.accounts.map((account) => [account.name, account]));
  const built = new Map<string, Promise<AccountRuntime>>();
  const ready: AccountRuntime[] = [];
  const fileLedger = redis === undefined ? createFileLedger({ file: join(options.stateDir as string, 'ledger.jsonl') }) : undefined;

  async function build(account: ResolvedAccount): Promise<AccountRuntime> {
    // The token file as it is now: a build refused for its token is tried again by the next job,
    // and must see a token replaced meanwhile (the config holds the one read at start).
    let token = (account.token.file === undefined ? undefined : await readToken(account.token.file)) ?? account.token.secret.reveal();
    const base = {
      endpoint: account.endpoint.value,
      account: account.name,
      ...(account.ca === undefined ? {} : { ca: account.ca.pem }),
      ...(options.fetch === undefined ? {} : { fetch: options.fetch }),
      ...(options.log === undefined ? {} : { log: options.log }),
    };
    let timeZone = account.timeZone?.value;
    if (timeZone === undefined && redis !== undefined) timeZone = (await redis.hget(REDIS_KEYS.accountZone, account.name)) ?? undefined;
    if (timeZone === undefined) {
      // One unmetered system.current to learn the zone the quota day follows; the server counts
      // it, and the limiter's first sync takes that count in.
      const probe = createClient({ ...base, token });
      try {
        timeZone = (await probe.system()).info.timeZone;
      } finally {
        probe.close();
      }
    }
    const limiterOptions = {
      account: account.name,
      timeZone,
      ...(options.daySeconds === undefined ? {} : { daySeconds: options.daySeconds }),
      ...(account.quota === undefined ? {} : { dailyQuota: account.quota.value }),
    };
    const shared = redis === undefined ? createMemoryLimiter(limiterOptions) : createRedisLimiter({ ...limiterOptions, redis, keyPrefix: REDIS_KEYS.quotaPrefix });
    const limiter = account.quota === undefined ? shared : capLimit(shared, account.quota.value);
    if (redis !== undefined) await redis.hset(REDIS_KEYS.accountZone, account.name, timeZone);
    const client = createClient({ ...base, token, limiter });
    const ledger = redis === undefined ? (fileLedger as UploadLedger) : createRedisLedger({ redis, prefix: REDIS_KEYS.ledgerPrefix });
    const zone = timeZone;
    const runtime: AccountRuntime = {
      name: account.name,
      client,
      limiter,
      ledger,
      timeZone: zone,
      async reloadToken() {
        const file = account.token.file;
        if (file === undefined) return false;
        const fresh = await readToken(file);
        if (fresh === undefined || fresh === token) return false;
        token = fresh;
        client.setToken(fresh);
        return true;
      },
    };
    ready.push(runtime);
    return runtime;
  }

  return {
    get(name) {
      const account = configured.get(name);
      if (account === undefined) return Promise.reject(new AccountUnknownError(name, [...configured.keys()]));
      let runtime = built.get(name);
      if (runtime === undefined) {
        runtime = build(account);
        built.set(name, runtime);
        // A failed build (the network, a refused token) is tried again by the next job.
        runtime.catch(() => built.delete(name));
      }
      return runtime;
    },
    names: () => [...configured.keys()],
    async quota() {
      return Promise.all(ready.map(async (runtime) => ({ account: runtime.name, status: await runtime.limiter.status() })));
    },
    async close() {
      for (const runtime of ready) {
        runtime.client.close();
        await runtime.limiter.close();
      }
      await fileLedger?.close();
    },
  };
}
