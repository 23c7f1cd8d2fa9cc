import {
  buildFitActivity,
  chainFit,
  corruptFileCrc,
  corruptHeaderCrc,
  createRawFit,
  fitCrc as sdkCrc,
  truncateFit,
  withShortHeader,
} from '@optimo-import/fixtures';
import { validateWorkout } from '@optimo-import/workout';
import { describe, expect, it } from 'vitest';
import { isParseError } from '../errors.js';
import { fitCrc } from './crc.js';
import { fitParser } from './index.js';
import { defineSimpleRecord, G, parseFailure, parseFit, RAW_START, rawActivity, single, warningCodes, writeSession } from './test-helpers.js';

describe('fit decoder: framing', () => {
  it('computes the same CRC as the Garmin SDK', () => {
    let seed = 7;
    const bytes = Uint8Array.from({ length: 4099 }, () => (seed = (seed * 1103515245 + 12345) >>> 0) >>> 24);
    for (const [from, to] of [[0, 4099], [1, 4098], [3, 7], [0, 0], [100, 101]] as const) {
      expect(fitCrc(bytes, from, to)).toBe(sdkCrc(bytes, from, to));
    }
    const file = buildFitActivity({ durationSeconds: 30 });
    expect(fitCrc(file, 0, file.length - 2)).toBe((file[file.length - 2] as number) | ((file[file.length - 1] as number) << 8));
  });

  it('detects FIT by header size and ".FIT", never throwing', () => {
    const file = buildFitActivity({ durationSeconds: 10 });
    expect(fitParser.detect(file)).toBe(true);
    expect(fitParser.detect(withShortHeader(file))).toBe(true);
    const odd = file.slice();
    odd[0] = 13;
    expect(fitParser.detect(odd)).toBe(false);
    const notFit = file.slice();
    notFit[11] = 0x58;
    expect(fitParser.detect(notFit)).toBe(false);
    for (let n = 0; n < 12; n++) expect(fitParser.detect(file.subarray(0, n))).toBe(false);
    expect(fitParser.detect(new TextEncoder().encode('<?xml version="1.0"?><TrainingCenterDatabase/>'))).toBe(false);
  });

  it('reads 12- and 14-byte headers alike', () => {
    const file = buildFitActivity({ durationSeconds: 120 });
    const long = single(parseFit(file));
    const short = single(parseFit(withShortHeader(file)));
    expect(short.samples).toEqual(long.samples);
    expect(short.elapsedSeconds).toBe(120);
    expect(warningCodes(short)).toEqual([]);
  });

  it('warns about a wrong file or header CRC but imports the data', () => {
    const file = buildFitActivity({ durationSeconds: 60 });
    const bad = single(parseFit(corruptFileCrc(file)));
    expect(warningCodes(bad)).toContain('crc-mismatch');
    expect(bad.samples.offsetSeconds).toHaveLength(60);
    const badHeader = single(parseFit(corruptHeaderCrc(file)));
    expect(warningCodes(badHeader)).toContain('crc-mismatch');
    expect(badHeader.elapsedSeconds).toBe(60);
  });

  it('keeps what decoded from a truncated file and warns', () => {
    const file = buildFitActivity({ durationSeconds: 300 });
    const w = single(parseFit(truncateFit(file, Math.floor(file.length * 0.6))));
    expect(warningCodes(w)).toEqual(expect.arrayContaining(['truncated', 'no-session']));
    expect(w.samples.offsetSeconds.length).toBeGreaterThan(100);
    expect(w.samples.offsetSeconds.length).toBeLessThan(300);
    expect(validateWorkout(w)).toEqual([]);
  });

  it("fails with 'truncated' when the cut leaves nothing usable", () => {
    const file = buildFitActivity({ durationSeconds: 300 });
    expect(parseFailure(truncateFit(file, 8)).code).toBe('truncated');
    expect(parseFailure(truncateFit(file, 60)).code).toBe('truncated');
    expect(parseFailure(new Uint8Array(0)).code).toBe('no-data');
    const junk = parseFailure(new TextEncoder().encode('this is not a FIT file at all'), { fileName: 'x.fit' });
    expect(junk.code).toBe('corrupt');
    expect(junk.message).toContain('[fit] x.fit');
  });
});

