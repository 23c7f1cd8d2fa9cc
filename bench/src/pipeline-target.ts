/**
 * What one pipeline run imports into: a fresh sandbox process (the quota lifted), its demo
 * account's first athlete, a fresh account name of its own, and a temporary folder with the
 * worker's config for that account (`optimo-import.json` naming the endpoint, a token file and
 * the sandbox's certificate as the CA file). The worker reads the config file through
 * OPTIMO_CONFIG; the token never goes on a command line.
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildSystemCurrent, readSystemCurrent } from '@optimo-import/mapper';
import type { ApiClient } from './https-client.js';
import { createApiClient } from './https-client.js';
import { callApi, findFirstAthleteId } from './sandbox-api.js';
import { SANDBOX_QUOTA, SANDBOX_TIME_ZONE } from './sandbox-bench.js';
import type { SandboxProcess } from './sandbox-process.js';
import { startSandboxProcess } from './sandbox-process.js';

export interface PipelineTarget {
  sandbox: SandboxProcess;
  athleteId: string;
  /** `bench-<12 hex>`: new for every run, so the ledger, quota, duplicate and job keys start empty. */
  account: string;
  /** The temporary folder: config, token, CA, and whatever the run keeps there (embedded state, report). */
  dir: string;
  configFile: string;
  /**
   * Requests the server counted for the account since the run began, less the bench's own
   * (`athlete.list` at setup and this `system.current`): what the pipeline sent.
   */
  countPipelineRequests(): Promise<number>;
  close(): Promise<void>;
}

/** Requests the bench itself sends to a target: `athlete.list` at setup, `system.current` to count at the end. */
const BENCH_OWN_REQUESTS = 2;

export function freshAccountName(): string {
  return `bench-${randomBytes(6).toString('hex')}`;
}

export async function openPipelineTarget(): Promise<PipelineTarget> {
  const sandbox = await startSandboxProcess({ quota: SANDBOX_QUOTA, timeZone: SANDBOX_TIME_ZONE });
  let client: ApiClient | undefined;
  let dir: string | undefined;
  try {
    if (!['127.0.0.1', '[::1]', 'localhost'].includes(new URL(sandbox.url).hostname)) throw new RangeError(`[bench] the sandbox is not on loopback: ${sandbox.url}`);
    client = createApiClient({ url: sandbox.url, certPem: sandbox.certPem, token: sandbox.token, maxSockets: 1 });
    const athleteId = await findFirstAthleteId(client, sandbox.timeZone);
    const account = freshAccountName();
    dir = mkdtempSync(join(tmpdir(), 'optimo-bench-pipeline-'));
    const tokenFile = join(dir, 'token');
    writeFileSync(tokenFile, `${sandbox.token}\n`, { mode: 0o600 });
    chmodSync(tokenFile, 0o600);
    writeFileSync(join(dir, 'sandbox-ca.pem'), sandbox.certPem);
    const configFile = join(dir, 'optimo-import.json');
    writeFileSync(configFile, `${JSON.stringify({ accounts: { [account]: { endpoint: sandbox.url, tokenFile: 'token', caFile: 'sandbox-ca.pem' } } }, null, 2)}\n`);
    const api = client;
    const folder = dir;
    return {
      sandbox,
      athleteId,
      account,
      dir: folder,
      configFile,
      async countPipelineRequests() {
        const { answer } = await callApi(api, buildSystemCurrent(), 'system.current');
        return readSystemCurrent(answer).requests - BENCH_OWN_REQUESTS;
      },
      async close() {
        api.close();
        rmSync(folder, { recursive: true, force: true });
        await sandbox.close();
      },
    };
  } catch (error) {
    client?.close();
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
    await sandbox.close();
    throw error;
  }
}

/**
 * The environment of a worker process: the bench's own without any OPTIMO_* or REDIS_URL variable
 * (a developer's settings must not leak into the run), plus `extra`.
 */
export function workerEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (name.startsWith('OPTIMO_') || name === 'REDIS_URL' || name === 'NODE_OPTIONS') continue;
    env[name] = value;
  }
  return { ...env, ...extra };
}
