/**
 * The invariants of a run, as pure functions of what was recorded (the evidence), so that each can
 * be tested on made-up evidence that breaks it (invariants.test.ts).
 *
 * What is observable, and from where:
 * - files, jobs, results and queue states: the plan, Redis (results hash, BullMQ job states);
 * - workouts: the server's listing (`workout.list`, admin, after the run);
 * - what the server counted per quota day: the sandbox's request log (contract 2.2: every answer
 *   counts except 401 and 429, and a request dropped before it was handled);
 * - which process sent which request on which connection with which token, and when its answer
 *   went back: the observing proxy (proxy.ts).
 *
 * A process told to stop (a 401/40100 for a token, a 429 for the day) must send nothing more of
 * that kind: no request with that token, none in that quota day. A request that left the process
 * before the stop answer arrived is not a violation, but the time it left is not observable; what
 * is: (a) a later request on the SAME connection was certainly sent after the answer was read
 * (HTTP/1.1 sends the next request on a connection only after the previous answer); (b) on another
 * connection, one that arrives more than `graceMs` after the answer went back is counted as sent
 * after it. Both are violations; the ones inside the grace are reported as "in flight".
 */
import type { ImportResult } from '@optimo-import/worker';
import type { RequestLogEntry } from '@optimo-import/sandbox';
import type { FilePlan, PlannedFile } from './files.js';
import type { ProxyEntry } from './proxy.js';

export interface JobEvidence {
  jobId: string;
  /** The files with these bytes (a copy shares its original's job). */
  files: PlannedFile[];
  result: ImportResult | undefined;
  /** BullMQ state (`completed`, `failed`, `delayed`, `waiting`, `active`, `prioritized`, …), `missing` when the job is gone. */
  state: string;
}

export interface ServerWorkout {
  workoutId: string;
  externalId: string | undefined;
  /** Epoch ms. */
  startTime: number | undefined;
}

export interface TokenEpisode {
  /** Labels of the token refused from `rotatedAt` on, and of the one written to the token file at `restoredAt`. */
  oldLabel: string;
  newLabel: string;
  rotatedAt: number;
  restoredAt: number | undefined;
}

export interface TextSource {
  where: string;
  text: string;
}

export interface WorkerStop {
  name: string;
  pid: number;
  signal: 'SIGTERM' | 'SIGKILL';
  /** Exit code, null when killed by a signal; undefined when it never exited (then it was killed). */
  code: number | null | undefined;
  /** SIGTERM only: it did not exit in time and was killed. */
  forced: boolean;
  midUpload: boolean;
}

export interface Evidence {
  plan: FilePlan;
  jobs: JobEvidence[];
  /** The server's workouts; undefined when the listing could not be had. */
  server: ServerWorkout[] | undefined;
  sandboxLog: readonly RequestLogEntry[];
  proxy: readonly ProxyEntry[];
  tokens: TokenEpisode[];
  daySeconds: number;
  /** The account's daily limit on the server. */
  limit: number;
  /** The importer's configured quota. */
  importerQuota: number;
  /** Quota days spent by another program (window numbers). */
  spentWindows: number[];
  /** When redis-server was killed, each time (epoch ms; it is back within seconds). */
  redisRestarts: number[];
  graceMs: number;
  texts: TextSource[];
  /** Every token of the run, and every Authorization header value built from one. */
  secrets: string[];
  stops: WorkerStop[];
}

export interface Check {
  id: string;
  label: string;
  value: number;
  /** What it must be (`= 0`), or `—` for a figure. */
  must: string;
  /** undefined for a figure (no invariant). */
  ok: boolean | undefined;
  /** A short note after the value. */
  note?: string;
  /** What broke it, one line per case (the first few). */
  detail: string[];
}

const QUEUED = new Set(['waiting', 'wait', 'delayed', 'active', 'prioritized', 'paused', 'waiting-children']);
const MAX_DETAIL = 12;

const windowOf = (epochMs: number, daySeconds: number): number => Math.floor(epochMs / (daySeconds * 1000));

function figure(id: string, label: string, value: number, note?: string): Check {
  return { id, label, value, must: '—', ok: undefined, detail: [], ...(note === undefined ? {} : { note }) };
}

function zero(id: string, label: string, detail: string[], note?: string, value = detail.length): Check {
  return { id, label, value, must: '0', ok: value === 0, detail: detail.slice(0, MAX_DETAIL), ...(note === undefined ? {} : { note }) };
}

const nameOf = (job: JobEvidence): string => job.files.map((file) => file.path).join(' = ');

