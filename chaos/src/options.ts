/**
 * The flags of `pnpm chaos`, kept apart from their resolved, validated form. A bad flag is
 * refused before anything starts, in one message form:
 * `[chaos] --files must be a whole number from 1 to 5000, got "x"`.
 */
import { randomInt } from 'node:crypto';
import { parseArgs } from 'node:util';
import { FAULT_KINDS, parseFaults } from '@optimo-import/sandbox';

export const DISRUPTION_KINDS = ['sigkill', 'sigterm', 'redis', 'token', 'quota'] as const;
export type DisruptionKind = (typeof DISRUPTION_KINDS)[number];

/** The faults the sandbox draws for every authenticated request (faults.ts of the sandbox). */
export const DEFAULT_FAULTS = 'error5xx:0.03,html5xx:0.02,reset-before:0.02,reset-after:0.02,slow-after:0.004,quota-early:0.01';

export interface CampaignOptions {
  /** Files in the migration. Default 200. */
  files?: number;
  /** How long disruptions are thrown at the run, seconds. Default 180. */
  seconds?: number;
  /** Seed of everything drawn (files, faults, schedule). Default random, printed. */
  seed?: number;
  /** `work` processes. Default 3. */
  workers?: number;
  /** Jobs at once per worker (`work --concurrency`). Default 4. */
  concurrency?: number;
  /** Length of the quota day, seconds (sandbox `daySeconds`, workers' OPTIMO_DAY_SECONDS). Default 30. */
  daySeconds?: number;
  /**
   * The account's daily limit on the server. Default: sized so that the work outlasts the window
   * (importer quota ≈ files × 1.4 requests / (1.3 × seconds / daySeconds − rounds)), over 0.8.
   */
  quota?: number;
  /** The importer's own quota (config file `quota`), at most `quota`. Default that size, or 80% of a given `quota`. */
  importerQuota?: number;
  /** Which disruptions to throw. Default all: sigkill, sigterm, redis, token, quota. */
  disruptions?: readonly DisruptionKind[];
  /** How many times each disruption is thrown. Default one per 90 s of `seconds` (at least 1). */
  rounds?: number;
  /** Sandbox faults, `kind:probability,…`. Default `DEFAULT_FAULTS`. */
  faults?: string;
  /** How long a `slow-after` answer is held, seconds: longer than the client's 120 s answer timeout, so it never comes. Default 130. */
  slowAfterSeconds?: number;
  /** After the disruptions, how long the pipeline may take to drain, seconds. Default 300. */
  drainSeconds?: number;
  /** Workers' OPTIMO_TOKEN_HOLD_SECONDS: how long a refused token holds the account. Default 8. */
  tokenHoldSeconds?: number;
  /** `work --lock-ms`: a killed worker's jobs are taken over after this. Default 5000. */
  lockMs?: number;
  /** A request of a process that arrives within this of the stop answer (401, 429) on another connection counts as already in flight. Default 2000. */
  graceMs?: number;
  /** Keep the run's folder (logs, report, Redis data). Default false; kept anyway when an invariant breaks. */
  keep?: boolean;
}

export type ResolvedCampaignOptions = Required<Omit<CampaignOptions, 'disruptions'>> & { disruptions: DisruptionKind[] };

export class UsageError extends Error {
  override readonly name = 'UsageError';
}

function whole(name: string, value: unknown, fallback: number, min: number, max: number): number {
  if (value === undefined) return fallback;
  const number = typeof value === 'string' && /^\d+$/.test(value.trim()) ? Number(value) : value;
  if (typeof number !== 'number' || !Number.isInteger(number) || number < min || number > max) {
    throw new UsageError(`[chaos] --${name} must be a whole number from ${min} to ${max}, got ${JSON.stringify(value)}`);
  }
  return number;
}