describe('fit decoder: chained files', () => {
  it('imports every unit; each restarts its local definitions', () => {
    const ride = buildFitActivity({ sport: 'cycling', durationSeconds: 120, serialNumber: 1 });
    const run = buildFitActivity({ sport: 'running', durationSeconds: 90, startTime: Date.UTC(2024, 4, 2), serialNumber: 2, channels: ['hr', 'cadence'] });
    const workouts = parseFit(chainFit(ride, run));
    expect(workouts.map((w) => [w.sport, w.elapsedSeconds, w.samples.offsetSeconds.length])).toEqual([
      ['cycling', 120, 120],
      ['running', 90, 90],
    ]);
    expect(workouts[1]?.samples.cadencePerMinute?.[0]).toBe(160);
    expect(workouts[1]?.samples.speedMetersPerSecond).toBeUndefined();
    expect(workouts.map((w) => w.source.index)).toEqual([0, 1]);
    expect(workouts[0]?.externalId).not.toBe(workouts[1]?.externalId);
  });

  it('keeps the first unit when a later header is corrupt or empty', () => {
    const ride = buildFitActivity({ durationSeconds: 60 });
    const corrupt = chainFit(ride, Uint8Array.of(14, 0x20, 0, 0, 9, 9, 9, 9, 0x2e, 0x58, 0x58, 0x58, 0, 0, 1, 2, 3));
    const a = single(parseFit(corrupt));
    expect(warningCodes(a)).toContain('chained-unit-corrupt');
    expect(a.elapsedSeconds).toBe(60);
    const empty = createRawFit().build();
    const b = single(parseFit(chainFit(ride, empty)));
    expect(warningCodes(b)).toContain('chained-unit-empty');
    expect(b.samples.offsetSeconds).toHaveLength(60);
  });

  it('yields a repeated unit once', () => {
    const ride = buildFitActivity({ durationSeconds: 60 });
    const workouts = parseFit(chainFit(ride, ride));
    expect(workouts).toHaveLength(1);
    expect(warningCodes(workouts[0])).toContain('duplicate-unit');
  });
});