/** Files and their outcomes: in, failed with a reason, wrong outcomes, lost, waiting. */
export function checkFiles(evidence: Evidence): Check[] {
  const { jobs } = evidence;
  const waiting = jobs.filter((job) => job.result === undefined && QUEUED.has(job.state));
  const lost = jobs.filter((job) => job.result === undefined && !QUEUED.has(job.state));
  const settled = jobs.filter((job) => job.result !== undefined);
  const failedWithReason = settled.filter((job) => (job.result?.outcome === 'failed' || job.result?.outcome === 'partial') && (job.result.reason ?? '').trim() !== '');
  const noReason = settled.filter((job) => (job.result?.outcome === 'failed' || job.result?.outcome === 'partial') && (job.result.reason ?? '').trim() === '');
  const filesOf = (list: JobEvidence[]): number => list.reduce((sum, job) => sum + job.files.length, 0);

  const wrong: string[] = [];
  const byPath = new Map(jobs.flatMap((job) => job.files.map((file) => [file.path, job] as const)));
  for (const job of settled) {
    const result = job.result as ImportResult;
    const expect = job.files[0]?.expect;
    const got = `${result.outcome}${result.code === undefined ? '' : ` (${result.code}: ${result.reason ?? ''})`}`;
    if (expect === 'imported' && result.outcome !== 'imported') wrong.push(`${nameOf(job)}: expected imported, got ${got}`);
    if (expect === 'failed' && result.outcome !== 'failed') wrong.push(`${nameOf(job)}: a bad file (${job.files[0]?.badCase}) must fail, got ${got}`);
    if (expect === 'partial' && result.outcome !== 'partial') wrong.push(`${nameOf(job)}: a zip with a bad entry must be partial, got ${got}`);
    if (expect === 'pair') {
      if (result.outcome !== 'imported' && result.outcome !== 'duplicate') wrong.push(`${nameOf(job)}: one file of a pair, got ${got}`);
      const other = byPath.get(job.files[0]?.pairWith ?? '');
      const otherOutcome = other?.result?.outcome;
      // Judged once per pair (from its first file): exactly one imported, the other a duplicate.
      if (other !== undefined && otherOutcome !== undefined && (job.files[0]?.path ?? '') < (other.files[0]?.path ?? '')) {
        const outcomes = [result.outcome, otherOutcome].sort().join('+');
        if (outcomes !== 'duplicate+imported') wrong.push(`${nameOf(job)} and ${nameOf(other)}: one ride in two files must be imported once and reported duplicate once, got ${outcomes}`);
      }
    }
  }
  return [
    figure('files-in', 'files in', evidence.plan.files.length, `${jobs.length} distinct contents (jobs)`),
    figure('files-failed', 'files failed with a reason', filesOf(failedWithReason), `${failedWithReason.filter((job) => job.result?.outcome === 'partial').length} partial`),
    zero('no-reason', 'files failed without a reason', noReason.map((job) => `${nameOf(job)}: ${job.result?.outcome} with no reason`)),
    zero('wrong-outcome', 'files with the wrong outcome', wrong),
    zero('files-lost', 'files lost', lost.map((job) => `${nameOf(job)}: no result, job ${job.state}`), undefined, filesOf(lost)),
    figure('files-waiting', 'files still queued at the end (not lost)', filesOf(waiting), waiting.length === 0 ? undefined : waiting.slice(0, 3).map((job) => `${nameOf(job)}: ${job.state}`).join('; ')),
  ];
}

