/**
 * The engine of the fuzz campaign (fuzz-campaign.ts runs it, one child process per target):
 * a target (one parser of `PARSERS`, or the registry's `parseFile` over containers), a corpus
 * that starts from the seeds of test/fuzz-seeds.ts, and a loop that mutates a corpus input,
 * runs it, classifies the outcome and keeps the input when it did something new.
 *
 * Feedback ("coverage-guided"): with `coverage` on, V8's precise block coverage (the inspector's
 * `Profiler.takePreciseCoverage`, binary mode) is taken after every execution, restricted to the
 * scripts of packages/parsers/src and packages/workout/src. An input is kept when it reached a
 * function or block no earlier input reached, or when its signature — outcome, error code,
 * warning codes, log2 of its size — is new. V8 reports a block only where its count differs from
 * its function's, so a block is known once some input skipped it, and counts as reached by a later
 * input that ran its function without skipping it. Without coverage only the signature guides.
 *
 * A crash is anything a parser must never do: throw something that is not a `ParseError` (or an
 * internal one: the registry's wrapper of an unexpected exception), let `detect` throw, return a
 * workout that fails `validateWorkout` or holds a number that is not finite, or take longer than
 * `slowMs` on one input. Crashes are
 * told apart by kind, error name, message (digits and quoted text blanked) and the first stack
 * frame inside the repository; the first input of each is minimised and kept.
 */
import { Session } from 'node:inspector/promises';
import { createHash } from 'node:crypto';
import { mulberry32 } from '@optimo-import/fixtures';
import type { FormatId, Workout } from '@optimo-import/workout';
import { validateWorkout } from '@optimo-import/workout';
import { DEFAULT_LIMITS, PARSERS, isParseError, parseFile } from '../src/index.js';
import type { FormatParser, ParseContext } from '../src/index.js';
import { fuzzSeeds } from './fuzz-seeds.js';
import { mutateBytes, STRUCTURE_MUTATORS } from './fuzz-campaign-mutators.js';
import type { MutatorFamily, Rand } from './fuzz-campaign-mutators.js';

export type FuzzTargetId = FormatId | 'containers';

export type CrashKind = 'throw' | 'internal' | 'detect-throw' | 'invalid-workout' | 'slow' | 'killed' | 'process-exit';

export interface Crash {
  kind: CrashKind;
  message: string;
  /** What tells two crashes apart (see the module comment). */
  key: string;
  stack?: string;
}

export type Outcome =
  | { status: 'ok'; workouts: number; samples: number; warnings: string[] }
  | { status: 'parse-error'; code: string }
  | { status: 'crash'; crash: Crash };

export interface FuzzTarget {
  id: FuzzTargetId;
  family: MutatorFamily;
  seeds: Uint8Array[];
  run(input: Uint8Array): Outcome;
}

const FAMILY: Record<FormatId, MutatorFamily> = {
  fit: 'fit',
  tcx: 'xml',
  gpx: 'xml',
  'polar-xml': 'xml',
  pwx: 'xml',
  'polar-hrm': 'lines',
  csv: 'lines',
  'polar-csv': 'lines',
  'polar-json': 'json',
};

/** Every target: each parser of the registry, in its order, then `containers`. */
export function targetIds(): FuzzTargetId[] {
  return [...PARSERS.map((p) => p.format), 'containers'];
}

const TIME_ZONE = 'Europe/Lisbon';
const FIXED_SHA = 'f'.repeat(64);

function normalize(message: string): string {
  return message
    .replace(/"[^"]*"|'[^']*'|`[^`]*`/g, '"…"')
    .replace(/\d+(\.\d+)?/g, '#')
    .slice(0, 200);
}

/** The first stack frame in this repository (file:line, without the column). */
function frameOf(stack: string | undefined): string {
  for (const line of (stack ?? '').split('\n').slice(1)) {
    const match = /(packages\/[^\s):]+):(\d+)/.exec(line);
    if (match !== null) return `${match[1]}:${match[2]}`;
  }
  return '?';
}

