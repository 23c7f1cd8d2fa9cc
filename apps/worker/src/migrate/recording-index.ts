/**
 * The recordings claimed so far in a run, to find the same recording in a second file (the FIT
 * and the TCX export of one ride) by fingerprint, within `sameRecording`'s tolerances (start
 * times 5 s apart, durations 2% or 10 s apart). Claims are kept by start second, so a lookup
 * reads the few seconds around a start, not every claim: 20,000 files stay fast.
 */
import { parseFingerprint, sameRecording } from '@optimo-import/workout';
import type { SameRecordingOptions } from '@optimo-import/workout';

export interface RecordingClaim {
  fingerprint: string;
  /** The path of the file that holds it, as given. */
  file: string;
  fileName: string;
  /** The entry (`club.zip!ride.fit`, or the file's name). */
  entry: string;
  /** The workout's index in its entry. */
  index: number;
}

export interface RecordingIndex {
  /** The first claim of the same recording, if any. */
  find(fingerprint: string): RecordingClaim | undefined;
  add(claim: RecordingClaim): void;
  readonly size: number;
}

export function createRecordingIndex(options: SameRecordingOptions = {}): RecordingIndex {
  const startTolerance = options.startToleranceSeconds ?? 5;
  // Claims by start second, each with its order of arrival: the earliest match wins.
  const bySecond = new Map<number, { claim: RecordingClaim; order: number }[]>();
  const odd = new Map<string, RecordingClaim>(); // fingerprints that do not parse: exact matches only
  let size = 0;
  return {
    find(fingerprint) {
      const parsed = parseFingerprint(fingerprint);
      if (!parsed) return odd.get(fingerprint);
      const second = Math.floor(parsed.startTime / 1000);
      let best: RecordingClaim | undefined;
      let bestOrder = Infinity;
      for (let s = second - Math.ceil(startTolerance); s <= second + Math.ceil(startTolerance); s++) {
        for (const { claim, order } of bySecond.get(s) ?? []) {
          if (order < bestOrder && sameRecording(claim.fingerprint, fingerprint, options)) {
            best = claim;
            bestOrder = order;
          }
        }
      }
      return best;
    },
    add(claim) {
      const order = size++;
      const parsed = parseFingerprint(claim.fingerprint);
      if (!parsed) {
        if (!odd.has(claim.fingerprint)) odd.set(claim.fingerprint, claim);
        return;
      }
      const second = Math.floor(parsed.startTime / 1000);
      const list = bySecond.get(second);
      if (list) list.push({ claim, order });
      else bySecond.set(second, [{ claim, order }]);
    },
    get size() {
      return size;
    },
  };
}