/** Workouts on the server against the rides: created, duplicated, missing. */
export function checkWorkouts(evidence: Evidence): Check[] {
  if (evidence.server === undefined) {
    return [{ id: 'server-listing', label: "the server's workouts could be listed", value: 0, must: '1', ok: false, detail: ['the listing failed: workouts not checked'] }];
  }
  const server = evidence.server;
  const rides = new Map(evidence.plan.rides.map((ride) => [ride.id, ride]));
  const byStart = new Map(evidence.plan.rides.map((ride) => [Math.round(ride.startTime / 1000), ride.id]));
  const perRide = new Map<number, ServerWorkout[]>();
  const strangers: string[] = [];
  for (const workout of server) {
    const second = workout.startTime === undefined ? undefined : Math.round(workout.startTime / 1000);
    const ride = second === undefined ? undefined : (byStart.get(second) ?? byStart.get(second - 1) ?? byStart.get(second + 1));
    if (ride === undefined) {
      strangers.push(`workout ${workout.workoutId} (${workout.externalId ?? 'no external id'}) starts at ${workout.startTime === undefined ? '?' : new Date(workout.startTime).toISOString()}: no ride of the run`);
      continue;
    }
    perRide.set(ride, [...(perRide.get(ride) ?? []), workout]);
  }
  const duplicates: string[] = [];
  for (const [ride, workouts] of perRide) {
    if (workouts.length > 1) duplicates.push(`ride ${ride} (${new Date(rides.get(ride)?.startTime ?? 0).toISOString()}): ${workouts.length} workouts ${workouts.map((w) => `${w.workoutId}/${w.externalId ?? '-'}`).join(', ')}`);
  }
  const byExternal = new Map<string, number>();
  for (const workout of server) if (workout.externalId !== undefined) byExternal.set(workout.externalId, (byExternal.get(workout.externalId) ?? 0) + 1);
  for (const [externalId, count] of byExternal) if (count > 1) duplicates.push(`external id ${externalId}: ${count} workouts`);

  // A ride none of whose jobs is still queued must be on the server; a result's workout ids must be there.
  const ids = new Set(server.map((workout) => workout.workoutId));
  const missing: string[] = [];
  const jobsOfRide = new Map<number, JobEvidence[]>();
  for (const job of evidence.jobs) for (const ride of new Set(job.files.flatMap((file) => file.rides))) jobsOfRide.set(ride, [...(jobsOfRide.get(ride) ?? []), job]);
  for (const ride of rides.keys()) {
    const jobs = jobsOfRide.get(ride) ?? [];
    const waiting = jobs.some((job) => job.result === undefined && QUEUED.has(job.state));
    if (!waiting && (perRide.get(ride)?.length ?? 0) === 0) missing.push(`ride ${ride} (in ${jobs.map(nameOf).join(', ') || 'no file'}): not on the server`);
  }
  for (const job of evidence.jobs) {
    for (const id of job.result?.workoutIds ?? []) if (!ids.has(id)) missing.push(`${nameOf(job)}: its result names workout ${id}, which the server does not have`);
  }
  return [
    figure('workouts', 'workouts created', server.length, `${evidence.plan.rides.length} rides in the files`),
    zero('duplicates', 'workouts duplicated', duplicates, undefined, duplicates.length),
    zero('missing', 'rides missing on the server', missing),
    zero('strangers', 'workouts of no ride', strangers),
  ];
}

/**
 * The sandbox's log entry of each request that came through the proxy, where one can be told: the
 * same body size, logged from just before the proxy saw the request to 2 s after, the same status
 * (or none), the earliest not yet taken. 401 and 429 answers are not matched (the sandbox logs them
 * with 0 bytes: it refuses before reading the body).
 */
export function matchProxyToServer(proxy: readonly ProxyEntry[], sandboxLog: readonly RequestLogEntry[]): Map<ProxyEntry, RequestLogEntry> {
  const pool = new Map<number, Array<{ entry: RequestLogEntry; time: number; taken: boolean }>>();
  for (const entry of sandboxLog) {
    if (entry.account === null || entry.status === 401 || entry.status === 429) continue;
    pool.set(entry.bytes, [...(pool.get(entry.bytes) ?? []), { entry, time: Date.parse(entry.time), taken: false }]);
  }
  const matched = new Map<ProxyEntry, RequestLogEntry>();
  for (const request of [...proxy].sort((a, b) => a.start - b.start)) {
    if (request.status === 401 || request.status === 429) continue;
    const candidate = (pool.get(request.bytes) ?? []).find(
      (item) => !item.taken && item.time >= request.start - 20 && item.time <= request.start + 2000 && (request.status === null || item.entry.status === request.status || item.entry.status === null),
    );
    if (candidate !== undefined) {
      candidate.taken = true;
      matched.set(request, candidate.entry);
    }
  }
  return matched;
}

/**
 * Requests the server counted per quota day (its own log: contract 2.2), and the importer's share:
 * the proxy's requests, counted as the server counted them where the server's entry is matched (a
 * dropped request was counted unless it was a reset-before), else counted unless answered 401/429.
 */
