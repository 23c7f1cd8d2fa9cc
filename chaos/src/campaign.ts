/**
 * One chaos campaign: the real pipeline — `optimo-import migrate --no-work` and N `work`
 * processes (the built bin), a redis-server of the run's own with persistence, the sandbox over
 * HTTPS with a short quota day and injected faults, behind the observing proxy — while the
 * disruptions of the schedule are thrown at it. Then the pipeline drains (or the time bound
 * comes), every process is stopped, the evidence is gathered and the invariants are checked.
 */
import { setMaxListeners } from 'node:events';
import { existsSync } from 'node:fs';
import { mkdtemp, mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startSandbox } from '@optimo-import/sandbox';
import type { FaultKind, RequestLogEntry, Sandbox } from '@optimo-import/sandbox';
import { createImportQueue, jobIdOf, REDIS_KEYS } from '@optimo-import/worker';
import type { ImportResult } from '@optimo-import/worker';
import { createProxyCertificate } from './certificate.js';
import { exitWithin, killAll, runningPids, spawnChild } from './children.js';
import type { Child } from './children.js';
import { describePlan, planFiles, writePlannedFiles } from './files.js';
import type { FileKind } from './files.js';
import { checkAll } from './invariants.js';
import type { Check, Evidence, JobEvidence, ServerWorkout, TokenEpisode, WorkerStop } from './invariants.js';
import { resolveCampaignOptions } from './options.js';
import type { CampaignOptions, ResolvedCampaignOptions } from './options.js';
import { startProxy } from './proxy.js';
import type { ObservingProxy } from './proxy.js';
import { createRandom } from './random.js';
import { startRedisServer } from './redis-server.js';
import type { RedisServer } from './redis-server.js';
import { describeDisruption, planSchedule } from './schedule.js';
import type { Disruption } from './schedule.js';
import { listServerWorkouts, spendQuotaDay } from './server-side.js';
import type { Target } from './server-side.js';
import { collectTexts } from './texts.js';
import { sleep } from './sleep.js';

const WORKER_BIN = fileURLToPath(new URL('../../apps/worker/bin/optimo-import.js', import.meta.url));
const WORKER_DIST = fileURLToPath(new URL('../../apps/worker/dist/cli.js', import.meta.url));
const ATHLETE = '1';
const TIME_ZONE = 'Europe/Lisbon';

export interface DisruptionRecord {
  kind: Disruption['kind'];
  /** ms from the start of the window: planned, begun, done. */
  plannedAt: number;
  startedAt: number;
  endedAt: number;
  what: string;
  /** What happened (which pid, whether a create was in flight, how the process exited, …). */
  outcome: string;
}

export interface CampaignReport {
  ok: boolean;
  seed: number;
  options: ResolvedCampaignOptions;
  /** The command that runs the same campaign again. */
  command: string;
  /** The run's folder when kept (`--keep`, or an invariant broke). */
  dir: string | undefined;
  startedAt: string;
  durationSeconds: number;
  /** Seconds from the end of the window until the migration was done (or the bound came). */
  drainSeconds: number;
  drained: boolean;
  files: Record<FileKind, number>;
  rides: number;
  disruptions: DisruptionRecord[];
  /** Injected faults the sandbox applied, by kind. */
  faults: Record<FaultKind, number>;
  requests: { server: number; importer: number; answered401: number; answered429: number };
  /** Worker restarts after a disruption; starts that failed at once (Redis down) and were tried again. */
  processes: { workers: number; restarts: number; failedStarts: number };
  checks: Check[];
}

export interface CampaignHooks {
  signal?: AbortSignal;
  /** Progress lines (the campaign's own log, also searched for tokens). */
  say?: (line: string) => void;
}

interface WorkerSlot {
  index: number;
  child: Child | undefined;
  busy: boolean;
  generation: number;
}

async function until(check: () => boolean | Promise<boolean>, timeoutMs: number, signal?: AbortSignal, everyMs = 20): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return true;
    if (Date.now() >= deadline) return false;
    await sleep(everyMs, signal);
  }
}

function baseEnv(): Record<string, string> {
  const env: Record<string, string> = { PATH: process.env.PATH ?? '/usr/bin:/bin' };
  if (process.env.HOME !== undefined) env.HOME = process.env.HOME;
  if (process.env.TZ !== undefined) env.TZ = process.env.TZ;
  return env;
}

