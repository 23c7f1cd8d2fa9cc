/**
 * The queue mode, for real: the corpus enqueued as one migration (`enqueueImport`, one job per
 * file, on the queue `optimo-import:imports` in database 11 of the Redis on 127.0.0.1:6379) and worked
 * by N real `optimo-import work` processes against a fresh sandbox process. Timed from the first
 * `enqueueImport` to the last `result` line of the workers. Every key the run made is deleted at
 * its end: its jobs, their results and events, its account's ledger, quota, duplicate claims,
 * zone and hold, the migration's counters.
 */
import { Redis } from 'ioredis';
import { createImportQueue, enqueueImport, jobIdOf, KEY_PREFIX, parseJobData, QUEUE_NAME, REDIS_KEYS } from '@optimo-import/worker';
import type { ImportResult } from '@optimo-import/worker';
import { describeFailure } from './contender.js';
import type { PipelineFile } from './pipeline-corpus.js';
import type { PipelineMode, PipelineRunResult } from './pipeline-run.js';
import { emptyRunResult, tallyResults } from './pipeline-run.js';
import type { PipelineTarget } from './pipeline-target.js';
import { openPipelineTarget, workerEnv } from './pipeline-target.js';
import type { WorkerProcess, WorkerResultLine } from './pipeline-worker.js';
import { startWorkerProcess } from './pipeline-worker.js';
import { BENCH_REDIS, redisServerCpuMs } from './redis-connection.js';

/**
 * The Redis database of the queue rows. A worker takes every job of its queue, and one of an
 * account it is not configured with it puts back for 30 s (failing it after an hour): a worker of
 * anyone else's on the bench's queue would hold the run's jobs back, and the bench's workers
 * theirs. So the bench keeps to a database of its own (the worker's tests use 12 to 14, others 0).
 */
export const BENCH_REDIS_DB = 11;
export const BENCH_REDIS_URL = `redis://${BENCH_REDIS.host}:${BENCH_REDIS.port}/${BENCH_REDIS_DB}`;
/** A run that has not settled every file after this long is given up (its files count as not settled). */
const RUN_TIMEOUT_MS = 600_000;
/** How often the results hash is read, to see results no bench worker reported (another worker took the job). */
const RESULTS_POLL_MS = 500;
/** A result found in Redis that no bench worker reports within this long counts as settled by another worker. */
const UNREPORTED_AFTER_MS = 2000;

type ImportQueue = ReturnType<typeof createImportQueue>;

