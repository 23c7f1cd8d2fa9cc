/**
 * `optimo-import config [--check] [--json] [config flags]`: prints the resolved config with its
 * secrets hidden and, with `--check`, proves every selected account against the API.
 * Exit codes: 0 printed / every account checked ok, 1 an account failed its check, 2 usage or config error.
 */
import { parseArgs } from 'node:util';
import type { CliIo } from './cli.js';
import { checkAccount, formatCheckText } from './config-check.js';
import type { AccountCheck, CheckOptions } from './config-check.js';
import { describeConfig, formatConfigText } from './config-describe.js';
import { isConfigError } from './config-error.js';
import { CONFIG_FLAG_OPTIONS, configFlagsOf, readProcessContext, resolveConfig } from './config.js';
import type { ResolveConfigOptions, ResolvedConfig } from './config.js';

export interface ConfigCommandOptions {
  /** The text shown with usage errors and `--help`. */
  usage: string;
  /** The environment and working folder; default the process's (the CLI). */
  context?: Pick<ResolveConfigOptions, 'env' | 'cwd' | 'platform'>;
  /** Passed to each account's check (tests). */
  check?: CheckOptions;
}

const NO_TOKEN_FLAG = 'there is no --token flag: a command line is visible to every user of the machine; use --token-file FILE, OPTIMO_TOKEN or OPTIMO_TOKEN_FILE';

export async function configCommand(args: readonly string[], io: CliIo, options: ConfigCommandOptions): Promise<number> {
  const prefix = 'optimo-import config';
  if (args.some((arg) => arg === '--token' || arg.startsWith('--token='))) {
    io.err(`${prefix}: ${NO_TOKEN_FLAG}`);
    return 2;
  }
  let parsed;
  try {
    parsed = parseArgs({
      args: [...args],
      allowPositionals: true,
      options: { check: { type: 'boolean', default: false }, json: { type: 'boolean', default: false }, help: { type: 'boolean', short: 'h' }, ...CONFIG_FLAG_OPTIONS },
    });
  } catch (error) {
    io.err(`${prefix}: ${(error as Error).message}\n\n${options.usage}`);
    return 2;
  }
  if (parsed.values.help) {
    io.out(options.usage);
    return 0;
  }
  if (parsed.positionals.length > 0) {
    // Not echoed: a token pasted in the wrong place must not be printed back.
    io.err(`${prefix}: takes flags only (${parsed.positionals.length} other argument(s) given)\n\n${options.usage}`);
    return 2;
  }
  const context = options.context ?? readProcessContext();
  let config: ResolvedConfig;
  try {
    config = await resolveConfig({ ...context, flags: configFlagsOf(parsed.values) });
  } catch (error) {
    if (!isConfigError(error)) throw error;
    io.err(`${prefix}: ${error.message}`);
    return 2;
  }
  const description = describeConfig(config);
  const json = parsed.values.json === true;
  if (!parsed.values.check) {
    if (json) io.out(JSON.stringify(description));
    else for (const line of formatConfigText(description)) io.out(line);
    return 0;
  }

  if (!json) for (const line of formatConfigText(description)) io.out(line);
  const checks: AccountCheck[] = [];
  for (const account of config.accounts.filter((candidate) => config.selected.includes(candidate.name))) {
    const check = await checkAccount(account, options.check);
    checks.push(check);
    if (!json) for (const line of formatCheckText(check)) io.out(line);
  }
  const failed = checks.filter((check) => !check.ok).length;
  if (json) io.out(JSON.stringify({ ...description, checks, ok: failed === 0 }));
  else io.out(failed === 0 ? `checked ${checks.length} account(s): all ok` : `checked ${checks.length} account(s): ${failed} failed`);
  return failed === 0 ? 0 : 1;
}
