/**
 * Proves an account's settings against the API: `staff.current` (the token is good, and whose it
 * is) and `system.current` (the account's zone, the requests used and left today). Two requests,
 * counted in the account's quota like any other.
 */
import { buildStaffCurrent, isMappingError, readStaffCurrent } from '@optimo-import/mapper';
import { createClient, isUploadError } from '@optimo-import/uploader';
import type { ClientOptions } from '@optimo-import/uploader';
import { formatSource, redactSecrets } from './config-error.js';
import type { ResolvedAccount } from './config.js';

export interface AccountCheck {
  account: string;
  /** The token answered, and a configured time zone (if any) is the account's. */
  ok: boolean;
  staff?: { staffId: string; username?: string; role?: string };
  timeZone?: {
    /** The account's, from `system.current`. */
    account: string;
    configured: string | null;
    /** null when none is configured. */
    matches: boolean | null;
  };
  requests?: {
    /** Counted today, the two of this check included. */
    used: number;
    /** The account's daily request limit. */
    limit: number;
    /** The configured quota, if any. */
    quota: number | null;
    /** What this importer may still send today: min(limit, quota) − used, at least 0. */
    left: number;
    resetsInSeconds: number;
  };
  /** Why the check failed: the uploader's error code (`bad-token`, `failed`, `transient`, …), `unexpected-answer`, or `time-zone`. */
  problem?: { code: string; message: string; status?: number; apiCode?: number };
  /** Things worth knowing that do not fail the check. */
  notes: string[];
}

export interface CheckOptions {
  /** Passed to `createClient` (tests); the defaults keep a check short: one repeat, 10 s to connect, 30 s for an answer. */
  client?: Partial<Pick<ClientOptions, 'timeouts' | 'retry' | 'userAgent' | 'fetch'>>;
}

const CHECK_RETRY = { retries: 1, minDelayMs: 500, maxDelayMs: 1000, maxRetryTimeMs: 5000 };
const CHECK_TIMEOUTS = { connectMs: 10_000, answerMs: 30_000 };

/** Where the token came from, for messages: `OPTIMO_TOKEN`, `/run/secrets/optimo (OPTIMO_TOKEN_FILE)`. */
function tokenOrigin(account: ResolvedAccount): string {
  return account.token.file === undefined ? formatSource(account.token.source) : `${account.token.file} (${formatSource(account.token.source)})`;
}

/** Checks one account; never rejects: a failure is `{ ok: false, problem }`. */
export async function checkAccount(account: ResolvedAccount, options: CheckOptions = {}): Promise<AccountCheck> {
  const token = account.token.secret.reveal();
  const check: AccountCheck = { account: account.name, ok: false, notes: [] };
  let client: ReturnType<typeof createClient> | undefined;
  try {
    client = createClient({
      endpoint: account.endpoint.value,
      token,
      ca: account.ca?.pem,
      account: account.name,
      timeouts: options.client?.timeouts ?? CHECK_TIMEOUTS,
      retry: options.client?.retry ?? CHECK_RETRY,
      ...(options.client?.userAgent === undefined ? {} : { userAgent: options.client.userAgent }),
      ...(options.client?.fetch === undefined ? {} : { fetch: options.client.fetch }),
    });
    const staff = readStaffCurrent((await client.call(buildStaffCurrent())).answer);
    check.staff = { staffId: staff.staffId, username: staff.username, role: staff.role };
    const { info } = await client.system();
    const configured = account.timeZone?.value ?? null;
    const matches = configured === null ? null : configured === info.timeZone;
    check.timeZone = { account: info.timeZone, configured, matches };
    const quota = account.quota?.value ?? null;
    const cap = Math.min(info.requestLimit, quota ?? info.requestLimit);
    check.requests = { used: info.requests, limit: info.requestLimit, quota, left: Math.max(0, cap - info.requests), resetsInSeconds: info.resetsInSeconds };
    if (quota !== null && quota > info.requestLimit) {
      check.notes.push(`the configured quota ${quota} (${formatSource(account.quota!.source)}) is above the account's limit ${info.requestLimit}: the limit applies`);
    }
    if (matches === false) {
      check.problem = {
        code: 'time-zone',
        message: `the configured time zone ${configured} (${formatSource(account.timeZone!.source)}) is not the account's, ${info.timeZone}: workouts would be dated in the wrong zone; set ${info.timeZone} or leave the setting out`,
      };
      return check;
    }
    check.ok = true;
    return check;
  } catch (error) {
    check.problem = problemOf(error, account);
    check.problem.message = redactSecrets(check.problem.message, [token]);
    return check;
  } finally {
    client?.close();
  }
}