export function crashOf(kind: CrashKind, error: unknown): Crash {
  const name = error instanceof Error ? error.name : typeof error;
  const message = error instanceof Error ? error.message : String(error);
  const stack = error instanceof Error ? error.stack : undefined;
  const frame = kind === 'invalid-workout' || kind === 'slow' ? '' : frameOf(stack);
  return { kind, message: `${name}: ${message}`, key: `${kind}|${name}|${normalize(message)}|${frame}`, ...(stack === undefined ? {} : { stack }) };
}

/** The first number of a workout (its fields, summary, laps, pauses, samples) that is not finite (`validateWorkout` lets Infinity through). */
function notFinite(value: unknown, path: string): string | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? undefined : `${path} is ${value}`;
  if (value === null || typeof value !== 'object') return undefined;
  for (const [key, item] of Object.entries(value as Record<string, unknown>)) {
    const found = notFinite(item, `${path}.${key}`);
    if (found !== undefined) return found;
  }
  return undefined;
}

function checkWorkouts(workouts: readonly Workout[]): Outcome {
  for (const workout of workouts) {
    const problems = validateWorkout(workout);
    const infinite = notFinite({ ...workout, source: undefined, extras: undefined }, 'workout');
    if (infinite !== undefined) problems.push(`a number that is not finite: ${infinite}`);
    if (problems.length > 0) return { status: 'crash', crash: crashOf('invalid-workout', new Error(`${workout.source?.format ?? '?'}: ${problems[0] as string}`)) };
  }
  const warnings = new Set<string>();
  let samples = 0;
  for (const workout of workouts) {
    for (const warning of workout.warnings) warnings.add(warning.code);
    samples += workout.samples.offsetSeconds.length;
  }
  return { status: 'ok', workouts: workouts.length, samples, warnings: [...warnings].sort() };
}

function parserTarget(parser: FormatParser, seeds: Uint8Array[]): FuzzTarget {
  const extension = parser.extensions[0] ?? 'bin';
  return {
    id: parser.format,
    family: FAMILY[parser.format],
    seeds,
    run(input) {
      try {
        parser.detect(input);
      } catch (error) {
        return { status: 'crash', crash: crashOf('detect-throw', error) };
      }
      const context: ParseContext = { fileName: `fuzz.${extension}`, timeZone: TIME_ZONE, sha256: FIXED_SHA, limits: DEFAULT_LIMITS };
      let workouts: Workout[];
      try {
        workouts = parser.parse(input, context);
      } catch (error) {
        if (isParseError(error)) return error.internal === true ? { status: 'crash', crash: crashOf('internal', error) } : { status: 'parse-error', code: error.code };
        return { status: 'crash', crash: crashOf('throw', error) };
      }
      return checkWorkouts(workouts);
    },
  };
}

/** The registry over gzip and zip inputs: `parseFile` must never throw, and no entry may fail `internal`. */
function containerTarget(seeds: Uint8Array[]): FuzzTarget {
  return {
    id: 'containers',
    family: 'container',
    seeds,
    run(input) {
      let results;
      try {
        results = parseFile(input, { fileName: 'fuzz.zip', timeZone: TIME_ZONE });
      } catch (error) {
        return { status: 'crash', crash: crashOf('throw', error) };
      }
      const workouts: Workout[] = [];
      let code: string | undefined;
      for (const result of results) {
        if (result.status === 'failed') {
          if (result.error.internal === true) return { status: 'crash', crash: crashOf('internal', result.error.cause ?? result.error) };
          code ??= result.error.code;
        } else if (result.status === 'ok') workouts.push(...result.workouts);
      }
      if (workouts.length === 0) return { status: 'parse-error', code: code ?? 'skipped' };
      return checkWorkouts(workouts);
    },
  };
}

/** The target of an id, with the seeds of test/fuzz-seeds.ts (built fixtures, and small corpus files when present). */
export function createTarget(id: FuzzTargetId): FuzzTarget {
  const seeds = fuzzSeeds();
  if (id === 'containers') return containerTarget(seeds.containers ?? []);
  const parser = PARSERS.find((p) => p.format === id);
  if (parser === undefined) throw new RangeError(`[fuzz] unknown target "${id}" (targets: ${targetIds().join(', ')})`);
  return parserTarget(parser, seeds[id] ?? []);
}