export async function runQueueMode(mode: PipelineMode, round: number, files: readonly PipelineFile[]): Promise<PipelineRunResult> {
  const run = emptyRunResult(mode.id, round, files.length);
  let target: PipelineTarget | undefined;
  let redis: Redis | undefined;
  let queue: ImportQueue | undefined;
  const workers: WorkerProcess[] = [];
  let cleanup: RunKeys | undefined;
  try {
    target = await openPipelineTarget();
    redis = new Redis({ ...BENCH_REDIS, db: BENCH_REDIS_DB, maxRetriesPerRequest: null, lazyConnect: true, connectTimeout: 3000, retryStrategy: () => null });
    redis.on('error', () => undefined);
    await redis.connect();
    queue = createImportQueue(redis);
    await refuseBusyQueue(redis, queue);

    const { account, athleteId } = target;
    const migration = `${account}-corpus`;
    const jobIds = new Set(files.map((file) => jobIdOf(account, file.hash)));
    cleanup = { account, athleteId, migration, jobIds: [...jobIds], sinceMs: Date.now() };
    // When each job's result came: the worker's `result` line, or (for a job no bench worker
    // reports) the poll that first found its result in Redis.
    const reported = new Map<string, number>();
    const polled = new Map<string, number>();
    let settleAll: () => void = () => undefined;
    const allSettled = new Promise<void>((resolve) => {
      settleAll = resolve;
    });
    const checkSettled = (): void => {
      const now = performance.now();
      const settled = [...jobIds].every((id) => reported.has(id) || now - (polled.get(id) ?? now) > UNREPORTED_AFTER_MS);
      if (settled) settleAll();
    };
    const onResult = (line: WorkerResultLine): void => {
      if (!jobIds.has(line.jobId)) run.notes.push(`a bench worker settled a job not of this run: ${line.jobId} (${line.outcome})`);
      else if (!reported.has(line.jobId)) reported.set(line.jobId, line.at);
      checkSettled();
    };
    const env = workerEnv({ OPTIMO_CONFIG: target.configFile, REDIS_URL: BENCH_REDIS_URL });
    const started = await Promise.allSettled(Array.from({ length: mode.processes }, () => startWorkerProcess({ concurrency: mode.concurrency, env, cwd: target!.dir, onResult })));
    for (const outcome of started) if (outcome.status === 'fulfilled') workers.push(outcome.value);
    const refused = started.find((outcome) => outcome.status === 'rejected');
    if (refused) throw (refused as PromiseRejectedResult).reason;
    await waitForWorkers(redis, mode.processes);

    const sandboxCpuBefore = (await target.sandbox.usage()).cpuMs;
    const redisCpuBefore = await redisServerCpuMs(redis);
    const t0 = performance.now();
    const t0Epoch = Date.now();
    for (const file of files) {
      const data = parseJobData({ v: 1, account, athleteId, file: { kind: 'path', path: file.path }, fileName: file.fileName, contentHash: file.hash, origin: 'migrate', migration, submittedAt: Date.now() });
      const { added } = await enqueueImport(queue, data);
      if (!added) run.notes.push(`${file.label}: enqueueImport found its job already there (not added)`);
    }
    run.enqueueSeconds = (performance.now() - t0) / 1000;

    // A result in Redis that no bench worker reports (another worker took the job) still ends the wait.
    const store = redis;
    const poll = setInterval(() => {
      const missing = [...jobIds].filter((id) => !reported.has(id) && !polled.has(id));
      const at = performance.now();
      if (missing.length) {
        void store.hmget(REDIS_KEYS.results, ...missing).then(
          (texts) => texts.forEach((text, index) => {
            if (text !== null) polled.set(missing[index] as string, at);
          }),
          () => undefined,
        );
      }
      checkSettled();
    }, RESULTS_POLL_MS);
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<'late'>((resolve) => {
      timer = setTimeout(() => resolve('late'), RUN_TIMEOUT_MS);
    });
    const ended = await Promise.race([allSettled.then(() => 'done' as const), late]);
    clearInterval(poll);
    clearTimeout(timer);
    const times = [...jobIds].map((id) => reported.get(id) ?? polled.get(id)).filter((at): at is number => at !== undefined);
    run.seconds = (Math.max(t0, ...times) - t0) / 1000;
    if (ended === 'late') run.notes.push(`gave up after ${RUN_TIMEOUT_MS / 1000} s with ${jobIds.size - times.length} of ${jobIds.size} files unsettled`);
    for (const id of jobIds) if (!reported.has(id) && polled.has(id)) run.notes.push(`${id}: its result is in Redis but no bench worker reported it (another worker on the queue took the job)`);

    run.sandboxCpuMs = (await target.sandbox.usage()).cpuMs - sandboxCpuBefore;
    const redisCpuAfter = await redisServerCpuMs(redis);
    if (redisCpuBefore !== undefined && redisCpuAfter !== undefined) run.redisCpuMs = redisCpuAfter - redisCpuBefore;
    workers.forEach((worker, index) => {
      const { memory, cpuMs } = worker.sample();
      run.processes.push({
        label: `worker ${index + 1}`,
        ...(worker.readyRssBytes === undefined ? {} : { readyRssBytes: worker.readyRssBytes }),
        ...(memory === undefined ? {} : { peakRssBytes: memory.peakRssBytes }),
        ...(cpuMs === undefined || worker.readyCpuMs === undefined ? {} : { cpuMs: cpuMs - worker.readyCpuMs }),
      });
    });
    run.serverRequests = await target.countPipelineRequests();
    const texts = await redis.hmget(REDIS_KEYS.results, ...jobIds);
    tallyResults(run, texts.map(parseResultText));
    let lastFinished = -1;
    for (const file of files) {
      const job = await queue.getJob(jobIdOf(account, file.hash));
      if (job?.processedOn === undefined || job.finishedOn === undefined || job.finishedOn < lastFinished) continue;
      lastFinished = job.finishedOn;
      run.last = { file: file.label, takenAtMs: job.processedOn - t0Epoch, ms: job.finishedOn - job.processedOn };
    }
  } catch (error) {
    run.failure = describeFailure(error);
  } finally {
    const codes = await Promise.all(workers.map((worker) => worker.stop()));
    workers.forEach((worker, index) => {
      for (const note of worker.notes()) run.notes.push(`worker ${index + 1}: ${note}`);
      if (codes[index] !== 0) run.notes.push(`worker ${index + 1} exited with ${codes[index]}`);
    });
    if (redis !== undefined && queue !== undefined && cleanup !== undefined) {
      try {
        const left = await deleteRunKeys(redis, queue, cleanup);
        if (left.length) run.notes.push(`keys of the run still in Redis after the clean-up: ${left.join(', ')}`);
      } catch (error) {
        run.notes.push(`the clean-up of Redis failed: ${describeFailure(error)}`);
      }
    }
    await queue?.close().catch(() => undefined);
    await redis?.quit().catch(() => redis?.disconnect());
    await target?.close();
  }
  return run;
}

