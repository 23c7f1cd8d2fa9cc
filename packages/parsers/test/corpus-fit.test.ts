import { basename } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { Decoder, Stream } from '@garmin/fitsdk';
import type { RecordMesg, SessionMesg } from '@garmin/fitsdk';
import { validateWorkout } from '@optimo-import/workout';
import type { Workout } from '@optimo-import/workout';
import { describe, expect, it } from 'vitest';
import { isParseError } from '../src/errors.js';
import { fitParser } from '../src/fit/index.js';
import { DEFAULT_LIMITS } from '../src/types.js';
import { corpusDir, corpusFiles, readBytes } from './corpus.js';

/**
 * The real FIT files of ../shared/corpus: every activity parses into valid workouts whose
 * elapsed time and distance match the device's own session totals (read independently with
 * Garmin's SDK) within 1%, wherever the device wrote plausible totals.
 */

const FIT_EPOCH_MS = 631065600000;

/** Files whose session totals are not compared, and why. The parser must warn for each. */
const EXCEPTIONS: Record<string, { reason: string; warning: string }> = {
  'gc__Garmin830_with_Stages.fit': {
    reason: 'Edge 830 + Stages: the session has no elapsed time (invalid value) but 1799 s of timer time; the parser uses the timer and the records span',
    warning: 'session-total-repaired',
  },
  'gc__14582164182.fit.gz': {
    reason: 'the session states 1632 s elapsed but 2760 s of timer time and 2760 one-second records; elapsed cannot be shorter than the timer',
    warning: 'session-total-repaired',
  },
  'fitsdkjs__WithGearChangeData.fit': {
    reason: 'Edge 1040 SDK sample without any session or lap message: the workout is built from its records',
    warning: 'no-session',
  },
};

/** Files @garmin/fitsdk 21.217 reports errors on; its totals are used only as far as it read. */
const SDK_PARTIAL: Record<string, string> = {
  'fitparse__compressed-speed-distance.fit': 'the SDK stops at compressed-timestamp records ("not currently supported"), after the session message',
};

function read(path: string): Uint8Array {
  const bytes = readBytes(path);
  return path.endsWith('.gz') ? new Uint8Array(gunzipSync(bytes)) : bytes;
}

function parse(bytes: Uint8Array, fileName: string): Workout[] {
  return fitParser.parse(bytes, { fileName, sha256: '0'.repeat(64), limits: DEFAULT_LIMITS });
}

function sdkSessions(bytes: Uint8Array): { sessions: SessionMesg[]; errors: number } {
  const { messages, errors } = new Decoder(Stream.fromByteArray(bytes)).read({ convertDateTimesToDates: false, mergeHeartRates: false });
  return { sessions: messages.sessionMesgs ?? [], errors: errors.length };
}

/** The device's totals are comparable: an elapsed time that is positive and not shorter than the timer. */
function plausible(s: SessionMesg): boolean {
  const elapsed = s.totalElapsedTime;
  const timer = s.totalTimerTime;
  return typeof elapsed === 'number' && elapsed > 0 && !(typeof timer === 'number' && timer > elapsed * 1.05 + 2);
}

function within1Percent(ours: number | undefined, device: number): boolean {
  return ours !== undefined && Math.abs(ours - device) <= Math.abs(device) * 0.01;
}

const fitFiles = corpusFiles('fit').filter((f) => /\.fit(\.gz)?$/i.test(f) && (!f.endsWith('.gz') || basename(f) === 'gc__14582164182.fit.gz'));
const badFiles = corpusFiles('bad').filter((f) => /\.fit$/i.test(f));
const perfFiles = corpusFiles('perf').filter((f) => /\.fit$/i.test(f));
if (!corpusDir('fit')) console.warn('corpus-fit: ../shared/corpus/fit is absent on this machine; skipping the FIT corpus tests');