describe('fit decoder: records', () => {
  it('reads compressed-timestamp headers with 5-bit rollover to exact offsets', () => {
    const base = RAW_START - (RAW_START % 32) + 29; // low five bits 29
    const w = rawActivity({ type: 4 });
    defineSimpleRecord(w, 1);
    w.message(1, [base, 100]);
    w.define(2, G.record, [{ num: 3, type: 'uint8' }]);
    w.compressed(2, 30, [101]); // +1
    w.compressed(2, 31, [102]); // +2
    w.compressed(2, 0, [103]); // rolls over: +3
    w.compressed(2, 5, [104]); // +8
    w.compressed(2, 4, [105]); // 4 < 5: a full turn, +39
    w.message(1, [base + 100, 106]); // a full timestamp resets the base
    w.compressed(2, (base + 101) % 32, [107]);
    const workout = single(parseFit(w.build()));
    expect(workout.samples.offsetSeconds).toEqual([0, 1, 2, 3, 8, 39, 100, 101]);
    expect(workout.samples.heartRateBpm).toEqual([100, 101, 102, 103, 104, 105, 106, 107]);
    expect(workout.startTime).toBe((base + 631065600) * 1000);
  });

  it('skips compressed-timestamp records that come before any full timestamp', () => {
    const w = rawActivity({ type: 4 });
    w.define(2, G.record, [{ num: 3, type: 'uint8' }]).compressed(2, 3, [99]);
    defineSimpleRecord(w, 1);
    for (let i = 0; i < 5; i++) w.message(1, [RAW_START + i, 120 + i]);
    const workout = single(parseFit(w.build()));
    expect(workout.samples.heartRateBpm).toEqual([120, 121, 122, 123, 124]);
    expect(warningCodes(workout)).toContain('compressed-timestamp-without-base');
  });

  it('reads big-endian definitions', () => {
    const w = rawActivity({ type: 4 });
    w.define(1, G.record, [
      { num: 253, type: 'uint32' },
      { num: 7, type: 'uint16' },
      { num: 5, type: 'uint32' },
      { num: 0, type: 'sint32' },
      { num: 1, type: 'sint32' },
      { num: 2, type: 'uint16' },
    ], { bigEndian: true });
    w.message(1, [RAW_START, 321, 123456, 536870912, -1073741824, 3000]);
    w.message(1, [RAW_START + 1, 322, 123556, 536870913, -1073741823, 3001]);
    const workout = single(parseFit(w.build()));
    expect(workout.samples.powerWatts).toEqual([321, 322]);
    expect(workout.samples.distanceMeters).toEqual([1234.56, 1235.56]);
    expect(workout.samples.latitudeDegrees?.[0]).toBe(45);
    expect(workout.samples.longitudeDegrees?.[0]).toBe(-90);
    expect(workout.samples.altitudeMeters?.map((v) => Math.round((v ?? 0) * 10) / 10)).toEqual([100, 100.2]);
  });

  it('reads misaligned fields and treats sizes that are not whole values as bytes', () => {
    const w = rawActivity({ type: 4 });
    w.define(1, G.record, [
      { num: 13, type: 'sint8' }, // 1 byte: everything after is misaligned
      { num: 253, type: 'uint32' },
      { num: 7, type: 'uint16', size: 4 }, // an array of two: the first counts
      { num: 3, type: 'uint16', size: 3 }, // 3 bytes of uint16: not a value, skipped
      { num: 6, type: 'uint16' },
      { num: 200, type: 'byte', size: 9 }, // unknown field: skipped
      { num: 4, type: 'uint8' },
    ]);
    w.message(1, [-5, RAW_START, [0xf4, 0x01, 0x00, 0x00], [1, 2, 3], 4500, new Uint8Array(9).fill(7), 91]);
    w.message(1, [-4, RAW_START + 1, [0xf5, 0x01, 0x00, 0x00], [1, 2, 3], 4600, new Uint8Array(9).fill(7), 92]);
    const workout = single(parseFit(w.build()));
    expect(workout.samples.temperatureCelsius).toEqual([-5, -4]);
    expect(workout.samples.powerWatts).toEqual([500, 501]);
    expect(workout.samples.heartRateBpm).toBeUndefined();
    expect(workout.samples.speedMetersPerSecond).toEqual([4.5, 4.6]);
    expect(workout.samples.cadencePerMinute).toEqual([91, 92]);
  });

  it('turns invalid sentinels into gaps', () => {
    const w = rawActivity({ type: 4 });
    w.define(1, G.record, [
      { num: 253, type: 'uint32' },
      { num: 3, type: 'uint8' },
      { num: 7, type: 'uint16' },
      { num: 0, type: 'sint32' },
      { num: 1, type: 'sint32' },
      { num: 13, type: 'sint8' },
      { num: 5, type: 'uint32' },
      { num: 2, type: 'uint16' },
    ]);
    w.message(1, [RAW_START, 150, 250, 536870912, 536870912, 20, 1000, 3000]);
    w.message(1, [RAW_START + 1, undefined, undefined, undefined, undefined, undefined, undefined, undefined]);
    w.message(1, [RAW_START + 2, 152, 252, 536870912, 536870912, 22, 1200, 3010]);
    const workout = single(parseFit(w.build()));
    const s = workout.samples;
    expect(s?.heartRateBpm).toEqual([150, undefined, 152]);
    expect(s?.powerWatts).toEqual([250, undefined, 252]);
    expect(s?.latitudeDegrees).toEqual([45, undefined, 45]);
    expect(s?.temperatureCelsius).toEqual([20, undefined, 22]);
    expect(s?.distanceMeters).toEqual([10, undefined, 12]);
    expect(s?.altitudeMeters).toEqual([100, undefined, 102]);
    expect(validateWorkout(workout)).toEqual([]);
  });

  it('merges records that share a timestamp (one sample split over two records)', () => {
    const w = rawActivity({ type: 4 });
    defineSimpleRecord(w, 1);
    w.define(2, G.record, [{ num: 253, type: 'uint32' }, { num: 5, type: 'uint32' }]);
    for (let i = 0; i < 4; i++) w.message(1, [RAW_START + i, 100 + i]).message(2, [RAW_START + i, i * 300]);
    const workout = single(parseFit(w.build()));
    expect(workout.samples.offsetSeconds).toEqual([0, 1, 2, 3]);
    expect(workout.samples.heartRateBpm).toEqual([100, 101, 102, 103]);
    expect(workout.samples.distanceMeters).toEqual([0, 3, 6, 9]);
    expect(warningCodes(workout)).not.toContain('time-not-increasing');
  });

  it('stops a unit at a local type it never defined and keeps what came before', () => {
    const w = rawActivity({ type: 4 });
    defineSimpleRecord(w, 1);
    for (let i = 0; i < 10; i++) w.message(1, [RAW_START + i, 100 + i]);
    w.raw([0x05, 1, 2, 3, 4, 5]);
    for (let i = 10; i < 20; i++) w.message(1, [RAW_START + i, 100 + i]);
    const workout = single(parseFit(w.build()));
    expect(workout.samples.offsetSeconds).toHaveLength(10);
    expect(warningCodes(workout)).toEqual(expect.arrayContaining(['undefined-local-message', 'no-session']));
  });

  it('reads strings without a NUL and skips unknown messages', () => {
    const w = rawActivity({ type: 4, productName: 'Edge X' });
    w.define(3, 0xff00, [{ num: 1, type: 'byte', size: 200 }]).message(3, [new Uint8Array(200).fill(1)]);
    defineSimpleRecord(w, 1);
    for (let i = 0; i < 3; i++) w.message(1, [RAW_START + i, 130]);
    writeSession(w, RAW_START, 3);
    const workout = single(parseFit(w.build()));
    expect(workout.device).toEqual({ manufacturer: 'development', product: 'Edge X', serial: '42' });
    expect(workout.externalId).toBe(`fit:42:${RAW_START}`);
    expect(workout.elapsedSeconds).toBe(3);
  });
});

