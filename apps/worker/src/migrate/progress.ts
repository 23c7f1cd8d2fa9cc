/**
 * The live progress of a migration: files done, failed, duplicate, waiting; the quota used today;
 * the time left, in days when the quota makes it so (see estimate.ts).
 *
 * On a terminal (`stream.isTTY`) one line is redrawn in place (`\r`, erase line), at most every
 * `redrawMs`, never wider than the terminal (a wrapped line could not be redrawn):
 *
 *     [██████░░░░░░░░░] 41%  8,200/20,000 files · 12 failed · 30 duplicates · 11,800 waiting · quota 4,870/5,000 today · ~3 days left (quota)
 *
 * Elsewhere (a log file, systemd, CI) a plain line at most every `intervalMs`, so that logs stay
 * readable; `stop()` prints the last state if it was not printed yet.
 *
 * Progress owns no timer: the command calls `update` from its polling loop (every few seconds
 * keeps the time left fresh while the quota holds the work).
 */
import { describeOptionValue } from '@optimo-import/mapper';
import { estimateFinish, formatEta, DAY_MS } from './estimate.js';
import type { FinishEstimate } from './estimate.js';

/** What progress writes to: `process.stderr` in the CLI. */
export interface ProgressStream {
  write(chunk: string): unknown;
  isTTY?: boolean;
  /** Terminal width; 80 when unknown. */
  columns?: number;
}

export interface ProgressOptions {
  stream: ProgressStream;
  /** Files in the migration. A whole number ≥ 0. */
  total: number;
  /** Clock, epoch ms. Default `Date.now`. */
  now?: () => number;
  /** Not a terminal: least time between two lines, ms. Default 10,000. */
  intervalMs?: number;
  /** A terminal: least time between two redraws, ms. Default 100. */
  redrawMs?: number;
  /** The files-per-second rate is measured over this much recent time, ms. Default 300,000 (5 min). */
  rateWindowMs?: number;
}

export interface ProgressState {
  /** Files with a final outcome (imported, partial, duplicate and failed ones). */
  done: number;
  /** Of `done`, failed (in full). */
  failed: number;
  /** Of `done`, duplicates. */
  duplicate: number;
  /** Files without a final outcome yet (active ones included). */
  waiting: number;
  /** Of `waiting`, being processed now. */
  active?: number;
  /** Requests the account used today (the limiter's `usedToday`). */
  quotaUsed: number;
  /** The account's daily limit. */
  quotaLimit: number;
  /** Epoch ms of the next quota reset; default a day from now (a pessimistic guess). */
  quotaResetAt?: number;
  /** Average requests per file (observed, or the dry run's); default 1. */
  requestsPerFile?: number;
}

export interface Progress {
  update(state: ProgressState): void;
  /** Prints a line above the progress line (a failure, a notice) without breaking it. */
  log(line: string): void;
  /** Draws the last state and leaves the line; later updates are ignored. */
  stop(): void;
  /** The last line rendered (without control characters), for tests and for logging at exit. */
  lastLine(): string;
  /** The time-left estimate of the last update. */
  estimate(): FinishEstimate | undefined;
}

const number = new Intl.NumberFormat('en-US');
const ERASE = '\r\x1b[2K';
const MIN_BAR = 10;
const MAX_BAR = 30;

interface ResolvedProgressOptions {
  stream: ProgressStream;
  total: number;
  now: () => number;
  intervalMs: number;
  redrawMs: number;
  rateWindowMs: number;
}

function resolveOptions(options: ProgressOptions): ResolvedProgressOptions {
  if (typeof options !== 'object' || options === null) throw optionError('options', 'an object', options);
  if (typeof options.stream?.write !== 'function') throw optionError('stream', 'a writable stream (an object with write)', options.stream);
  if (!Number.isSafeInteger(options.total) || options.total < 0) throw optionError('total', 'a whole number ≥ 0', options.total);
  const positive = (name: 'intervalMs' | 'redrawMs' | 'rateWindowMs', fallback: number): number => {
    const value = options[name];
    if (value === undefined) return fallback;
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) throw optionError(name, 'a finite number ≥ 0', value);
    return value;
  };
  if (options.now !== undefined && typeof options.now !== 'function') throw optionError('now', 'a function returning epoch ms', options.now);
  return {
    stream: options.stream,
    total: options.total,
    now: options.now ?? Date.now,
    intervalMs: positive('intervalMs', 10_000),
    redrawMs: positive('redrawMs', 100),
    rateWindowMs: positive('rateWindowMs', 300_000),
  };
}

function optionError(name: string, expected: string, value: unknown): RangeError {
  return new RangeError(`[progress] option \`${name}\` must be ${expected}, got ${describeOptionValue(value)}`);
}

