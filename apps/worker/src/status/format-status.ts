/**
 * `optimo-import status` for the terminal: one line per fact, times in UTC to the minute with how
 * far away they are.
 *
 * ```
 * queue: 12 waiting, 1 active, 3 delayed, 2 failed, 340 done
 * failed (latest 2):
 *   2026-05-01 10:00Z  riverside  ride.fit  corrupt: [fit] byte 14: bad header
 * quota today:
 *   riverside (Europe/Lisbon): 750 used of 5000, 4000 left (250 kept for priority work), resets 2026-05-02 00:00Z (in 13 h 20 min)
 *   lakeside: unknown until a worker has run (…)
 * migrations:
 *   m-1 riverside → athlete 42: 1200 of 10000 files done (1100 imported, 50 duplicate, 10 partial, 40 failed), 8800 to go
 *     started 2026-05-01 08:00Z; estimated finish 2026-05-04 12:00Z (in 3 d 2 h; by the quota, 1.4 requests a file, 12320 requests)
 * ```
 */
import type { AccountQuota, ImportStatus, MigrationStatus } from './status.js';
import { printable } from '../printable.js';

/** `2026-05-01 10:00Z` from an ISO string. */
export function formatInstant(isoText: string): string {
  const ms = Date.parse(isoText);
  if (!Number.isFinite(ms)) return isoText;
  return `${new Date(ms).toISOString().slice(0, 16).replace('T', ' ')}Z`;
}

/** `3 d 2 h`, `5 h 20 min`, `12 min`, `40 s`. */
export function formatDuration(ms: number): string {
  const seconds = Math.max(0, Math.round(ms / 1000));
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return minutes % 60 === 0 ? `${hours} h` : `${hours} h ${minutes % 60} min`;
  const days = Math.floor(hours / 24);
  return hours % 24 === 0 ? `${days} d` : `${days} d ${hours % 24} h`;
}

function relative(isoText: string, now: number): string {
  const ms = Date.parse(isoText) - now;
  if (!Number.isFinite(ms)) return '';
  return ms >= 0 ? `in ${formatDuration(ms)}` : `${formatDuration(-ms)} ago`;
}

function accountLine(quota: AccountQuota, now: number): string[] {
  const lines: string[] = [];
  if ('unknown' in quota) lines.push(`  ${quota.account}: ${quota.unknown}`);
  else {
    const zone = `${quota.timeZone}${quota.zoneSource === 'worker' ? ', learnt by a worker' : ''}`;
    const reset = `resets ${formatInstant(quota.resetAt)} (${relative(quota.resetAt, now)})`;
    if (!quota.synced) lines.push(`  ${quota.account} (${zone}): not synced with the server today (no worker has sent a request yet); limit ${quota.limit}, ${reset}`);
    else lines.push(`  ${quota.account} (${zone}): ${quota.used} used of ${quota.limit}, ${quota.left} left (${quota.reserve} kept for priority work), ${reset}`);
    if (quota.drainUntil !== undefined) lines.push(`    the server refused requests (429): nothing is sent until ${formatInstant(quota.drainUntil)} (${relative(quota.drainUntil, now)})`);
  }
  if (quota.hold !== undefined) {
    const until = quota.hold.until === 'unknown' ? 'further notice' : `${formatInstant(quota.hold.until)} (${relative(quota.hold.until, now)})`;
    lines.push(`    held until ${until}: ${[quota.hold.code, quota.hold.reason].filter(Boolean).join(': ')}`);
  }
  return lines;
}

function migrationLines(migration: MigrationStatus, now: number): string[] {
  const who = migration.account === undefined ? '' : ` ${migration.account}${migration.athleteId === undefined ? '' : ` → athlete ${migration.athleteId}`}`;
  const { counts } = migration;
  const split = `${counts.imported} imported, ${counts.duplicate} duplicate, ${counts.partial} partial, ${counts.failed} failed`;
  const head = `  ${migration.id}${who}: ${migration.done} of ${migration.total} files done (${split})`;
  const started = migration.startedAt === undefined ? undefined : `started ${formatInstant(migration.startedAt)}`;
  if (migration.finished) {
    const ended = migration.updatedAt === undefined ? '' : `, finished ${formatInstant(migration.updatedAt)}`;
    return [`${head}, finished`, `    ${started ?? 'start unknown'}${ended}; ${migration.requests} requests`];
  }
  const lines = [`${head}, ${migration.remaining} to go`];
  const parts: string[] = [];
  if (started !== undefined) parts.push(started);
  if (migration.updatedAt !== undefined) parts.push(`last file ${formatInstant(migration.updatedAt)}`);
  if (migration.estimatedFinish !== undefined && migration.estimate !== undefined) {
    const { by, requestsPerFile, remainingRequests } = migration.estimate;
    const basis = by === 'quota' ? `by the quota, ${requestsPerFile} requests a file, ${remainingRequests} requests to go` : 'by the pace so far';
    parts.push(`estimated finish ${formatInstant(migration.estimatedFinish)} (${relative(migration.estimatedFinish, now)}; ${basis})`);
  } else {
    parts.push('no finish estimate yet (no file finished, and the quota of its account is not known)');
  }
  lines.push(`    ${parts.join('; ')}`);
  return lines;
}

/** The status as terminal lines. */
export function formatStatus(status: ImportStatus): string[] {
  const now = Date.parse(status.generatedAt);
  const { queue } = status;
  const lines = [`queue: ${queue.waiting} waiting, ${queue.active} active, ${queue.delayed} delayed, ${queue.failed} failed, ${queue.completed} done`];
  if (status.failed.length > 0) {
    lines.push(`failed (latest ${status.failed.length}${queue.failed > status.failed.length ? ` of ${queue.failed}` : ''}):`);
    for (const job of status.failed) {
      const when = job.failedAt === undefined ? '' : `${formatInstant(job.failedAt)}  `;
      const reason = job.code !== undefined && !job.reason.startsWith(job.code) ? `${job.code}: ${job.reason}` : job.reason;
      lines.push(printable(`  ${when}${job.account ?? '?'}  ${job.fileName ?? job.jobId}  ${reason}`));
    }
  }
  if (status.accounts.length > 0) {
    lines.push('quota today:');
    for (const quota of status.accounts) lines.push(...accountLine(quota, now));
  }
  if (status.migrations.length > 0) {
    lines.push('migrations:');
    for (const migration of status.migrations) lines.push(...migrationLines(migration, now));
  }
  return lines;
}