export function resolveCampaignOptions(options: CampaignOptions): ResolvedCampaignOptions {
  const seconds = whole('seconds', options.seconds, 180, 10, 3600);
  const files = whole('files', options.files, 200, 1, 5000);
  const daySeconds = whole('day-seconds', options.daySeconds, 30, 10, 86_400);
  const rounds = whole('rounds', options.rounds, Math.max(1, Math.floor(seconds / 90)), 1, 20);
  // Sized so that the work outlasts the window: about 1.4 requests a file, spread over 1.3 × the window's days less the days spent by another program.
  const days = Math.max(1, (seconds * 1.3) / daySeconds - rounds);
  const sized = Math.max(10, Math.ceil((files * 1.4) / days));
  const importerGiven = options.importerQuota === undefined ? undefined : whole('importer-quota', options.importerQuota, sized, 10, 1_000_000);
  const quota = whole('quota', options.quota, Math.max(20, Math.ceil((importerGiven ?? sized) / 0.8)), 20, 1_000_000);
  const importerQuota = importerGiven ?? (options.quota === undefined ? Math.min(sized, quota) : Math.floor(quota * 0.8));
  if (importerQuota > quota) throw new UsageError(`[chaos] --importer-quota must be at most --quota (${quota}), got ${importerQuota}`);
  const disruptions = [...(options.disruptions ?? DISRUPTION_KINDS)];
  for (const kind of disruptions) {
    if (!(DISRUPTION_KINDS as readonly string[]).includes(kind)) throw new UsageError(`[chaos] --disruptions must be a comma-separated list of ${DISRUPTION_KINDS.join(', ')}, got ${JSON.stringify(kind)}`);
  }
  const faults = options.faults ?? DEFAULT_FAULTS;
  try {
    parseFaults(faults);
  } catch (error) {
    throw new UsageError(`[chaos] --faults: ${(error as Error).message} (kinds: ${FAULT_KINDS.join(', ')})`);
  }
  return {
    files,
    seconds,
    seed: whole('seed', options.seed, randomInt(1, 2 ** 31 - 1), 0, 2 ** 32 - 1),
    workers: whole('workers', options.workers, 3, 1, 16),
    concurrency: whole('concurrency', options.concurrency, 4, 1, 8),
    daySeconds,
    quota,
    importerQuota,
    disruptions: [...new Set(disruptions)],
    rounds,
    faults,
    slowAfterSeconds: whole('slow-after-seconds', options.slowAfterSeconds, 130, 1, 3600),
    drainSeconds: whole('drain-seconds', options.drainSeconds, 300, 10, 7200),
    tokenHoldSeconds: whole('token-hold-seconds', options.tokenHoldSeconds, 8, 1, 3600),
    lockMs: whole('lock-ms', options.lockMs, 5000, 1000, 600_000),
    graceMs: whole('grace-ms', options.graceMs, 2000, 0, 60_000),
    keep: options.keep ?? false,
  };
}

export interface LoadOptions {
  /** How long submissions go on, seconds. Default 120. */
  seconds?: number;
  /** Sampling interval, seconds. Default 5. */
  interval?: number;
  /** Submissions waiting for their result at any time (a closed loop). Default 16. */
  outstanding?: number;
  /** `work --concurrency`. Default 4. */
  concurrency?: number;
  /** Leading share of the run left out of the trends (warm-up), 0–0.9. Default 0.25. */
  warmup?: number;
  /** Sandbox faults (none by default: every error then counts). */
  faults?: string;
  /** Throughput held: the mean of the last quarter of intervals at least this share of the first quarter's (after warm-up). Default 0.75. */
  minThroughputRatio?: number;
  /** Memory flat: RSS slope after warm-up at most this, MB per minute. Default 1. */
  maxRssSlope?: number;
  /** Memory flat: slope of the heap's floor (its lowest value in the first and the second half) at most this, MB per minute. Default 1. */
  maxHeapSlope?: number;
  /** Cost held: the worker's CPU per file in the last quarter at most this times the first quarter's. Default 1.25. */
  maxCpuGrowth?: number;
  /**
   * The worker's V8 old space, MB (`--max-old-space-size` through NODE_OPTIONS); 0 leaves Node's
   * default. A small one makes full collections frequent, so that a short run sees the heap's real
   * floor (and a leak ends in an out-of-memory crash). Default 0.
   */
  workerHeapMb?: number;
  seed?: number;
  keep?: boolean;
}

export type ResolvedLoadOptions = Required<Omit<LoadOptions, 'faults'>> & { faults: string | undefined };


function share(name: string, value: unknown, fallback: number, min: number, max: number): number {
  if (value === undefined) return fallback;
  const number = typeof value === 'string' && /^\d+(\.\d+)?$/.test(value.trim()) ? Number(value) : value;
  if (typeof number !== 'number' || !Number.isFinite(number) || number < min || number > max) {
    throw new UsageError(`[chaos] --${name} must be a number from ${min} to ${max}, got ${JSON.stringify(value)}`);
  }
  return number;
}

export function resolveLoadOptions(options: LoadOptions): ResolvedLoadOptions {
  if (options.faults !== undefined) {
    try {
      parseFaults(options.faults);
    } catch (error) {
      throw new UsageError(`[chaos] --faults: ${(error as Error).message}`);
    }
  }
  return {
    seconds: whole('seconds', options.seconds, 120, 10, 86_400),
    interval: whole('interval', options.interval, 5, 1, 600),
    outstanding: whole('outstanding', options.outstanding, 16, 1, 1000),
    concurrency: whole('concurrency', options.concurrency, 4, 1, 64),
    warmup: share('warmup', options.warmup, 0.25, 0, 0.9),
    faults: options.faults,
    minThroughputRatio: share('min-throughput-ratio', options.minThroughputRatio, 0.75, 0, 1),
    maxRssSlope: share('max-rss-slope', options.maxRssSlope, 1, 0, 10_000),
    maxHeapSlope: share('max-heap-slope', options.maxHeapSlope, 1, 0, 10_000),
    maxCpuGrowth: share('max-cpu-growth', options.maxCpuGrowth, 1.25, 1, 100),
    workerHeapMb: whole('worker-heap-mb', options.workerHeapMb, 0, 0, 65_536),
    seed: whole('seed', options.seed, randomInt(1, 2 ** 31 - 1), 0, 2 ** 32 - 1),
    keep: options.keep ?? false,
  };
}