/** The flags that differ from the defaults, after `--seed`: the command that runs this campaign again. */
export function commandOf(options: ResolvedCampaignOptions): string {
  const defaults = resolveCampaignOptions({ seconds: options.seconds, quota: options.quota, seed: options.seed });
  const parts = [`pnpm chaos --seed ${options.seed} --files ${options.files} --seconds ${options.seconds}`];
  const flags: Array<[keyof ResolvedCampaignOptions, string]> = [
    ['workers', 'workers'],
    ['concurrency', 'concurrency'],
    ['daySeconds', 'day-seconds'],
    ['quota', 'quota'],
    ['importerQuota', 'importer-quota'],
    ['rounds', 'rounds'],
    ['faults', 'faults'],
    ['slowAfterSeconds', 'slow-after-seconds'],
    ['drainSeconds', 'drain-seconds'],
    ['tokenHoldSeconds', 'token-hold-seconds'],
    ['lockMs', 'lock-ms'],
    ['graceMs', 'grace-ms'],
  ];
  for (const [key, flag] of flags) if (options[key] !== defaults[key]) parts.push(`--${flag} ${String(options[key])}`);
  if (options.disruptions.join(',') !== defaults.disruptions.join(',')) parts.push(`--disruptions ${options.disruptions.join(',')}`);
  return parts.join(' ');
}