function parseResultText(text: string | null): ImportResult | undefined {
  if (text === null) return undefined;
  try {
    return JSON.parse(text) as ImportResult;
  } catch {
    return undefined;
  }
}

/**
 * The bench's workers are configured with the run's account only: a job of anyone else's they took
 * would be put back for 30 s (and failed after an hour). So the run refuses a queue that holds
 * unfinished jobs, or that other workers listen on (they would hold this run's jobs back the same way).
 */
async function refuseBusyQueue(redis: Redis, queue: ImportQueue): Promise<void> {
  const counts = await queue.getJobCounts('waiting', 'prioritized', 'delayed', 'active', 'waiting-children');
  const unfinished = Object.values(counts).reduce((sum, n) => sum + n, 0);
  if (unfinished > 0) {
    throw new Error(`the queue ${KEY_PREFIX}:${QUEUE_NAME} of Redis database ${BENCH_REDIS_DB} holds ${unfinished} unfinished jobs of others (${JSON.stringify(counts)}); the bench's workers would take them and put them back, so the queue rows were not run`);
  }
  const listening = await countQueueWorkers(redis);
  if (listening > 0) throw new Error(`${listening} other worker(s) listen on the queue of Redis database ${BENCH_REDIS_DB}; they would take this run's jobs and put them back (the account is the bench's), so the queue rows were not run`);
}

/**
 * BullMQ workers of the queue connected to the bench's database: `CLIENT LIST` entries named as
 * BullMQ names a worker's connection (`<prefix>:<base64 of the queue name>`). BullMQ's own
 * `getWorkersCount` counts every database's.
 */
async function countQueueWorkers(redis: Redis): Promise<number> {
  const name = `${KEY_PREFIX}:${Buffer.from(QUEUE_NAME).toString('base64')}`;
  const list = String(await redis.client('LIST'));
  return list.split('\n').filter((line) => {
    const field = (key: string): string | undefined => new RegExp(`(?:^| )${key}=(\\S*)`).exec(line)?.[1];
    const client = field('name');
    return field('db') === String(BENCH_REDIS_DB) && client !== undefined && (client === name || client.startsWith(`${name}:w:`));
  }).length;
}

/** Waits until `count` workers are connected to the queue (their BullMQ connections are up), at most 10 s. */
async function waitForWorkers(redis: Redis, count: number): Promise<void> {
  const until = performance.now() + 10_000;
  while (performance.now() < until) {
    if ((await countQueueWorkers(redis)) >= count) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

interface RunKeys {
  account: string;
  athleteId: string;
  migration: string;
  jobIds: string[];
  /** Epoch ms before the first job was added: the events stream is read from here. */
  sinceMs: number;
}

/** Deletes every key and entry the run made; returns the keys naming its account that are left. */
async function deleteRunKeys(redis: Redis, queue: ImportQueue, keys: RunKeys): Promise<string[]> {
  const ids = new Set(keys.jobIds);
  for (const jobId of keys.jobIds) await queue.remove(jobId);
  if (keys.jobIds.length) await redis.hdel(REDIS_KEYS.results, ...keys.jobIds);
  const recordings = REDIS_KEYS.recordings(keys.account, keys.athleteId);
  await redis.del(REDIS_KEYS.migration(keys.migration), REDIS_KEYS.migrationFinished(keys.migration), `${REDIS_KEYS.quotaPrefix}${keys.account}`, recordings, `${recordings}:owners`);
  await redis.zrem(REDIS_KEYS.migrations, keys.migration);
  await redis.hdel(REDIS_KEYS.accountHold, keys.account);
  await redis.hdel(REDIS_KEYS.accountZone, keys.account);
  for (const key of await scanKeys(redis, `${REDIS_KEYS.ledgerPrefix}${keys.account}|*`)) await redis.del(key);
  // BullMQ's event stream of the queue: the entries about this run's jobs.
  const events = `${KEY_PREFIX}:${QUEUE_NAME}:events`;
  let from = `${keys.sinceMs}-0`;
  for (;;) {
    const batch = await redis.xrange(events, from, '+', 'COUNT', 1000);
    const mine = batch.filter(([, fields]) => {
      const at = fields.indexOf('jobId');
      return at >= 0 && at % 2 === 0 && ids.has(fields[at + 1] ?? '');
    });
    if (mine.length) await redis.xdel(events, ...mine.map(([id]) => id));
    if (batch.length < 1000) break;
    from = `(${batch[batch.length - 1]?.[0] ?? ''}`;
  }
  return scanKeys(redis, `*${keys.account}*`);
}

async function scanKeys(redis: Redis, pattern: string): Promise<string[]> {
  const found: string[] = [];
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
    cursor = next;
    found.push(...keys);
  } while (cursor !== '0');
  return found;
}