export function countPerWindow(evidence: Pick<Evidence, 'sandboxLog' | 'proxy' | 'daySeconds'>): { server: Map<number, number>; importer: Map<number, number>; unmatched: number } {
  const counts = (entry: RequestLogEntry): boolean => entry.account !== null && entry.status !== 401 && entry.status !== 429 && !entry.faults.includes('reset-before');
  const server = new Map<number, number>();
  for (const entry of evidence.sandboxLog) {
    if (!counts(entry)) continue;
    const window = windowOf(Date.parse(entry.time), evidence.daySeconds);
    server.set(window, (server.get(window) ?? 0) + 1);
  }
  const matched = matchProxyToServer(evidence.proxy, evidence.sandboxLog);
  const importer = new Map<number, number>();
  let unmatched = 0;
  for (const request of evidence.proxy) {
    if (request.status === 401 || request.status === 429) continue;
    const seen = matched.get(request);
    if (seen === undefined) unmatched += 1;
    if (seen !== undefined && !counts(seen)) continue;
    const window = windowOf(seen === undefined ? request.start : Date.parse(seen.time), evidence.daySeconds);
    importer.set(window, (importer.get(window) ?? 0) + 1);
  }
  return { server, importer, unmatched };
}

/** Seconds after Redis was killed within which the processes' limiter re-syncs are looked for (it is down 3 s at most). */
const RESYNC_SECONDS = 20;

/**
 * Per quota day, the `system.current` re-syncs of the importer's limiters after a Redis restart,
 * beyond the first one: after Redis lost (or may have lost) the shared count, every process syncs
 * once, granted without being counted; the first sync takes the server's count, and each later
 * one is counted by the server but lost by the limiter (its count already passes the server's
 * answer). A known limitation of the uploader's limiter (README): the importer may pass its own
 * quota by this much, never the account's limit.
 */
export function resyncsPerWindow(evidence: Pick<Evidence, 'proxy' | 'redisRestarts' | 'daySeconds'>): Map<number, number> {
  const out = new Map<number, number>();
  for (const killed of evidence.redisRestarts) {
    const syncs = evidence.proxy.filter((entry) => entry.method === 'system.current' && entry.start >= killed && entry.start < killed + RESYNC_SECONDS * 1000 && entry.status !== 401 && entry.status !== 429);
    for (const sync of syncs.slice(1)) {
      const window = windowOf(sync.start, evidence.daySeconds);
      out.set(window, (out.get(window) ?? 0) + 1);
    }
  }
  return out;
}

export function checkQuota(evidence: Evidence): Check[] {
  const { server, importer, unmatched } = countPerWindow(evidence);
  const resyncs = resyncsPerWindow(evidence);
  const past: string[] = [];
  let excess = 0;
  let explained = 0;
  for (const [window, count] of server) {
    if (count > evidence.limit) {
      excess += count - evidence.limit;
      past.push(`day ${window}: the server counted ${count} requests, limit ${evidence.limit}`);
    }
  }
  for (const [window, count] of importer) {
    const allowed = evidence.importerQuota + (resyncs.get(window) ?? 0);
    if (count > evidence.importerQuota) explained += Math.min(count, allowed) - evidence.importerQuota;
    if (count > allowed) {
      excess += count - allowed;
      past.push(`day ${window}: the server counted ${count} requests of the importer, its quota ${evidence.importerQuota}${allowed > evidence.importerQuota ? ` (+${allowed - evidence.importerQuota} limiter re-syncs after a Redis restart)` : ''}`);
    }
  }
  const busiest = (map: Map<number, number>): number => Math.max(0, ...map.values());
  const notes = [
    `busiest day: server ${busiest(server)}/${evidence.limit}, importer ${busiest(importer)}/${evidence.importerQuota}; ${server.size} days, ${evidence.spentWindows.length} spent by another program`,
    ...(explained === 0 ? [] : [`importer over its own quota by ${explained}, all limiter re-syncs after Redis restarts (known limitation)`]),
    ...(unmatched === 0 ? [] : [`${unmatched} importer request(s) not found in the server's log, counted`]),
  ];
  return [
    zero('quota', 'requests past the quota in any day', past, notes.join('; '), excess),
    checkStops(evidence, 'after-429', 'requests in a quota day after its 429', (entry) => entry.status === 429, (stop, later) => windowOf(later.start, evidence.daySeconds) === windowOf(stop.start, evidence.daySeconds)),
  ];
}

/**
 * Per process: after a stop answer (`isStop`) the process must send nothing that `covered` says the
 * stop covers. Judged from the first stop of each (process, scope): same connection after the
 * answer → violation; another connection, arriving later than `graceMs` after the answer →
 * violation; within the grace → in flight.
 */
