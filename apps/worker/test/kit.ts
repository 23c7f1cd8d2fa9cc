/**
 * Test kit of the worker's pipeline tests: the real sandbox over HTTPS (in-process, port 0), its
 * certificate in a temp file, the accounts resolved through the real config code, and files made
 * by the fixture builders.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildWorkoutList, readWorkoutList } from '@optimo-import/mapper';
import { createClient } from '@optimo-import/uploader';
import type { WorkoutRecord } from '@optimo-import/mapper';
import { startSandbox } from '@optimo-import/sandbox';
import type { RequestLogEntry, Sandbox, SandboxOptions } from '@optimo-import/sandbox';
import { resolveConfig } from '../src/config.js';
import type { ResolvedAccount, ResolvedConfig } from '../src/config.js';

export interface Kit {
  sandbox: Sandbox;
  dir: string;
  /** Every request the sandbox answered. */
  requests: RequestLogEntry[];
  /** Accounts as the worker resolves them from the environment. */
  config: ResolvedConfig;
  accounts: ResolvedAccount[];
  env: Record<string, string>;
  /** The account's workouts on the server (admin; not through the code under test). */
  workouts(athleteId?: string): Promise<WorkoutRecord[]>;
  close(): Promise<void>;
}

/** `account`: the worker's name for the sandbox's account (a config file); default `default` (the environment). */
export async function startKit(options: SandboxOptions & { account?: string } = {}): Promise<Kit> {
  const requests: RequestLogEntry[] = [];
  const sandbox = await startSandbox({ ...options, onLog: (entry) => requests.push(entry) });
  const dir = await mkdtemp(join(tmpdir(), 'oi-worker-'));
  const caFile = join(dir, 'sandbox-ca.pem');
  await writeFile(caFile, sandbox.certPem);
  const token = sandbox.accounts[0]?.tokens.admin as string;
  let env: Record<string, string>;
  if (options.account === undefined) {
    env = { OPTIMO_ENDPOINT: sandbox.url, OPTIMO_TOKEN: token, OPTIMO_CA_FILE: caFile };
  } else {
    // A named account comes from a config file, its token from a token file.
    const tokenFile = join(dir, 'token');
    await writeFile(tokenFile, `${token}\n`, { mode: 0o600 });
    const configFile = join(dir, 'optimo-import.json');
    await writeFile(configFile, JSON.stringify({ accounts: { [options.account]: { endpoint: sandbox.url, tokenFile, caFile } } }, null, 2));
    env = { OPTIMO_CONFIG: configFile };
  }
  const config = await resolveConfig({ env, cwd: dir });
  const accounts = config.accounts.filter((account) => config.selected.includes(account.name));
  return {
    sandbox,
    dir,
    requests,
    config,
    accounts,
    env,
    async workouts(athleteId) {
      const inspector = createClient({ endpoint: sandbox.url, token, ca: sandbox.certPem, account: 'inspector' });
      try {
        const items: WorkoutRecord[] = [];
        for (let page = 1; ; page += 1) {
          const { answer } = await inspector.call(buildWorkoutList({ perPage: 100, page, ...(athleteId === undefined ? {} : { athleteId }) }));
          const list = readWorkoutList(answer, { timeZone: sandbox.accounts[0]?.timeZone ?? 'UTC' });
          items.push(...list.items);
          if (page >= list.pages) return items;
        }
      } finally {
        inspector.close();
      }
    },
    async close() {
      await sandbox.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