// ---------------------------------------------------------------------------------------------
// Coverage

/** V8 block coverage of the parsers' and the model's scripts, taken after each execution. */
export interface CoverageFeedback {
  /** Keys (function or block) reached since the last call that no earlier call reached. */
  take(): Promise<number>;
  /** Distinct functions and blocks reached so far. */
  readonly reached: number;
  close(): Promise<void>;
}

const COVERED_SCRIPTS = /\/packages\/(parsers|workout)\/src\//;

export async function startCoverage(): Promise<CoverageFeedback> {
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.startPreciseCoverage', { callCount: false, detailed: true });
  const reached = new Set<string>();
  /** Blocks seen skipped at least once, per function key. */
  const knownBlocks = new Map<string, Set<string>>();
  return {
    get reached() {
      return reached.size;
    },
    async take() {
      const { result } = await session.post('Profiler.takePreciseCoverage');
      let fresh = 0;
      const add = (key: string): void => {
        if (reached.has(key)) return;
        reached.add(key);
        fresh++;
      };
      for (const script of result) {
        if (!COVERED_SCRIPTS.test(script.url)) continue;
        for (const fn of script.functions) {
          const [whole, ...blocks] = fn.ranges;
          if (whole === undefined || whole.count === 0) continue;
          const fnKey = `${script.url}:${whole.startOffset}`;
          add(fnKey);
          let known = knownBlocks.get(fnKey);
          const skipped = new Set<string>();
          for (const block of blocks) {
            if (block.count !== 0) continue;
            const key = `${block.startOffset}-${block.endOffset}`;
            skipped.add(key);
            if (known === undefined) knownBlocks.set(fnKey, (known = new Set()));
            known.add(key);
          }
          for (const key of known ?? []) if (!skipped.has(key)) add(`${fnKey}#${key}`);
        }
      }
      return fresh;
    },
    async close() {
      await session.post('Profiler.stopPreciseCoverage').catch(() => undefined);
      session.disconnect();
    },
  };
}

// ---------------------------------------------------------------------------------------------
// The loop

export interface CrashFinding {
  target: FuzzTargetId;
  crash: Crash;
  /** The (minimised) input that shows it. */
  input: Uint8Array;
  /** Executions that ended in this crash. */
  count: number;
  /** The execution that first showed it (1-based). */
  firstAt: number;
}

export interface TargetReport {
  target: FuzzTargetId;
  seed: number;
  budget: { seconds?: number; executions?: number };
  executions: number;
  seconds: number;
  executionsPerSecond: number;
  coverage: boolean;
  /** Functions and blocks reached (coverage on). */
  reached?: number;
  corpus: number;
  /** Inputs kept because they reached new code (coverage on) or a new signature. */
  kept: { coverage: number; signature: number };
  /** Mutations that threw (a bug of the fuzzer's; must be 0). */
  mutatorErrors: number;
  outcomes: Record<string, number>;
  crashes: CrashFinding[];
  slowest: { ms: number; remeasuredMs: number; size: number; sha256: string; input: Uint8Array };
}

export interface RunTargetOptions {
  seed: number;
  /** Time budget (wall clock, executions of seeds included). */
  seconds?: number;
  /** Execution budget (exactly reproducible, unlike a time budget). One of the two is required. */
  executions?: number;
  /** V8 coverage feedback. Default true. */
  coverage?: boolean;
  /** An execution slower than this is a crash of kind `slow`. Default 1000 ms. */
  slowMs?: number;
  /** Told each input before it runs (the parent's watchdog keeps the last one). */
  onInput?: (input: Uint8Array) => void;
  /** Told before each mutation (a child that dies now died in the fuzzer, not in the target). */
  onMutate?: () => void;
  /** Told each new crash (already minimised). */
  onCrash?: (finding: CrashFinding) => void;
  onProgress?: (progress: { executions: number; corpus: number; reached?: number; crashes: number }) => void;
}

export function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

function hashString(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}

/** The PRNG of a target for a seed: the same seed gives each target its own stream. */
export function targetRand(target: FuzzTargetId, seed: number): Rand {
  return mulberry32((seed ^ hashString(target)) >>> 0);
}