function checkStops(evidence: Evidence, id: string, label: string, isStop: (entry: ProxyEntry) => boolean, covered: (stop: ProxyEntry, later: ProxyEntry) => boolean): Check {
  const byPid = new Map<number | undefined, ProxyEntry[]>();
  for (const entry of evidence.proxy) byPid.set(entry.pid, [...(byPid.get(entry.pid) ?? []), entry]);
  const violations: string[] = [];
  let stops = 0;
  let inFlight = 0;
  for (const [pid, entries] of byPid) {
    const sorted = [...entries].sort((a, b) => a.start - b.start || a.id - b.id);
    const judged: ProxyEntry[] = [];
    // The first stop the process met in a scope is the first ANSWERED; later ones of that scope are judged by it.
    const stopsByAnswer = sorted.filter(isStop).sort((a, b) => (a.end ?? a.start) - (b.end ?? b.start));
    for (const stop of stopsByAnswer) {
      if (judged.some((first) => covered(first, stop))) continue;
      judged.push(stop);
      stops += 1;
      const answered = stop.end ?? stop.start;
      for (const later of sorted) {
        if (later === stop || later.start <= answered || !covered(stop, later)) continue;
        if (later.connection === stop.connection) {
          violations.push(`pid ${pid ?? '?'}: ${later.method ?? 'a request'} on the same connection ${later.start - answered} ms after the ${stop.status} (answered ${new Date(answered).toISOString()})`);
        } else if (later.start - answered > evidence.graceMs) {
          violations.push(`pid ${pid ?? '?'}: ${later.method ?? 'a request'} ${later.start - answered} ms after the ${stop.status} (answered ${new Date(answered).toISOString()})`);
        } else inFlight += 1;
      }
    }
  }
  return zero(id, label, violations, `${stops} stop(s) met by a process; ${inFlight} request(s) already in flight`);
}

export function checkTokens(evidence: Evidence): Check[] {
  const refused = evidence.proxy.filter((entry) => entry.status === 401);
  const rotations = evidence.tokens.length;
  const check = checkStops(evidence, 'after-40100', 'requests after a 40100 before the token changed', (entry) => entry.status === 401, (stop, later) => later.token === stop.token);
  const resumed = evidence.tokens.filter((episode) => evidence.proxy.some((entry) => entry.token === episode.newLabel && entry.status === 200)).length;
  check.note = `${rotations} rotation(s), ${resumed} resumed with the new token; ${refused.length} answer(s) 401; ${check.note ?? ''}`;
  return [check];
}

/** Every token (and Authorization value) searched in every output line, log, report and file of the run. */
export function checkSecrets(evidence: Pick<Evidence, 'texts' | 'secrets'>): Check {
  const found: string[] = [];
  let count = 0;
  const secrets = evidence.secrets.filter((secret) => secret.length >= 8);
  for (const source of evidence.texts) {
    for (const secret of secrets) {
      let at = source.text.indexOf(secret);
      while (at !== -1) {
        count += 1;
        if (found.length < MAX_DETAIL) found.push(`${source.where}: a token at character ${at}`);
        at = source.text.indexOf(secret, at + 1);
      }
    }
  }
  return zero('secrets', 'token strings in logs, reports and files', found, `${evidence.texts.length} sources searched`, count);
}

export function checkProcesses(evidence: Evidence): Check[] {
  const unattributed = evidence.proxy.filter((entry) => entry.pid === undefined);
  const badStops = evidence.stops.filter((stop) => stop.signal === 'SIGTERM' && (stop.forced || stop.code !== 0));
  return [
    zero('attributed', 'requests not traced to a process', unattributed.slice(0, MAX_DETAIL).map((entry) => `request ${entry.id} (${entry.method ?? '?'}) on connection ${entry.connection}`), 'needed by the two checks above', unattributed.length),
    zero(
      'sigterm',
      'SIGTERM: workers that did not finish and exit 0',
      badStops.map((stop) => `${stop.name} (pid ${stop.pid}): ${stop.forced ? 'did not exit in time, killed' : `exit ${String(stop.code)}`}`),
      `${evidence.stops.filter((stop) => stop.signal === 'SIGTERM').length} SIGTERM, ${evidence.stops.filter((stop) => stop.signal === 'SIGKILL').length} SIGKILL; ${evidence.stops.filter((stop) => stop.midUpload).length} mid-upload`,
    ),
  ];
}

/** Every check of a run, in the order they are printed. */
export function checkAll(evidence: Evidence): Check[] {
  return [...checkFiles(evidence), ...checkWorkouts(evidence), ...checkQuota(evidence), ...checkTokens(evidence), checkSecrets(evidence), ...checkProcesses(evidence)];
}