export async function runCampaign(input: CampaignOptions, hooks: CampaignHooks = {}): Promise<CampaignReport> {
  const options = resolveCampaignOptions(input);
  if (!existsSync(WORKER_DIST)) throw new Error(`[chaos] ${WORKER_DIST} is missing: build first (pnpm chaos builds; or npx turbo run build --filter=@optimo-import/chaos...)`);
  const { signal } = hooks;
  // Every wait of the run listens to it (a dozen disruptions at once): no leak warning.
  if (signal !== undefined) setMaxListeners(0, signal);
  const began = Date.now();
  const log: string[] = [];
  const say = (line: string): void => {
    const text = `[chaos +${((Date.now() - began) / 1000).toFixed(1)}s] ${line}`;
    log.push(text);
    hooks.say?.(text);
  };
  const dir = await mkdtemp(join(tmpdir(), `optimo-chaos-${options.seed}-`));
  const closers: Array<() => Promise<void>> = [];
  let keep = options.keep;
  try {
    // The files.
    const plan = planFiles(options.files, createRandom(options.seed, 'files'));
    const filesDir = join(dir, 'files');
    await writePlannedFiles(plan, filesDir);
    say(`seed ${options.seed}: ${plan.files.length} files (${Object.entries(describePlan(plan)).map(([kind, count]) => `${count} ${kind}`).join(', ')}), ${plan.rides.length} rides; run folder ${dir}`);

    // The sandbox, its log, and the proxy in front of it.
    const sandboxLog: RequestLogEntry[] = [];
    const faultsSeed = createRandom(options.seed, 'faults').seed();
    const sandbox: Sandbox = await startSandbox({
      quota: options.quota,
      timeZone: TIME_ZONE,
      daySeconds: options.daySeconds,
      faults: options.faults,
      faultsSeed,
      slowAfterMs: options.slowAfterSeconds * 1000,
      logFile: join(dir, 'sandbox-requests.jsonl'),
      onLog: (entry) => sandboxLog.push(entry),
    });
    closers.push(() => sandbox.close());
    const account = sandbox.accounts[0];
    const admin = account?.staff.find((member) => member.role === 'admin');
    if (account === undefined || admin === undefined) throw new Error('[chaos] the sandbox has no admin');
    const tokens = [admin.token];
    const currentToken = (): string => tokens[tokens.length - 1] as string;
    const labelOf = (token: string): string => {
      const index = tokens.indexOf(token);
      return index === -1 ? 'unknown' : `token#${index + 1}`;
    };

    const cert = await createProxyCertificate(dir);
    const slots: WorkerSlot[] = [];
    const everyChild: Child[] = [];
    const proxy: ObservingProxy = await startProxy({
      upstreamPort: sandbox.port,
      upstreamCa: sandbox.certPem,
      cert: cert.cert,
      key: cert.key,
      labelToken: labelOf,
      candidatePids: () => runningPids(),
    });
    closers.push(() => proxy.close());

    // Redis, the token file, the config.
    const redis: RedisServer = await startRedisServer({ dir: join(dir, 'redis'), persistent: true });
    closers.push(() => redis.close());
    const tokenFile = join(dir, 'token');
    const writeToken = async (token: string): Promise<void> => {
      await writeFile(`${tokenFile}.new`, `${token}\n`, { mode: 0o600 });
      await rename(`${tokenFile}.new`, tokenFile);
    };
    await writeToken(currentToken());
    const configFile = join(dir, 'optimo-import.json');
    await writeFile(configFile, `${JSON.stringify({ redisUrl: redis.url, accounts: { default: { endpoint: proxy.url, tokenFile, caFile: cert.certFile, quota: options.importerQuota } } }, null, 2)}\n`);
    const env = {
      ...baseEnv(),
      OPTIMO_CONFIG: configFile,
      OPTIMO_DAY_SECONDS: String(options.daySeconds),
      OPTIMO_TOKEN_HOLD_SECONDS: String(options.tokenHoldSeconds),
    };
    say(`sandbox ${sandbox.url} (quota ${options.quota} a ${options.daySeconds} s day, faults ${options.faults}, fault seed ${faultsSeed}); proxy ${proxy.url}; redis ${redis.url} (appendonly, fsync always); importer quota ${options.importerQuota}`);

    const cli = (name: string, args: string[]): Child => {
      const child = spawnChild({ name, command: process.execPath, args: [WORKER_BIN, ...args], cwd: dir, env });
      everyChild.push(child);
      return child;
    };
    let failedStarts = 0;
    /** Starts the slot's worker, again and again (a second apart, for a minute) while it exits at once — as a supervisor would, e.g. while Redis is down. */
    const spawnWorker = async (slot: WorkerSlot): Promise<Child> => {
      const deadline = Date.now() + 60_000;
      for (;;) {
        slot.generation += 1;
        const child = cli(`worker${slot.index + 1}${slot.generation > 1 ? `.${slot.generation}` : ''}`, ['work', '--concurrency', String(options.concurrency), '--lock-ms', String(options.lockMs), '--json']);
        slot.child = child;
        await until(() => child.events.some((event) => event.event === 'ready') || child.exited() !== undefined, 30_000, signal);
        if (child.exited() === undefined && child.events.some((event) => event.event === 'ready')) return child;
        if (child.exited() === undefined) child.kill('SIGKILL');
        failedStarts += 1;
        if (Date.now() > deadline) throw new Error(`[chaos] ${child.name} did not start:\n${child.tail()}`);
        say(`  ${child.name} did not start (${child.lines.find((line) => line.stream === 'err')?.text ?? 'no message'}); again in 1 s`);
        await sleep(1000, signal);
      }
    };
    for (let index = 0; index < options.workers; index += 1) slots.push({ index, child: undefined, busy: false, generation: 0 });
    await Promise.all(slots.map((slot) => spawnWorker(slot)));
    say(`${options.workers} workers ready (pids ${slots.map((slot) => slot.child?.pid).join(', ')})`);

    const migrate = cli('migrate', ['migrate', filesDir, '--athlete', ATHLETE, '--no-work', '--report', join(dir, 'report')]);
    const windowStart = Date.now();

    // The disruptions.
    const schedule = planSchedule({ windowMs: options.seconds * 1000, kinds: options.disruptions, rounds: options.rounds, workers: options.workers }, createRandom(options.seed, 'schedule'));
    const records: DisruptionRecord[] = [];
    const episodes: TokenEpisode[] = [];
    const stops: WorkerStop[] = [];
    const spentWindows: number[] = [];
    const redisRestarts: number[] = [];
    const target: Target = { url: sandbox.url, ca: sandbox.certPem, token: currentToken, timeZone: TIME_ZONE };
    const since = (time: number): number => time - windowStart;

    const freeSlots = (wanted: number): WorkerSlot[] =>
      Array.from({ length: slots.length }, (_, k) => slots[(wanted + k) % slots.length] as WorkerSlot).filter((slot) => !slot.busy && slot.child !== undefined && slot.child.exited() === undefined);
    /** A free worker with a create in flight (the planned one first), waiting up to 15 s; then the planned one (or the next free) as it is. Marked busy. */
    const pickMidUpload = async (wanted: number): Promise<{ slot: WorkerSlot; inFlight: boolean } | undefined> => {
      let chosen: { slot: WorkerSlot; inFlight: boolean } | undefined;
      await until(() => {
        const slot = freeSlots(wanted).find((candidate) => proxy.inFlight((candidate.child as Child).pid).some((entry) => entry.method === 'workout.create'));
        if (slot !== undefined) {
          slot.busy = true;
          chosen = { slot, inFlight: true };
        }
        return chosen !== undefined;
      }, 15_000, signal, 5);
      if (chosen === undefined) {
        const slot = freeSlots(wanted)[0];
        if (slot !== undefined) {
          slot.busy = true;
          chosen = { slot, inFlight: false };
        }
      }
      return chosen;
    };

    const execute = async (disruption: Disruption): Promise<string> => {
      switch (disruption.kind) {
        case 'sigkill':
        case 'sigterm': {
          const chosen = await pickMidUpload(disruption.worker);
          if (chosen === undefined) return 'no worker free to stop';
          const { slot } = chosen;
          try {
            const child = slot.child as Child;
            const inFlight = chosen.inFlight ? 'workout.create' : undefined;
            const signalName = disruption.kind === 'sigkill' ? 'SIGKILL' : 'SIGTERM';
            proxy.rememberConnectionsOf(child.pid);
            const signalledAt = Date.now();
            child.kill(signalName);
            let exit = await exitWithin(child, disruption.kind === 'sigkill' ? 10_000 : (options.slowAfterSeconds + 40) * 1000);
            let forced = false;
            if (exit === undefined) {
              forced = true;
              child.kill('SIGKILL');
              exit = await child.exit;
            }
            stops.push({ name: child.name, pid: child.pid, signal: signalName, code: forced ? undefined : exit.code, forced, midUpload: inFlight !== undefined });
            await sleep(disruption.downMs, signal);
            const next = await spawnWorker(slot);
            return `${child.name} (pid ${child.pid}) ${inFlight === undefined ? 'with no create in flight' : 'with a create in flight'}: ${forced ? 'did not exit in time, killed' : `exit ${exit.code ?? exit.signal}`} ${exit.time - signalledAt} ms after the signal; back as ${next.name} (pid ${next.pid})`;
          } finally {
            slot.busy = false;
          }
        }
        case 'redis': {
          redisRestarts.push(Date.now());
          await redis.stop('SIGKILL');
          await sleep(disruption.downMs, signal);
          await redis.start();
          return `down ${disruption.downMs} ms, started again on the same data`;
        }
        case 'token': {
          const oldLabel = labelOf(currentToken());
          const fresh = sandbox.rotateToken(admin.username);
          tokens.push(fresh);
          const episode: TokenEpisode = { oldLabel, newLabel: labelOf(fresh), rotatedAt: Date.now(), restoredAt: undefined };
          episodes.push(episode);
          // The file is updated `restoreAfterMs` after the importer met the refusal (so that the stop is exercised), or after three quota days without one.
          const met = await until(() => proxy.entries.some((entry) => entry.status === 401 && entry.token === oldLabel && entry.start >= episode.rotatedAt), options.daySeconds * 3000, signal, 50);
          await sleep(disruption.restoreAfterMs, signal);
          await writeToken(fresh);
          episode.restoredAt = Date.now();
          return `${oldLabel} refused from now on${met ? '' : ' (the importer sent nothing meanwhile)'}; ${episode.newLabel} written to the token file ${episode.restoredAt - episode.rotatedAt} ms later`;
        }
        case 'quota': {
          const dayMs = options.daySeconds * 1000;
          await sleep((Math.floor(Date.now() / dayMs) + 1) * dayMs + 100 - Date.now(), signal);
          const spent = await spendQuotaDay(target, { daySeconds: options.daySeconds, limit: options.quota });
          spentWindows.push(...spent.spentWindows);
          return `day ${Math.floor(Date.now() / dayMs)}: ${spent.sent} request(s) of another program, ${spent.stopped}`;
        }
      }
    };
    const tasks = schedule.map(async (disruption) => {
      await sleep(windowStart + disruption.at - Date.now(), signal);
      const startedAt = Date.now();
      say(`${describeDisruption(disruption)}…`);
      let outcome: string;
      try {
        outcome = await execute(disruption);
      } catch (error) {
        if (signal?.aborted) throw error;
        outcome = `harness error: ${(error as Error).message}`;
      }
      records.push({ kind: disruption.kind, plannedAt: disruption.at, startedAt: since(startedAt), endedAt: since(Date.now()), what: describeDisruption(disruption), outcome });
      say(`  ${disruption.kind}: ${outcome}`);
    });
    await sleep(windowStart + options.seconds * 1000 - Date.now(), signal);
    say('window over: waiting for the disruptions in progress, then for the pipeline to drain');
    await Promise.all(tasks);
    const windowEnd = Date.now();

    // Drain: the migration exits once every file has a final result.
    const drained = (await exitWithin(migrate, Math.max(0, windowStart + (options.seconds + options.drainSeconds) * 1000 - Date.now()))) !== undefined;
    const drainSeconds = (Date.now() - windowEnd) / 1000;
    if (!drained) {
      say('time bound reached: stopping the migration (it writes its report)');
      migrate.kill('SIGINT');
      if ((await exitWithin(migrate, 30_000)) === undefined) migrate.kill('SIGKILL');
    }
    say(`migration ${drained ? 'done' : 'stopped'} (exit ${migrate.exited()?.code ?? migrate.exited()?.signal}); stopping the workers`);
    await Promise.all(
      slots.map(async (slot) => {
        const child = slot.child;
        if (child === undefined || child.exited() !== undefined) return;
        child.kill('SIGTERM');
        if ((await exitWithin(child, 30_000)) === undefined) child.kill('SIGKILL');
      }),
    );

    // Evidence.
    const resultsText = await redis.client.hgetall(REDIS_KEYS.results);
    const results = new Map<string, ImportResult>();
    for (const [jobId, text] of Object.entries(resultsText)) results.set(jobId, JSON.parse(text) as ImportResult);
    const queue = createImportQueue(redis.client);
    const jobs: JobEvidence[] = [];
    const byJob = new Map<string, JobEvidence>();
    for (const file of plan.files) {
      const jobId = jobIdOf('default', file.sha256);
      let job = byJob.get(jobId);
      if (job === undefined) {
        const bull = await queue.getJob(jobId);
        job = { jobId, files: [], result: results.get(jobId), state: bull === undefined ? 'missing' : await bull.getState() };
        byJob.set(jobId, job);
        jobs.push(job);
      }
      job.files.push(file);
    }
    await queue.close();
    let server: ServerWorkout[] | undefined;
    try {
      server = await listServerWorkouts(target, { deadline: Date.now() + Math.max(30_000, options.daySeconds * 3000) });
    } catch (error) {
      say((error as Error).message);
    }
    await proxy.close();
    await writeFile(join(dir, 'proxy-requests.jsonl'), proxy.entries.map((entry) => JSON.stringify(entry)).join('\n') + '\n');
    await mkdir(join(dir, 'logs'), { recursive: true });
    for (const child of [...everyChild, ...redis.processes]) {
      await writeFile(join(dir, 'logs', `${child.name}-${child.pid}.log`), child.lines.map((line) => `${new Date(line.time).toISOString()} ${line.stream} ${line.text}`).join('\n') + '\n');
    }
    await writeFile(join(dir, 'chaos.log'), log.join('\n') + '\n');
    const secrets = tokens.flatMap((token) => [token, Buffer.from(`${token}:X`, 'utf8').toString('base64'), Buffer.from(token, 'utf8').toString('base64')]);
    const texts = await collectTexts(dir, [filesDir, tokenFile]);

    const evidence: Evidence = {
      plan,
      jobs,
      server,
      sandboxLog,
      proxy: proxy.entries,
      tokens: episodes,
      daySeconds: options.daySeconds,
      limit: options.quota,
      importerQuota: options.importerQuota,
      spentWindows,
      redisRestarts,
      graceMs: options.graceMs,
      texts,
      secrets,
      stops,
    };
    const checks = checkAll(evidence);
    const ok = checks.every((check) => check.ok !== false);
    if (!ok) keep = true;
    const faults = Object.fromEntries(['reset-before', 'quota-early', 'error5xx', 'html5xx', 'reset-after', 'slow-after'].map((kind) => [kind, 0])) as Record<FaultKind, number>;
    for (const entry of sandboxLog) for (const kind of entry.faults) faults[kind] += 1;
    const report: CampaignReport = {
      ok,
      seed: options.seed,
      options,
      command: commandOf(options),
      dir: keep ? dir : undefined,
      startedAt: new Date(began).toISOString(),
      durationSeconds: Math.round((Date.now() - began) / 100) / 10,
      drainSeconds: Math.round(drainSeconds * 10) / 10,
      drained,
      files: describePlan(plan),
      rides: plan.rides.length,
      disruptions: records.sort((a, b) => a.startedAt - b.startedAt),
      faults,
      requests: {
        server: sandboxLog.length,
        importer: proxy.entries.length,
        answered401: proxy.entries.filter((entry) => entry.status === 401).length,
        answered429: proxy.entries.filter((entry) => entry.status === 429).length,
      },
      processes: { workers: options.workers, restarts: slots.reduce((sum, slot) => sum + slot.generation - 1, 0) - failedStarts, failedStarts },
      checks,
    };
    await writeFile(join(dir, 'chaos-report.json'), `${JSON.stringify(report, null, 2)}\n`);
    return report;
  } catch (error) {
    keep = keep || !signal?.aborted;
    throw error;
  } finally {
    killAll();
    for (const close of closers.reverse()) await close().catch(() => undefined);
    if (!keep) await rm(dir, { recursive: true, force: true }).catch(() => undefined);
    else hooks.say?.(`[chaos] run folder kept: ${dir}`);
  }
}
