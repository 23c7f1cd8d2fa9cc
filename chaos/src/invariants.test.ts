/**
 * Each invariant of a chaos run on made-up evidence: a clean run passes, and each kind of breakage
 * is caught by the check that owns it (and only that check).
 */
import type { RequestLogEntry } from '@optimo-import/sandbox';
import type { ImportResult } from '@optimo-import/worker';
import { describe, expect, it } from 'vitest';
import type { FilePlan, PlannedFile } from './files.js';
import { checkAll, countPerWindow } from './invariants.js';
import type { Check, Evidence, JobEvidence } from './invariants.js';
import type { ProxyEntry } from './proxy.js';

const DAY = 10;
/** The start of quota day 1000 (10-s days). */
const T0 = 1000 * DAY * 1000;
const RIDE0 = Date.UTC(2022, 0, 1, 6);
const RIDE1 = RIDE0 + 3 * 3_600_000;

function file(path: string, expect: PlannedFile['expect'], rides: number[], extra: Partial<PlannedFile> = {}): PlannedFile {
  return { path, bytes: new Uint8Array(), kind: expect === 'pair' ? 'pair' : expect === 'failed' ? 'bad' : 'single', expect, rides, sha256: path, ...extra };
}

function result(jobId: string, outcome: ImportResult['outcome'], workoutIds: string[], extra: Partial<ImportResult> = {}): ImportResult {
  return { jobId, account: 'default', athleteId: '1', fileName: jobId, contentHash: jobId, origin: 'migrate', outcome, workoutIds, requests: 1, entries: [], finishedAt: new Date(T0).toISOString(), attempts: 1, ...extra } as ImportResult;
}

function proxyEntry(id: number, fields: Partial<ProxyEntry>): ProxyEntry {
  return { id, pid: 100, connection: 1, token: 'token#1', method: 'workout.create', bytes: 500 + id, start: T0 + id * 10, end: T0 + id * 10 + 5, status: 200, outcome: 'answered', ...fields };
}

function logEntry(time: number, fields: Partial<RequestLogEntry> = {}): RequestLogEntry {
  return { time: new Date(time).toISOString(), account: 'demo', method: 'workout.create', status: 200, code: null, bytes: 0, faults: [], ...fields };
}

/** Three files: a single (ride 0), a FIT+TCX pair (ride 1), a bad file; all settled as they should. */
function cleanEvidence(): Evidence {
  const single = file('a/single.fit', 'imported', [0]);
  const pairA = file('a/pair-a.fit', 'pair', [1], { pairWith: 'a/pair-b.tcx' });
  const pairB = file('a/pair-b.tcx', 'pair', [1], { pairWith: 'a/pair-a.fit' });
  const bad = file('a/bad.fit', 'failed', [], { badCase: 'truncated-fit' });
  const plan: FilePlan = {
    files: [single, pairA, pairB, bad],
    rides: [
      { id: 0, startTime: RIDE0, durationSeconds: 200, sport: 'running' },
      { id: 1, startTime: RIDE1, durationSeconds: 200, sport: 'cycling' },
    ],
  };
  const jobs: JobEvidence[] = [
    { jobId: 'j-single', files: [single], result: result('j-single', 'imported', ['1']), state: 'completed' },
    { jobId: 'j-pair-a', files: [pairA], result: result('j-pair-a', 'imported', ['2']), state: 'completed' },
    { jobId: 'j-pair-b', files: [pairB], result: result('j-pair-b', 'duplicate', []), state: 'completed' },
    { jobId: 'j-bad', files: [bad], result: result('j-bad', 'failed', [], { reason: '[fit] bad.fit byte 40: cut short', code: 'truncated' }), state: 'failed' },
  ];
  const proxy = [proxyEntry(1, {}), proxyEntry(2, {})];
  return {
    plan,
    jobs,
    server: [
      { workoutId: '1', externalId: 'fit:1', startTime: RIDE0 },
      { workoutId: '2', externalId: 'fit:2', startTime: RIDE1 },
    ],
    sandboxLog: proxy.map((entry) => logEntry(entry.start + 1, { bytes: entry.bytes })),
    proxy,
    tokens: [],
    daySeconds: DAY,
    limit: 5,
    importerQuota: 4,
    spentWindows: [],
    redisRestarts: [],
    graceMs: 2000,
    texts: [{ where: 'logs/worker1.log', text: 'worker ready\n' }],
    secrets: ['0123456789abcdef0123456789abcdef'],
    stops: [{ name: 'worker1', pid: 100, signal: 'SIGTERM', code: 0, forced: false, midUpload: true }],
  };
}

/** The ids of the checks that failed. */
function broken(checks: Check[]): string[] {
  return checks.filter((check) => check.ok === false).map((check) => check.id);
}