describe('fit decoder: developer data', () => {
  it('reads developer fields without developer_data_id, skips undescribed ones, and keeps unterminated strings', () => {
    const w = rawActivity({ type: 4 });
    // field_description for index 3 with no developer_data_id message at all
    w.define(4, G.fieldDescription, [
      { num: 0, type: 'uint8' },
      { num: 1, type: 'uint8' },
      { num: 2, type: 'uint8' },
      { num: 3, type: 'string', size: 8 },
      { num: 8, type: 'string', size: 4 },
    ]);
    w.message(4, [3, 0, 0x84, 'Cadence', 'rpm']);
    w.message(4, [3, 1, 0x07, 'Note', '']);
    w.define(1, G.record, [{ num: 253, type: 'uint32' }, { num: 4, type: 'uint8' }], {
      devFields: [
        { num: 0, size: 2, devIndex: 3 },
        { num: 1, size: 6, devIndex: 3 },
        { num: 9, size: 4, devIndex: 5 },
      ],
    });
    for (let i = 0; i < 4; i++) {
      w.message(1, [RAW_START + i, 88, [170 + i, 0], 'abcdef', [1, 2, 3, 4]]);
    }
    writeSession(w, RAW_START, 4, 1);
    const workout = single(parseFit(w.build()));
    expect(workout.samples.cadencePerMinute).toEqual([176, 176, 176, 176]);
    expect(workout.extras).toEqual({ 'dev:Cadence': 'avg 171.5 rpm, min 170, max 173 (4 samples)', 'dev:Note': 'abcdef' });
    expect(warningCodes(workout)).toContain('developer-field-undescribed');
    expect(validateWorkout(workout)).toEqual([]);
  });

  it('imports a file_id without a type when it has records, and refuses one with nothing else', () => {
    const w = rawActivity({ type: undefined });
    defineSimpleRecord(w, 1);
    for (let i = 0; i < 5; i++) w.message(1, [RAW_START + i, 140]);
    const workout = single(parseFit(w.build()));
    expect(workout.elapsedSeconds).toBe(4);
    expect(workout.sport).toBe('other');
    const bare = parseFailure(rawActivity({ type: 4 }).build());
    expect(bare.code).toBe('no-data');
    expect(bare.message).toContain('no records and no sessions');
    const settings = parseFailure(rawActivity({ type: 2 }).build());
    expect([settings.code, settings.detail]).toEqual(['unsupported-variant', 'this is a settings file, not an activity']);
  });
});

describe('fit decoder: hostile input', () => {
  it('survives a definition that claims more than the file holds', () => {
    const w = rawActivity({ type: 4 });
    defineSimpleRecord(w, 1);
    for (let i = 0; i < 5; i++) w.message(1, [RAW_START + i, 100]);
    w.raw([0x42, 0, 0, 20, 0, 255, 1, 255, 2]);
    const workout = single(parseFit(w.build()));
    expect(workout.samples.offsetSeconds).toHaveLength(5);
    expect(warningCodes(workout)).toContain('message-cut');
  });

  it('never throws anything but a ParseError on mutated files, and stays fast', () => {
    const file = buildFitActivity({ durationSeconds: 200, channels: ['hr', 'speed', 'power', 'position', 'distance'], laps: 3, developerFields: {} });
    let seed = 12345;
    const random = (): number => (seed = (seed * 1664525 + 1013904223) >>> 0) / 2 ** 32;
    const started = performance.now();
    for (let round = 0; round < 300; round++) {
      const copy = file.slice();
      const flips = 1 + Math.floor(random() * 8);
      for (let k = 0; k < flips; k++) copy[Math.floor(random() * copy.length)] = Math.floor(random() * 256);
      const cut = random() < 0.2 ? copy.subarray(0, Math.floor(random() * copy.length)) : copy;
      try {
        for (const w of fitParser.parse(cut, { sha256: 'x', limits: { maxFileBytes: 1 << 20, maxDecompressedBytes: 1 << 20, maxArchiveEntries: 10, maxSamples: 10_000 } })) {
          expect(w.samples.offsetSeconds.length).toBeLessThanOrEqual(10_000);
        }
      } catch (error) {
        expect(isParseError(error), String(error)).toBe(true);
      }
    }
    expect(performance.now() - started).toBeLessThan(10_000);
  });

  it('bounds what it keeps by the sample limit', () => {
    const file = buildFitActivity({ durationSeconds: 500 });
    const w = single(parseFit(file, { limits: { maxSamples: 100 } }));
    expect(w.samples.offsetSeconds).toHaveLength(100);
    expect(warningCodes(w)).toContain('too-many-samples');
    expect(parseFailure(file, { limits: { maxFileBytes: 100 } }).code).toBe('too-large');
  });
});