export interface ParsedArgs {
  mode: 'campaign' | 'load' | 'help';
  json: boolean;
  campaign: CampaignOptions;
  load: LoadOptions;
}

export const USAGE = `pnpm chaos [--files N] [--seconds S] [--seed N] [--workers N] [--concurrency N]
           [--day-seconds S] [--quota N] [--importer-quota N] [--disruptions LIST] [--rounds N]
           [--faults SPEC] [--slow-after-seconds S] [--drain-seconds S] [--token-hold-seconds S]
           [--lock-ms MS] [--grace-ms MS] [--keep] [--json]
pnpm chaos --load [--seconds S] [--interval S] [--outstanding N] [--concurrency N] [--warmup F]
           [--faults SPEC] [--min-throughput-ratio F] [--max-rss-slope MB] [--max-heap-slope MB]
           [--max-cpu-growth F] [--worker-heap-mb MB] [--seed N] [--keep] [--json]
(see chaos/README.md)`;

/** Reads the command line; throws UsageError. */
export function parseChaosArgs(args: readonly string[]): ParsedArgs {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...args],
      allowPositionals: false,
      strict: true,
      options: {
        load: { type: 'boolean', default: false },
        json: { type: 'boolean', default: false },
        keep: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
        files: { type: 'string' },
        seconds: { type: 'string' },
        seed: { type: 'string' },
        workers: { type: 'string' },
        concurrency: { type: 'string' },
        'day-seconds': { type: 'string' },
        quota: { type: 'string' },
        'importer-quota': { type: 'string' },
        disruptions: { type: 'string' },
        rounds: { type: 'string' },
        faults: { type: 'string' },
        'slow-after-seconds': { type: 'string' },
        'drain-seconds': { type: 'string' },
        'token-hold-seconds': { type: 'string' },
        'lock-ms': { type: 'string' },
        'grace-ms': { type: 'string' },
        interval: { type: 'string' },
        outstanding: { type: 'string' },
        warmup: { type: 'string' },
        'min-throughput-ratio': { type: 'string' },
        'max-rss-slope': { type: 'string' },
        'max-heap-slope': { type: 'string' },
        'max-cpu-growth': { type: 'string' },
        'worker-heap-mb': { type: 'string' },
      },
    });
  } catch (error) {
    throw new UsageError(`[chaos] ${(error as Error).message}`);
  }
  const v = parsed.values;
  const campaignOnly = ['files', 'workers', 'day-seconds', 'quota', 'importer-quota', 'disruptions', 'rounds', 'slow-after-seconds', 'drain-seconds', 'token-hold-seconds', 'lock-ms', 'grace-ms'] as const;
  const loadOnly = ['interval', 'outstanding', 'warmup', 'min-throughput-ratio', 'max-rss-slope', 'max-heap-slope', 'max-cpu-growth', 'worker-heap-mb'] as const;
  const wrongMode = v.load ? campaignOnly.find((name) => v[name] !== undefined) : loadOnly.find((name) => v[name] !== undefined);
  if (wrongMode !== undefined) throw new UsageError(`[chaos] --${wrongMode} ${v.load ? 'is not a --load flag' : 'goes with --load'}`);
  const pick = <T extends object>(entries: Array<[keyof T, unknown]>): T => Object.fromEntries(entries.filter(([, value]) => value !== undefined)) as T;
  return {
    mode: v.help ? 'help' : v.load ? 'load' : 'campaign',
    json: v.json === true,
    campaign: pick<CampaignOptions>([
      ['files', v.files],
      ['seconds', v.seconds],
      ['seed', v.seed],
      ['workers', v.workers],
      ['concurrency', v.concurrency],
      ['daySeconds', v['day-seconds']],
      ['quota', v.quota],
      ['importerQuota', v['importer-quota']],
      ['disruptions', v.disruptions?.split(',').map((item) => item.trim()).filter((item) => item !== '')],
      ['rounds', v.rounds],
      ['faults', v.faults],
      ['slowAfterSeconds', v['slow-after-seconds']],
      ['drainSeconds', v['drain-seconds']],
      ['tokenHoldSeconds', v['token-hold-seconds']],
      ['lockMs', v['lock-ms']],
      ['graceMs', v['grace-ms']],
      ['keep', v.keep ? true : undefined],
    ]),
    load: pick<LoadOptions>([
      ['seconds', v.seconds],
      ['interval', v.interval],
      ['outstanding', v.outstanding],
      ['concurrency', v.concurrency],
      ['warmup', v.warmup],
      ['faults', v.faults],
      ['minThroughputRatio', v['min-throughput-ratio']],
      ['maxRssSlope', v['max-rss-slope']],
      ['maxHeapSlope', v['max-heap-slope']],
      ['maxCpuGrowth', v['max-cpu-growth']],
      ['workerHeapMb', v['worker-heap-mb']],
      ['seed', v.seed],
      ['keep', v.keep ? true : undefined],
    ]),
  };
}