describe('the invariants of a chaos run', () => {
  it('pass on a clean run', () => {
    const checks = checkAll(cleanEvidence());
    expect(broken(checks)).toEqual([]);
    expect(checks.find((check) => check.id === 'files-in')?.value).toBe(4);
    expect(checks.find((check) => check.id === 'workouts')?.value).toBe(2);
    expect(checks.find((check) => check.id === 'files-failed')?.value).toBe(1);
  });

  it('a job with no result that is not queued is a lost file; one still queued is waiting, not lost', () => {
    const lost = cleanEvidence();
    (lost.jobs[0] as JobEvidence).result = undefined;
    (lost.jobs[0] as JobEvidence).state = 'missing';
    lost.server = lost.server?.filter((workout) => workout.workoutId !== '1');
    expect(broken(checkAll(lost))).toEqual(['files-lost', 'missing']);

    const waiting = cleanEvidence();
    (waiting.jobs[0] as JobEvidence).result = undefined;
    (waiting.jobs[0] as JobEvidence).state = 'delayed';
    waiting.server = waiting.server?.filter((workout) => workout.workoutId !== '1');
    const checks = checkAll(waiting);
    expect(broken(checks)).toEqual([]);
    expect(checks.find((check) => check.id === 'files-waiting')?.value).toBe(1);
  });

  it('two workouts of one ride are a duplicate; both files of a pair imported is a wrong outcome', () => {
    const evidence = cleanEvidence();
    (evidence.jobs[2] as JobEvidence).result = result('j-pair-b', 'imported', ['3']);
    evidence.server?.push({ workoutId: '3', externalId: 'sha256:3', startTime: RIDE1 + 400 });
    expect(broken(checkAll(evidence))).toEqual(['wrong-outcome', 'duplicates']);
  });

  it('a bad file that did not fail, and a failure without a reason, are caught', () => {
    const evidence = cleanEvidence();
    (evidence.jobs[3] as JobEvidence).result = result('j-bad', 'imported', []);
    expect(broken(checkAll(evidence))).toEqual(['wrong-outcome']);
    const silent = cleanEvidence();
    (silent.jobs[3] as JobEvidence).result = result('j-bad', 'failed', [], { reason: ' ' });
    expect(broken(checkAll(silent))).toEqual(['no-reason']);
  });

  it('a result naming a workout the server lacks, and a workout of no ride, are caught', () => {
    const evidence = cleanEvidence();
    (evidence.jobs[0] as JobEvidence).result = result('j-single', 'imported', ['99']);
    evidence.server?.push({ workoutId: '7', externalId: 'x', startTime: RIDE0 + 3600_000 });
    expect(broken(checkAll(evidence))).toEqual(['missing', 'strangers']);
  });

  it("counts a day as the server does (not 401, 429, reset-before) and breaks past the limit; the importer's share is matched to the server's log", () => {
    const evidence = cleanEvidence();
    evidence.sandboxLog = [
      ...evidence.sandboxLog,
      logEntry(T0 + 100, { method: 'system.current' }),
      logEntry(T0 + 200, { status: 401, code: 40100, account: null }),
      logEntry(T0 + 300, { status: 429, code: 42900 }),
      logEntry(T0 + 400, { status: null, faults: ['reset-before'] }),
      logEntry(T0 + DAY * 1000 + 5, { method: 'system.current' }),
    ];
    // 2 (the importer's) + 1 counted in day 1000; reset-before, 401 and 429 not counted.
    expect(countPerWindow(evidence).server.get(1000)).toBe(3);
    expect(broken(checkAll(evidence))).toEqual([]);
    evidence.sandboxLog = [...evidence.sandboxLog, logEntry(T0 + 500), logEntry(T0 + 600), logEntry(T0 + 700)];
    expect(broken(checkAll(evidence))).toEqual(['quota']);

    // The importer: a dropped request that the server logged as reset-before is not counted; one it logged as reset-after is.
    const share = cleanEvidence();
    const extra = [3, 4, 5].map((id) => proxyEntry(id, {}));
    const dropped = proxyEntry(6, { status: null, outcome: 'dropped' });
    share.proxy = [...share.proxy, ...extra, dropped];
    share.sandboxLog = [...share.sandboxLog, ...extra.map((entry) => logEntry(entry.start + 2, { bytes: entry.bytes })), logEntry(dropped.start + 3, { bytes: dropped.bytes, status: null, faults: ['reset-before'] })];
    share.limit = 100;
    expect(countPerWindow(share).importer.get(1000)).toBe(5);
    expect(broken(checkAll(share))).toEqual(['quota']);
    share.importerQuota = 5;
    expect(broken(checkAll(share))).toEqual([]);
    (share.sandboxLog[share.sandboxLog.length - 1] as RequestLogEntry).faults = ['reset-after'];
    expect(broken(checkAll(share))).toEqual(['quota']);
  });

  it("lets the importer pass its own quota only by its limiters' re-syncs after a Redis restart, beyond the first", () => {
    const evidence = cleanEvidence();
    evidence.limit = 100;
    evidence.importerQuota = 2;
    const killed = T0 + 1000;
    const syncs = [0, 1, 2].map((k) => proxyEntry(30 + k, { pid: 100 + k, method: 'system.current', start: killed + 2000 + k * 50, end: killed + 2010 + k * 50, connection: 10 + k }));
    evidence.proxy = [...evidence.proxy, ...syncs];
    evidence.sandboxLog = [...evidence.sandboxLog, ...syncs.map((entry) => logEntry(entry.start + 1, { bytes: entry.bytes, method: 'system.current' }))];
    // 2 creates + 3 syncs = 5 counted, quota 2: without a restart, 3 over.
    expect(broken(checkAll(evidence))).toEqual(['quota']);
    evidence.redisRestarts = [killed];
    // Two re-syncs beyond the first are explained; the third request over is not.
    const check = checkAll(evidence).find((item) => item.id === 'quota');
    expect(check?.value).toBe(1);
    evidence.importerQuota = 3;
    expect(broken(checkAll(evidence))).toEqual([]);
    expect(checkAll(evidence).find((item) => item.id === 'quota')?.note).toMatch(/importer over its own quota by 2, all limiter re-syncs after Redis restarts/);
  });

  it('after a 401, a request with that token on the same connection, or later than the grace on another, is a violation', () => {
    const base = cleanEvidence();
    base.importerQuota = 100;
    base.limit = 100;
    const stop = proxyEntry(10, { status: 401, start: T0 + 1000, end: T0 + 1005, connection: 3 });
    const inFlight = proxyEntry(11, { status: 401, start: T0 + 1100, end: T0 + 1110, connection: 4 });
    const otherProcess = proxyEntry(12, { pid: 200, status: 401, start: T0 + 1200, end: T0 + 1205, connection: 5 });
    const newToken = proxyEntry(13, { token: 'token#2', start: T0 + 9000, end: T0 + 9010, connection: 3 });
    base.proxy = [...base.proxy, stop, inFlight, otherProcess, newToken];
    base.tokens = [{ oldLabel: 'token#1', newLabel: 'token#2', rotatedAt: T0 + 900, restoredAt: T0 + 8000 }];
    const checks = checkAll(base);
    expect(broken(checks)).toEqual([]);
    expect(checks.find((check) => check.id === 'after-40100')?.note).toMatch(/2 stop\(s\) met by a process; 1 request\(s\) already in flight/);

    const sameConnection = cleanEvidence();
    sameConnection.proxy = [...base.proxy, proxyEntry(14, { status: 401, start: T0 + 1020, end: T0 + 1025, connection: 3 })];
    expect(broken(checkAll(sameConnection))).toEqual(['after-40100']);
    const late = cleanEvidence();
    late.proxy = [...base.proxy, proxyEntry(15, { status: 401, start: T0 + 3500, end: T0 + 3505, connection: 6 })];
    expect(broken(checkAll(late))).toEqual(['after-40100']);
  });

  it('after a 429, a request of that process in the same quota day is a violation; the next day it is not', () => {
    const evidence = cleanEvidence();
    evidence.importerQuota = 100;
    evidence.limit = 100;
    const stop = proxyEntry(20, { status: 429, start: T0 + 1000, end: T0 + 1004, connection: 2 });
    const nextDay = proxyEntry(21, { start: T0 + DAY * 1000 + 10, end: T0 + DAY * 1000 + 20, connection: 2 });
    evidence.proxy = [...evidence.proxy, stop, nextDay];
    evidence.sandboxLog = [...evidence.sandboxLog, logEntry(nextDay.start + 1, { bytes: nextDay.bytes })];
    expect(broken(checkAll(evidence))).toEqual([]);
    evidence.proxy = [...evidence.proxy, proxyEntry(22, { start: T0 + 5000, end: T0 + 5010, connection: 7 })];
    expect(broken(checkAll(evidence))).toEqual(['after-429']);
  });

  it('finds a token, or its Authorization form, in any text', () => {
    const evidence = cleanEvidence();
    const token = evidence.secrets[0] as string;
    evidence.secrets.push(Buffer.from(`${token}:X`).toString('base64'));
    evidence.texts.push({ where: 'report.json', text: `{"token":"${token}"}` }, { where: 'logs/x.log', text: `Authorization: Basic ${Buffer.from(`${token}:X`).toString('base64')}` });
    const check = checkAll(evidence).find((item) => item.id === 'secrets');
    expect(check?.value).toBe(2);
    expect(check?.ok).toBe(false);
  });

  it('a worker stopped with SIGTERM must finish and exit 0; requests must be traced to a process', () => {
    const evidence = cleanEvidence();
    evidence.stops.push({ name: 'worker2', pid: 101, signal: 'SIGTERM', code: 1, forced: false, midUpload: true });
    evidence.proxy = [...evidence.proxy];
    (evidence.proxy[0] as ProxyEntry).pid = undefined;
    expect(broken(checkAll(evidence))).toEqual(['attributed', 'sigterm']);
  });
});
