/** Optimo's `external_id` is at most 128 characters. */
export const EXTERNAL_ID_MAX_LENGTH = 128;

/**
 * The stable id of a recording. A FIT file names its recording (serial number + time
 * created), so a re-export of the same FIT keeps its id; other files are named by content.
 */
export function externalIdOf(input: {
  recordingId?: string;
  sha256: string;
  index: number;
  count: number;
}): string {
  const base = input.recordingId ?? `sha256:${input.sha256}`;
  const id = input.count > 1 ? `${base}#${input.index}` : base;
  return id.length <= EXTERNAL_ID_MAX_LENGTH ? id : id.slice(0, EXTERNAL_ID_MAX_LENGTH);
}

/**
 * Cross-format fingerprint: the start time to the second (UTC) and the elapsed duration in
 * whole seconds, no sport. `2021-05-01T07:12:05Z/3605`. Two exports of one recording (FIT and
 * TCX) give the same fingerprint; `sameRecording` also tolerates the small rounding drifts
 * exporters introduce.
 */
export function fingerprintOf(startTime: number, elapsedSeconds: number): string {
  const iso = new Date(Math.floor(startTime / 1000) * 1000).toISOString().replace('.000Z', 'Z');
  return `${iso}/${Math.round(elapsedSeconds)}`;
}

export interface ParsedFingerprint {
  startTime: number;
  elapsedSeconds: number;
}

export function parseFingerprint(fingerprint: string): ParsedFingerprint | undefined {
  const m = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ)\/(\d+)$/.exec(fingerprint);
  if (!m) return undefined;
  const startTime = Date.parse(m[1] as string);
  if (!Number.isFinite(startTime)) return undefined;
  return { startTime, elapsedSeconds: Number(m[2]) };
}

export interface SameRecordingOptions {
  /** Start times may differ by this much (default 5 s). */
  startToleranceSeconds?: number;
  /** Durations may differ by this fraction (default 0.02) or `durationToleranceSeconds`, whichever is larger. */
  durationToleranceRatio?: number;
  /** Default 10 s. */
  durationToleranceSeconds?: number;
}

/** Whether two fingerprints name the same recording within exporters' rounding. */
export function sameRecording(a: string, b: string, options: SameRecordingOptions = {}): boolean {
  if (a === b) return true;
  const pa = parseFingerprint(a);
  const pb = parseFingerprint(b);
  if (!pa || !pb) return false;
  const startTol = (options.startToleranceSeconds ?? 5) * 1000;
  if (Math.abs(pa.startTime - pb.startTime) > startTol) return false;
  const longer = Math.max(pa.elapsedSeconds, pb.elapsedSeconds);
  const durTol = Math.max(longer * (options.durationToleranceRatio ?? 0.02), options.durationToleranceSeconds ?? 10);
  return Math.abs(pa.elapsedSeconds - pb.elapsedSeconds) <= durTol;
}