function signatureOf(outcome: Outcome, size: number): string {
  const bucket = size === 0 ? 0 : Math.ceil(Math.log2(size));
  if (outcome.status === 'ok') return `ok|${outcome.workouts > 1 ? 'n' : '1'}|${outcome.samples === 0 ? '0' : 's'}|${outcome.warnings.join(',')}|${bucket}`;
  if (outcome.status === 'parse-error') return `err|${outcome.code}|${bucket}`;
  return `crash|${outcome.crash.key}`;
}

function outcomeLabel(outcome: Outcome): string {
  if (outcome.status === 'ok') return 'ok';
  if (outcome.status === 'parse-error') return outcome.code;
  return `crash:${outcome.crash.kind}`;
}

/** Runs `input` and times it; a slow execution is a crash of kind `slow`. */
export function execute(target: FuzzTarget, input: Uint8Array, slowMs: number): { outcome: Outcome; ms: number } {
  const started = performance.now();
  let outcome = target.run(input);
  const ms = performance.now() - started;
  if (outcome.status !== 'crash' && ms > slowMs) {
    outcome = { status: 'crash', crash: { kind: 'slow', message: `one execution took ${ms.toFixed(0)} ms (over ${slowMs} ms)`, key: `slow|${target.id}` } };
  }
  return { outcome, ms };
}

/**
 * Makes a crashing input smaller while it still shows the same crash: chunks of halving size are
 * cut out, then single bytes set to a space, within `maxAttempts` executions.
 */
export function minimize(target: FuzzTarget, input: Uint8Array, key: string, options: { slowMs: number; maxAttempts?: number; onInput?: (input: Uint8Array) => void }): Uint8Array {
  const maxAttempts = options.maxAttempts ?? 2000;
  let attempts = 0;
  const same = (candidate: Uint8Array): boolean => {
    attempts++;
    options.onInput?.(candidate);
    const { outcome } = execute(target, candidate, options.slowMs);
    return outcome.status === 'crash' && outcome.crash.key === key;
  };
  if (key.startsWith('slow|')) return input; // timing: not reproducible enough to minimise on
  let best = input;
  for (let chunk = Math.max(1, best.length >> 1); chunk >= 1 && attempts < maxAttempts; chunk >>= 1) {
    for (let at = 0; at < best.length && attempts < maxAttempts; ) {
      const candidate = new Uint8Array(best.length - Math.min(chunk, best.length - at));
      candidate.set(best.subarray(0, at));
      candidate.set(best.subarray(at + chunk), at);
      if (same(candidate)) best = candidate;
      else at += chunk;
    }
  }
  return best;
}