export function createProgress(options: ProgressOptions): Progress {
  const o = resolveOptions(options);
  const tty = o.stream.isTTY === true;
  const samples: { at: number; done: number }[] = [];
  let state: ProgressState | undefined;
  let estimate: FinishEstimate | undefined;
  let line = '';
  let lastOutput = -Infinity;
  let printedState: ProgressState | undefined; // the state of the last plain line
  let shown = false; // a TTY line is on screen
  let stopped = false;

  const filesPerSecond = (): number | undefined => {
    const first = samples[0];
    const last = samples[samples.length - 1];
    if (!first || !last || last.at - first.at < 1000 || last.done <= first.done) return undefined;
    return ((last.done - first.done) * 1000) / (last.at - first.at);
  };

  const render = (s: ProgressState, at: number): void => {
    const remaining = Math.max(0, s.waiting);
    const limited = s.quotaLimit > 0; // no limit known: estimate from the rate alone
    estimate = estimateFinish({
      remainingFiles: remaining,
      requestsPerFile: s.requestsPerFile !== undefined && s.requestsPerFile > 0 ? s.requestsPerFile : 1,
      quotaLeftToday: limited ? Math.max(0, s.quotaLimit - s.quotaUsed) : Number.MAX_SAFE_INTEGER,
      dailyLimit: limited ? s.quotaLimit : Number.MAX_SAFE_INTEGER,
      resetAt: s.quotaResetAt ?? at + DAY_MS,
      now: at,
      filesPerSecond: filesPerSecond(),
    });
    const parts = [
      `${number.format(s.done)}/${number.format(o.total)} files`,
      `${number.format(s.failed)} failed`,
      `${number.format(s.duplicate)} ${s.duplicate === 1 ? 'duplicate' : 'duplicates'}`,
      `${number.format(s.waiting)} waiting${s.active ? ` (${number.format(s.active)} active)` : ''}`,
      limited ? `quota ${number.format(s.quotaUsed)}/${number.format(s.quotaLimit)} today` : `${number.format(s.quotaUsed)} requests today`,
      timeLeft(s, estimate, at),
    ];
    const percent = o.total === 0 ? 100 : Math.floor((s.done / o.total) * 100);
    if (!tty) {
      line = `progress: ${parts[0]} (${percent}%) · ${parts.slice(1).join(' · ')}`;
      return;
    }
    const text = `${String(percent).padStart(3)}%  ${parts.join(' · ')}`;
    const width = Math.max(20, o.stream.columns ?? 80) - 1; // the last column would wrap on some terminals
    const barWidth = Math.min(MAX_BAR, width - text.length - 3);
    if (barWidth >= MIN_BAR) {
      const filled = o.total === 0 ? barWidth : Math.round((s.done / o.total) * barWidth);
      line = `[${'█'.repeat(filled)}${'░'.repeat(barWidth - filled)}] ${text}`;
    } else line = text.length > width ? `${text.slice(0, width - 1)}…` : text;
  };

  const output = (at: number): void => {
    if (tty) {
      o.stream.write(`${ERASE}${line}`);
      shown = true;
    } else {
      o.stream.write(`${line}\n`);
      printedState = state;
    }
    lastOutput = at;
  };

  return {
    update(next) {
      if (stopped) return;
      const at = o.now();
      const last = samples[samples.length - 1];
      if (last && next.done < last.done) samples.length = 0; // counts went back (a new total): measure afresh
      samples.push({ at, done: next.done });
      while (samples.length > 2 && (samples[0] as { at: number }).at < at - o.rateWindowMs) samples.shift();
      state = next;
      render(next, at);
      const gap = tty ? o.redrawMs : o.intervalMs;
      if (at - lastOutput >= gap || (tty && next.done >= o.total)) output(at);
    },
    log(text) {
      if (tty && shown) {
        o.stream.write(`${ERASE}${text}\n${line}`);
      } else o.stream.write(`${text}\n`);
    },
    stop() {
      if (stopped) return;
      stopped = true;
      const at = o.now();
      if (state) render(state, at);
      if (tty) {
        if (state) output(at);
        if (shown) o.stream.write('\n');
      } else if (state && state !== printedState) output(at);
    },
    lastLine: () => line,
    estimate: () => estimate,
  };
}

/** `~3 days left (quota)`, `4 min left`, `quota spent: resumes in 5 h 10 min, ~2 days left`. */
function timeLeft(s: ProgressState, estimate: FinishEstimate, now: number): string {
  if (s.waiting <= 0) return 'nothing left';
  const left =
    estimate.limitedBy === 'unknown' || estimate.finishAt === undefined
      ? 'time left: measuring'
      : estimate.limitedBy === 'quota'
        ? `~${formatEta(estimate.finishAt - now)} left (quota)`
        : `${formatEta(estimate.finishAt - now)} left`;
  if (s.quotaLimit > 0 && s.quotaUsed >= s.quotaLimit && s.quotaResetAt !== undefined && s.quotaResetAt > now) {
    return `quota spent: resumes in ${formatEta(s.quotaResetAt - now)}, ${left}`;
  }
  return left;
}