function problemOf(error: unknown, account: ResolvedAccount): NonNullable<AccountCheck['problem']> {
  if (isUploadError(error)) {
    const fields = { ...(error.status === undefined ? {} : { status: error.status }), ...(error.apiCode === undefined ? {} : { apiCode: error.apiCode }) };
    if (error.code === 'bad-token' || error.code === 'token-stopped') {
      const answer = [error.status === undefined ? undefined : `HTTP ${error.status}`, String(error.apiCode ?? 40100)].filter(Boolean).join(', ');
      return {
        code: error.code,
        message: `the token was refused (${answer}): it is wrong, or it was changed (a password change gives a new token); put the current token of an admin or coach of account "${account.name}" in ${tokenOrigin(account)}`,
        ...fields,
      };
    }
    const causeCode = (error.cause as NodeJS.ErrnoException | undefined)?.code;
    let hint = '';
    if (typeof causeCode === 'string' && /CERT|SELF_SIGNED|UNABLE_TO_VERIFY/.test(causeCode)) {
      hint = ` — the server's certificate is not trusted (${causeCode}): give its certificate authority with OPTIMO_CA_FILE, --ca-file or "caFile"`;
    } else if (error.code === 'transient') hint = ' — no usable answer: is the endpoint right and the server up?';
    else if (error.code === 'quota-spent') hint = ' — the daily request quota is spent: try again after the reset';
    return { code: error.code, message: `${error.message}${hint}`, ...fields };
  }
  if (isMappingError(error)) return { code: error.code, message: error.message };
  return { code: 'failed', message: error instanceof Error ? error.message : String(error) };
}

/** `3h 07m`, `42s`. */
export function formatSeconds(seconds: number): string {
  if (seconds < 60) return `${seconds}s`;
  const hours = Math.floor(seconds / 3600);
  const minutes = Math.floor((seconds % 3600) / 60);
  return hours === 0 ? `${minutes}m` : `${hours}h ${String(minutes).padStart(2, '0')}m`;
}

/** The check as text lines. */
export function formatCheckText(check: AccountCheck): string[] {
  const lines = [`check ${check.account}: ${check.ok ? 'ok' : `FAILED (${check.problem?.code ?? 'failed'})`}`];
  if (check.staff) {
    const who = check.staff.username ?? '(no username)';
    lines.push(`  staff       ${who} (${check.staff.role ?? 'unknown role'}, staff ${check.staff.staffId})`);
  }
  if (check.timeZone) {
    const { account, configured, matches } = check.timeZone;
    const verdict = matches === null ? 'none configured: the account\'s is used' : matches ? 'as configured' : `NOT the configured ${configured}`;
    lines.push(`  time zone   ${account} (${verdict})`);
  }
  if (check.requests) {
    const { used, limit, quota, left, resetsInSeconds } = check.requests;
    const of = quota === null ? `of ${limit}` : `of the account's ${limit}, this importer's quota ${quota}`;
    lines.push(`  requests    ${used} used today ${of}: ${left} left, resets in ${formatSeconds(resetsInSeconds)}`);
  }
  for (const note of check.notes) lines.push(`  note: ${note}`);
  if (check.problem) lines.push(`  ${check.problem.message}`);
  return lines;
}
