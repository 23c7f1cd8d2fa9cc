/**
 * Options of the workout requests, kept apart from their resolved, validated form. Bad options
 * throw `RangeError` at once with one message form (see `optionError`).
 */
import type { Warning } from '@optimo-import/workout';
import { optionError } from './errors.js';
import { isTimeZone } from '@optimo-import/workout';

/** 10 MiB: the largest request body the API accepts, exactly that size included. */
export const MAX_BODY_BYTES = 10_485_760;
/** The most samples one workout may hold. */
export const MAX_SAMPLES_PER_WORKOUT = 200_000;
/** `external_id` is at most 128 characters (Unicode code points). */
export const MAX_EXTERNAL_ID_LENGTH = 128;

/** An id the API gave (`8812`); numbers are accepted and written in decimal. */
export type ApiId = string | number;

export interface WorkoutRequestOptions {
  /** The athlete the workout belongs to. Required for `workout.create`. */
  athleteId: ApiId;
  /** The account's IANA time zone (`system.current` → `<timezone>`). Required. */
  timeZone: string;
  /** Default `workout.externalId`; at most 128 code points, not blank. */
  externalId?: string;
  /** Default `workout.name`. */
  name?: string;
  /** Default `workout.notes`. */
  notes?: string;
  /** `<private>1|0</private>`; left out (the account's default) when undefined. */
  private?: boolean;
  /** Largest body built, in UTF-8 bytes. Default 10,485,760 (10 MiB). */
  maxBodyBytes?: number;
  /** Told about every value left out or repaired (merged by code with a count). */
  onWarning?: (warning: Warning) => void;
}

export interface ResolvedWorkoutRequestOptions {
  athleteId: string;
  timeZone: string;
  externalId?: string;
  name?: string;
  notes?: string;
  private?: boolean;
  maxBodyBytes: number;
  onWarning?: (warning: Warning) => void;
}

/** The smallest `maxBodyBytes` accepted: room for a request head and a few samples. */
export const MIN_BODY_BYTES = 1024;

/** Checks an id argument: a non-blank string without markup-breaking whitespace, or a whole number ≥ 0. */
export function resolveId(value: unknown, option: string): string {
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) return String(value);
  if (typeof value === 'string' && value.trim() !== '' && value === value.trim()) return value;
  throw optionError(option, 'a non-blank id (string) or a whole number ≥ 0', value);
}

export function resolveMaxBodyBytes(value: unknown): number {
  if (value === undefined) return MAX_BODY_BYTES;
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= MIN_BODY_BYTES) return value;
  throw optionError('maxBodyBytes', `a whole number ≥ ${MIN_BODY_BYTES}`, value);
}

/** Code points, as the contract counts lengths. */
export function codePointLength(text: string): number {
  let count = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) i++;
    }
    count++;
  }
  return count;
}

export function resolveExternalIdOption(value: unknown, option = 'externalId'): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'string' && value.trim() !== '' && codePointLength(value.trim()) <= MAX_EXTERNAL_ID_LENGTH) return value.trim();
  throw optionError(option, `a non-blank string of at most ${MAX_EXTERNAL_ID_LENGTH} characters`, value);
}

function optionalString(value: unknown, option: string): string | undefined {
  if (value === undefined || typeof value === 'string') return value;
  throw optionError(option, 'a string', value);
}

/** Validates the workout options; throws `RangeError` naming the first bad one. */
export function resolveWorkoutOptions(options: WorkoutRequestOptions): ResolvedWorkoutRequestOptions {
  if (typeof options !== 'object' || options === null) throw optionError('options', 'an object', options);
  const resolved: ResolvedWorkoutRequestOptions = {
    athleteId: resolveId(options.athleteId, 'athleteId'),
    timeZone: resolveTimeZone(options.timeZone),
    maxBodyBytes: resolveMaxBodyBytes(options.maxBodyBytes),
  };
  const externalId = resolveExternalIdOption(options.externalId);
  if (externalId !== undefined) resolved.externalId = externalId;
  const name = optionalString(options.name, 'name');
  if (name !== undefined) resolved.name = name;
  const notes = optionalString(options.notes, 'notes');
  if (notes !== undefined) resolved.notes = notes;
  if (options.private !== undefined) {
    if (typeof options.private !== 'boolean') throw optionError('private', 'a boolean', options.private);
    resolved.private = options.private;
  }
  if (options.onWarning !== undefined) {
    if (typeof options.onWarning !== 'function') throw optionError('onWarning', 'a function', options.onWarning);
    resolved.onWarning = options.onWarning;
  }
  return resolved;
}

/** The zone, checked; throws the option `RangeError` otherwise. */
export function resolveTimeZone(timeZone: unknown, option = 'timeZone'): string {
  if (!isTimeZone(timeZone)) throw optionError(option, 'an IANA time zone known to Intl (e.g. "Europe/Berlin")', timeZone);
  return timeZone;
}