export async function runTarget(target: FuzzTarget, options: RunTargetOptions): Promise<TargetReport> {
  if (options.seconds === undefined && options.executions === undefined) throw new RangeError('[fuzz] give `seconds` or `executions`');
  const slowMs = options.slowMs ?? 1000;
  const rand = targetRand(target.id, options.seed);
  const int = (n: number): number => Math.floor(rand() * n);
  const coverage = options.coverage === false ? undefined : await startCoverage();
  const started = performance.now();
  const deadline = options.seconds === undefined ? Infinity : started + options.seconds * 1000;
  const maxExecutions = options.executions ?? Infinity;
  const corpus: Uint8Array[] = [];
  const signatures = new Set<string>();
  const outcomes: Record<string, number> = {};
  const crashes = new Map<string, CrashFinding>();
  const kept = { coverage: 0, signature: 0 };
  let slowest: { ms: number; input: Uint8Array } = { ms: -1, input: new Uint8Array(0) };
  let executions = 0;
  let mutatorErrors = 0;
  const CORPUS_CAP = 4096;
  /** The corpus's inputs together stay under this (a campaign of large CSV inputs ran out of memory without it). */
  const CORPUS_MAX_BYTES = 128 * 1024 * 1024;
  let corpusBytes = 0;

  const runOne = async (input: Uint8Array): Promise<void> => {
    options.onInput?.(input);
    const { outcome, ms } = execute(target, input, slowMs);
    executions++;
    const label = outcomeLabel(outcome);
    outcomes[label] = (outcomes[label] ?? 0) + 1;
    if (ms > slowest.ms) slowest = { ms, input };
    const fresh = coverage === undefined ? 0 : await coverage.take();
    if (outcome.status === 'crash') {
      const known = crashes.get(outcome.crash.key);
      if (known !== undefined) known.count++;
      else {
        const small = minimize(target, input, outcome.crash.key, { slowMs, ...(options.onInput === undefined ? {} : { onInput: options.onInput }) });
        await coverage?.take(); // what the minimiser reached is no news
        const finding: CrashFinding = { target: target.id, crash: outcome.crash, input: small, count: 1, firstAt: executions };
        crashes.set(outcome.crash.key, finding);
        options.onCrash?.(finding);
      }
      return; // a crashing input is not mutated further
    }
    const signature = signatureOf(outcome, input.length);
    const newSignature = !signatures.has(signature);
    if (newSignature) signatures.add(signature);
    if (fresh > 0 || newSignature) {
      if (fresh > 0) kept.coverage++;
      else kept.signature++;
      if (corpus.length === target.seeds.length || (corpus.length < CORPUS_CAP && corpusBytes + input.length <= CORPUS_MAX_BYTES)) corpus.push(input);
      else {
        // Full: a random input that is not a seed makes room (the corpus stays under both caps).
        const at = target.seeds.length + int(corpus.length - target.seeds.length);
        corpusBytes -= (corpus[at] as Uint8Array).length;
        corpus[at] = input;
      }
      corpusBytes += input.length;
    }
  };

  for (const seed of target.seeds) {
    corpus.push(seed);
    corpusBytes += seed.length;
    await runOne(seed);
  }
  if (corpus.length === 0) throw new RangeError(`[fuzz] ${target.id}: no seeds`);
  const structure = STRUCTURE_MUTATORS[target.family];
  while (executions < maxExecutions && performance.now() < deadline) {
    // Recent finds are mutated more often than old ones (they are where new code was reached).
    const parent = int(10) < 3 ? (corpus[corpus.length - 1 - int(Math.min(32, corpus.length))] as Uint8Array) : (corpus[int(corpus.length)] as Uint8Array);
    const other = corpus[int(corpus.length)] as Uint8Array;
    const strategy = int(20);
    let input: Uint8Array;
    options.onMutate?.();
    try {
      input = strategy < 8 ? mutateBytes(parent, other, rand) : strategy < 17 ? structure(parent, other, rand) : mutateBytes(structure(parent, other, rand), other, rand);
    } catch (error) {
      // A bug of the mutator's, not of the target's: counted, and the input left alone.
      mutatorErrors++;
      if (mutatorErrors === 1) console.error(`[fuzz] ${target.id}: a mutator threw: ${(error as Error).stack ?? String(error)}`);
      continue;
    }
    await runOne(input);
    if (executions % 2000 === 0) options.onProgress?.({ executions, corpus: corpus.length, ...(coverage === undefined ? {} : { reached: coverage.reached }), crashes: crashes.size });
  }
  const seconds = (performance.now() - started) / 1000;
  const reached = coverage?.reached;
  await coverage?.close();

  // The slowest input again, five times: one slow execution may have been a garbage collection.
  const times: number[] = [];
  for (let i = 0; i < 5; i++) {
    options.onInput?.(slowest.input);
    times.push(execute(target, slowest.input, Infinity).ms);
  }
  times.sort((a, b) => a - b);
  return {
    target: target.id,
    seed: options.seed,
    budget: { ...(options.seconds === undefined ? {} : { seconds: options.seconds }), ...(options.executions === undefined ? {} : { executions: options.executions }) },
    executions,
    seconds,
    executionsPerSecond: executions / seconds,
    coverage: coverage !== undefined,
    ...(reached === undefined ? {} : { reached }),
    corpus: corpus.length,
    kept,
    mutatorErrors,
    outcomes,
    crashes: [...crashes.values()],
    slowest: { ms: slowest.ms, remeasuredMs: times[2] as number, size: slowest.input.length, sha256: sha256(slowest.input), input: slowest.input },
  };
}
