/**
 * The resolved config as something to print or log: every value with where it came from, every
 * secret replaced by what can be said of it (`set (32 chars, from OPTIMO_TOKEN)`), never a part of it.
 */
import { formatSource } from './config-error.js';
import type { ConfigSource } from './config-error.js';
import type { ResolvedAccount, ResolvedConfig } from './config.js';

export interface ShownSetting {
  /** The value, or what stands for it (a secret's description); null when not set. */
  value: string | number | null;
  /** `default`, `file`, `env` or `flag`. */
  layer: ConfigSource['layer'];
  /** `OPTIMO_ENDPOINT`, `--ca-file`, `/etc/optimo-import.json: accounts.riverside.endpoint`, `default`. */
  from: string;
}

export interface AccountDescription {
  name: string;
  /** Used by this run (`--account` narrows to one). */
  selected: boolean;
  endpoint: ShownSetting;
  token: ShownSetting;
  caFile: ShownSetting;
  timeZone: ShownSetting;
  quota: ShownSetting;
}

export interface ConfigDescription {
  configFile: ShownSetting;
  redisUrl: ShownSetting;
  accounts: AccountDescription[];
  warnings: string[];
}

const shown = (value: string | number | null, source: ConfigSource): ShownSetting => ({ value, layer: source.layer, from: formatSource(source) });
const DEFAULT: ConfigSource = { layer: 'default', name: '' };

/** `set (32 chars, from OPTIMO_TOKEN)` / `set (32 chars, from the file /run/secrets/optimo)`. */
export function describeToken(token: ResolvedAccount['token']): string {
  const origin = token.file === undefined ? formatSource(token.source) : `the file ${token.file}`;
  return `set (${token.secret.length} chars, from ${origin})`;
}

/** A printable, loggable object: no token, no password, nothing of them but a token's length. */
export function describeConfig(config: ResolvedConfig): ConfigDescription {
  const selected = new Set(config.selected);
  return {
    configFile: config.configFile === undefined ? shown(null, DEFAULT) : shown(config.configFile.path, config.configFile.source),
    redisUrl: shown(config.redis.shown, config.redis.source),
    accounts: config.accounts.map((account) => ({
      name: account.name,
      selected: selected.has(account.name),
      endpoint: shown(account.endpoint.value, account.endpoint.source),
      token: shown(describeToken(account.token), account.token.source),
      caFile: account.ca === undefined ? shown(null, DEFAULT) : shown(account.ca.file, account.ca.source),
      timeZone: account.timeZone === undefined ? shown(null, DEFAULT) : shown(account.timeZone.value, account.timeZone.source),
      quota: account.quota === undefined ? shown(null, DEFAULT) : shown(account.quota.value, account.quota.source),
    })),
    warnings: [...config.warnings],
  };
}

const UNSET: Record<string, string> = {
  configFile: 'none (no --config, no OPTIMO_CONFIG, no optimo-import.json in the working folder)',
  caFile: "none (the system's certificate authorities only)",
  timeZone: "the account's own (system.current)",
  quota: "the account's daily request limit",
};

function line(label: string, key: string, setting: ShownSetting, indent = ''): string {
  const value = setting.value === null ? (UNSET[key] ?? 'not set') : String(setting.value);
  return `${`${indent}${label}`.padEnd(14)}${value}  (${setting.from})`;
}

/** The description as text lines, for the terminal and for a log. */
export function formatConfigText(description: ConfigDescription): string[] {
  const lines = [line('config file', 'configFile', description.configFile), line('redis', 'redisUrl', description.redisUrl)];
  for (const account of description.accounts) {
    lines.push(`account ${account.name}${account.selected ? '' : '  (not selected: --account names another)'}`);
    lines.push(line('endpoint', 'endpoint', account.endpoint, '  '));
    lines.push(line('token', 'token', account.token, '  '));
    lines.push(line('ca file', 'caFile', account.caFile, '  '));
    lines.push(line('time zone', 'timeZone', account.timeZone, '  '));
    lines.push(line('quota', 'quota', account.quota, '  '));
  }
  for (const warning of description.warnings) lines.push(`warning: ${warning}`);
  return lines;
}