describe.skipIf(fitFiles.length === 0)('corpus: FIT activities', () => {
  it.each(fitFiles.map((f) => [basename(f), f]))('%s parses into valid workouts matching the device totals', (name, path) => {
    const bytes = read(path);
    const workouts = parse(bytes, name);
    expect(workouts.length).toBeGreaterThan(0);
    for (const w of workouts) expect(validateWorkout(w), name).toEqual([]);

    const { sessions, errors } = sdkSessions(bytes);
    if (errors > 0) expect(SDK_PARTIAL[name], `the SDK reports errors on ${name}`).toBeDefined();
    const exception = EXCEPTIONS[name];
    if (exception) {
      expect(workouts.flatMap((w) => w.warnings.map((x) => x.code)), exception.reason).toContain(exception.warning);
    }
    if (sessions.length === 0) {
      expect(exception, `${name} has no session message`).toBeDefined();
      return;
    }
    expect(workouts).toHaveLength(sessions.length);
    sessions.forEach((s, i) => {
      const w = workouts[i] as Workout;
      expect(w.startTime, `${name} session ${i} start`).toBe(FIT_EPOCH_MS + (s.startTime as number) * 1000);
      if (!plausible(s)) {
        expect(exception, `${name} session ${i} states implausible totals`).toBeDefined();
        return;
      }
      expect(within1Percent(w.elapsedSeconds, s.totalElapsedTime as number), `${name} session ${i}: elapsed ${w.elapsedSeconds} vs ${s.totalElapsedTime}`).toBe(true);
      if (typeof s.totalDistance === 'number') {
        expect(within1Percent(w.distanceMeters, s.totalDistance), `${name} session ${i}: distance ${w.distanceMeters} vs ${s.totalDistance}`).toBe(true);
      }
    });
  });

  it.each(fitFiles.map((f) => [basename(f), f]))('%s: every sample value is one the Garmin SDK decodes at that time', (name, path) => {
    const bytes = read(path);
    const { messages, errors } = new Decoder(Stream.fromByteArray(bytes)).read({ convertDateTimesToDates: false });
    if (errors.length > 0) return; // SDK_PARTIAL: nothing reliable to compare with
    const byTime = new Map<number, RecordMesg[]>();
    for (const r of messages.recordMesgs ?? []) {
      if (typeof r.timestamp !== 'number') continue;
      const list = byTime.get(r.timestamp) ?? [];
      list.push(r);
      byTime.set(r.timestamp, list);
    }
    const semicircles = (v: unknown): number | undefined => (typeof v === 'number' ? (v * 180) / 2 ** 31 : undefined);
    const channels: [keyof Workout['samples'], (r: RecordMesg) => unknown][] = [
      ['heartRateBpm', (r) => r.heartRate],
      ['powerWatts', (r) => r.power],
      ['speedMetersPerSecond', (r) => r.enhancedSpeed ?? r.speed],
      ['altitudeMeters', (r) => r.enhancedAltitude ?? r.altitude],
      ['temperatureCelsius', (r) => r.temperature],
      ['latitudeDegrees', (r) => semicircles(r.positionLat)],
      ['longitudeDegrees', (r) => semicircles(r.positionLong)],
    ];
    let compared = 0;
    for (const w of parse(bytes, name)) {
      const start = (w.startTime - FIT_EPOCH_MS) / 1000;
      w.samples.offsetSeconds.forEach((offset, i) => {
        const records = byTime.get(start + offset) ?? [];
        for (const [channel, pick] of channels) {
          const ours = (w.samples[channel] as (number | undefined)[] | undefined)?.[i];
          if (ours === undefined) continue;
          const theirs = records.map(pick).filter((v): v is number => typeof v === 'number');
          expect(theirs.some((v) => Math.abs(v - ours) < 1e-6), `${name} ${channel} at +${offset}s: ${ours} vs ${theirs.join(',')}`).toBe(true);
          compared++;
        }
      });
    }
    expect(compared > 0 || name === 'gc__moxy.fit' || name === 'sportslib__7617306288.fit').toBe(true);
  });

  it('imports a multisport file as grouped workouts', () => {
    const path = fitFiles.find((f) => f.endsWith('fitparse__sample_mulitple_header.fit'));
    if (!path) return expect.fail('fitparse__sample_mulitple_header.fit missing from the corpus');
    const workouts = parse(read(path), 'tri.fit');
    expect(workouts.map((w) => w.sourceSport.sport)).toEqual(['swimming', 'transition', 'cycling', 'transition', 'running']);
    expect(workouts.map((w) => w.sport)).toEqual(['swimming', 'multisport', 'cycling', 'multisport', 'running']);
    expect(new Set(workouts.map((w) => w.source.group?.id)).size).toBe(1);
    expect(workouts.map((w) => w.source.group?.index)).toEqual([0, 1, 2, 3, 4]);
    expect(workouts[2]?.samples.distanceMeters?.[0]).toBe(0);
  });

  it('imports both units of a chained file', () => {
    const path = fitFiles.find((f) => f.endsWith('muktihari__chained_Activity_activity_poolswim.fit'));
    if (!path) return expect.fail('muktihari__chained_Activity_activity_poolswim.fit missing from the corpus');
    const workouts = parse(read(path), 'chained.fit');
    expect(workouts.map((w) => [w.sourceSport.sport, w.elapsedSeconds])).toEqual([
      ['stand_up_paddleboarding', 3601],
      ['swimming', 840],
    ]);
    expect(workouts[1]?.laps.reduce((n, l) => n + (l.lengths ?? 0), 0)).toBe(workouts[1]?.extras?.['lengths-active']);
  });

  it('decodes compressed timestamps and accumulated speed/distance (FR70, clock never set)', () => {
    const path = fitFiles.find((f) => f.endsWith('fitparse__compressed-speed-distance.fit'));
    if (!path) return expect.fail('fitparse__compressed-speed-distance.fit missing from the corpus');
    const [w] = parse(read(path), 'fr70.fit');
    expect(w?.samples.offsetSeconds).toHaveLength(755);
    expect(new Date(w?.startTime ?? 0).getUTCFullYear()).toBe(1990);
    expect(w?.warnings.map((x) => x.code)).toContain('clock-not-set');
    expect(w?.samples.distanceMeters?.at(-1)).toBeGreaterThan(10_000);
    expect(w?.samples.distanceMeters?.at(-1)).toBeLessThan(10_300);
  });

  it('merges the HRM-Pro hr messages exactly as the Garmin SDK does', () => {
    const path = fitFiles.find((f) => f.endsWith('fitsdkjs__HrmPluginTestActivity.fit'));
    if (!path) return expect.fail('fitsdkjs__HrmPluginTestActivity.fit missing from the corpus');
    const bytes = read(path);
    const [w] = parse(bytes, 'hrm.fit');
    const records = new Decoder(Stream.fromByteArray(bytes)).read({ mergeHeartRates: true }).messages.recordMesgs ?? [];
    const unmerged = new Decoder(Stream.fromByteArray(bytes)).read({ mergeHeartRates: false }).messages.recordMesgs ?? [];
    expect(unmerged.filter((r) => r.heartRate != null)).toHaveLength(84);
    expect(w?.samples.heartRateBpm).toEqual(records.map((r) => r.heartRate ?? undefined));
    expect(w?.samples.heartRateBpm?.filter((v) => v !== undefined)).toHaveLength(310);
  });
});

describe.skipIf(badFiles.length === 0)('corpus: bad FIT files', () => {
  it.each(badFiles.map((f) => [basename(f), f]))('%s imports with warnings or fails with a ParseError', (name, path) => {
    const bytes = read(path);
    const started = performance.now();
    try {
      const workouts = parse(bytes, name);
      expect(workouts.length).toBeGreaterThan(0);
      for (const w of workouts) expect(validateWorkout(w)).toEqual([]);
    } catch (error) {
      expect(isParseError(error), String(error)).toBe(true);
      if (isParseError(error)) expect(error.message).toContain(`[fit] ${name}`);
    }
    expect(performance.now() - started).toBeLessThan(3000);
  });
});

describe.skipIf(perfFiles.length === 0)('corpus: large FIT files', () => {
  it.each(perfFiles.map((f) => [basename(f), f]))('%s parses', (name, path) => {
    const workouts = parse(read(path), name);
    expect(workouts.length).toBeGreaterThan(0);
    for (const w of workouts) expect(validateWorkout(w)).toEqual([]);
  });
});
