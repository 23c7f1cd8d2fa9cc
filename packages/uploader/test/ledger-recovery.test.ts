import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildWorkoutGet, readWorkout } from '@optimo-import/mapper';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { isUploadError } from '../src/errors.js';
import type { UploadError } from '../src/errors.js';
import { isFinished } from '../src/ledger.js';
import type { UploadLedger } from '../src/ledger.js';
import { createFileLedger } from '../src/ledger-file.js';
import type { FileLedger } from '../src/ledger-file.js';
import { createRedisLedger } from '../src/ledger-redis.js';
import { uploadWorkout } from '../src/upload.js';
import { expectNoTokenWritten, settle, startKit, testWorkout, TIME_ZONE } from './kit.js';
import type { Kit } from './kit.js';

/**
 * The ledger across a crash, with the real sandbox: an upload stops between `sending` and
 * `created` (here: its wait is aborted after the server stored the workout, or it dies right
 * after writing `sending`), and the next attempt, with a fresh client, finds the entry and
 * reconciles instead of creating a second workout.
 */
const folder = await mkdtemp(join(tmpdir(), 'optimo-ledger-recovery-'));
const redis = new Redis({ host: '127.0.0.1', port: 6379, maxRetriesPerRequest: 2 });
const prefix = `optimo-test:ledger-recovery:${randomUUID()}:`;
const kits: Kit[] = [];
const files: FileLedger[] = [];
afterAll(async () => {
  await Promise.all(kits.map((kit) => kit.close()));
  await Promise.all(files.map((ledger) => ledger.close()));
  const keys = await redis.keys(`${prefix}*`);
  if (keys.length > 0) await redis.del(...keys);
  redis.disconnect();
  await rm(folder, { recursive: true, force: true });
  expectNoTokenWritten();
});

let n = 0;
const LEDGERS: Array<[string, () => UploadLedger]> = [
  [
    'file ledger',
    () => {
      const ledger = createFileLedger({ file: join(folder, `ledger-${(n += 1)}.jsonl`) });
      files.push(ledger);
      return ledger;
    },
  ],
  ['redis ledger', () => createRedisLedger({ redis, prefix: `${prefix}${(n += 1)}:` })],
];

describe.each(LEDGERS)('%s: a crash between sending and created', (_name, makeLedger) => {
  it('the server stored the workout: the next attempt finds it (one lookup) and creates nothing', async () => {
    const controller = new AbortController();
    const kit = await startKit({ faults: 'slow-after:1', faultsSeed: 3, slowAfterMs: 600 });
    kits.push(kit);
    const ledger = makeLedger();
    const workout = testWorkout(1, { tag: `crash-stored-${n}` });
    const crashed = kit.client({ timeouts: { connectMs: 2000, answerMs: 5000 } });
    setTimeout(() => controller.abort(new Error('the process died')), 250);
    const error = (await settle(uploadWorkout(crashed, workout, { athleteId: 1, timeZone: TIME_ZONE, ledger, signal: controller.signal }))) as UploadError;
    expect(isUploadError(error)).toBe(true);
    expect(error).toMatchObject({ code: 'aborted', maybeStored: true });
    expect(await ledger.read(workout.externalId)).toMatchObject({ state: 'sending' });

    const next = kit.client({ timeouts: { connectMs: 2000, answerMs: 5000 } });
    const result = await uploadWorkout(next, workout, { athleteId: 1, timeZone: TIME_ZONE, ledger, reconcileDelayMs: 0 });
    expect(result).toMatchObject({ requests: 1, reconciled: true });
    expect(isFinished(await ledger.read(workout.externalId))).toBe(true);
    expect(kit.requests.map((entry) => entry.method)).toEqual(['workout.create', 'workout.list']);
    const onServer = await kit.workoutsWith(workout.externalId);
    expect(onServer.map((item) => item.workoutId)).toEqual([result.workoutId]);
  });

  it('the create never left: the next attempt looks, does not find it, and sends it once', async () => {
    const kit = await startKit();
    kits.push(kit);
    const ledger = makeLedger();
    const workout = testWorkout(2, { tag: `crash-unsent-${n}` });
    await ledger.write(workout.externalId, { state: 'sending', at: Date.now(), sampleCount: 5 });
    const result = await uploadWorkout(kit.client(), workout, { athleteId: 1, timeZone: TIME_ZONE, ledger, reconcileDelayMs: 0 });
    expect(result).toMatchObject({ requests: 2, reconciled: true });
    expect(kit.requests.map((entry) => entry.method)).toEqual(['workout.list', 'workout.create']);
    expect(await ledger.read(workout.externalId)).toMatchObject({ state: 'created', workoutId: result.workoutId, samplesStored: 5, sampleCount: 5 });
  });

  it('a crash between chunks: the next attempt skips the create and sends only the chunks not confirmed', async () => {
    const controller = new AbortController();
    let chunks = 0;
    const kit = await startKit({
      watch: (entry) => {
        if (entry.method === 'workout.samples.add' && entry.status === 200 && (chunks += 1) === 2) controller.abort(new Error('the process died'));
      },
    });
    kits.push(kit);
    const ledger = makeLedger();
    const workout = testWorkout(3, { tag: `crash-chunks-${n}`, samples: 400 });
    const options = { athleteId: 1, timeZone: TIME_ZONE, ledger, maxBodyBytes: 6000, reconcileDelayMs: 0 };
    const error = (await settle(uploadWorkout(kit.client(), workout, { ...options, signal: controller.signal }))) as UploadError;
    expect(error.code).toBe('aborted');
    const entry = await ledger.read(workout.externalId);
    expect(entry).toMatchObject({ state: 'created', sampleCount: 400 });
    expect(entry!.samplesStored).toBeLessThan(400);
    const before = kit.requests.length;

    const result = await uploadWorkout(kit.client(), workout, options);
    expect(result.reconciled).toBe(true);
    expect(result.workoutId).toBe(entry!.workoutId);
    const resent = kit.requests.slice(before);
    expect(resent.every((item) => item.method === 'workout.samples.add')).toBe(true);
    expect(resent).toHaveLength(result.requests);
    expect(isFinished(await ledger.read(workout.externalId))).toBe(true);
    const { answer } = await kit.client().call(buildWorkoutGet(result.workoutId, { includeSamples: true }));
    expect(readWorkout(answer, { timeZone: TIME_ZONE }).samples?.offsetSeconds).toHaveLength(400);

    const third = await uploadWorkout(kit.client(), workout, options);
    expect(third).toEqual({ workoutId: result.workoutId, requests: 0, reconciled: true });
  });
});
