import { buildWorkoutGet, readWorkout } from '@optimo-import/mapper';
import type { RequestLogEntry } from '@optimo-import/sandbox';
import { afterAll, describe, expect, it } from 'vitest';
import { isUploadError } from '../src/errors.js';
import type { UploadError } from '../src/errors.js';
import { uploadWorkout } from '../src/upload.js';
import type { UploadResult } from '../src/upload.js';
import { expectNoTokenWritten, settle, startKit, tally, testWorkout, TIME_ZONE } from './kit.js';
import type { Kit } from './kit.js';

/**
 * uploadWorkout against the real sandbox over HTTPS with its fault flags: whatever the faults,
 * every workout ends up on the server exactly once, and the requests an upload reports are the
 * requests the server saw.
 */
const kits: Kit[] = [];
afterAll(async () => {
  await Promise.all(kits.map((kit) => kit.close()));
  expectNoTokenWritten();
});

async function kitWith(faults: string, extra: Parameters<typeof startKit>[0] = {}): Promise<Kit> {
  const kit = await startKit({ faults, faultsSeed: 20260615, ...extra });
  kits.push(kit);
  return kit;
}

/** Uploads the workouts one after another; every one must succeed. */
async function batch(kit: Kit, tag: string, count: number, options: { samples?: number; maxBodyBytes?: number; answerMs?: number; maxReconcileRounds?: number } = {}): Promise<UploadResult[]> {
  const client = kit.client({ timeouts: { connectMs: 2000, answerMs: options.answerMs ?? 2000 } });
  const results: UploadResult[] = [];
  for (let i = 0; i < count; i += 1) {
    const workout = testWorkout(i, { tag, samples: options.samples ?? 5 });
    const result = await settle(
      uploadWorkout(client, workout, {
        athleteId: 1,
        timeZone: TIME_ZONE,
        reconcileDelayMs: 0,
        maxReconcileRounds: options.maxReconcileRounds ?? 6,
        ...(options.maxBodyBytes === undefined ? {} : { maxBodyBytes: options.maxBodyBytes }),
      }),
    );
    if (result instanceof Error) throw result;
    results.push(result);
  }
  return results;
}

async function expectExactlyOnce(kit: Kit, tag: string, count: number, results: UploadResult[]): Promise<void> {
  for (let i = 0; i < count; i += 1) {
    const found = await kit.workoutsWith(`test:${tag}:${i}`);
    expect(found, `test:${tag}:${i}`).toHaveLength(1);
    expect(found[0]!.workoutId).toBe(results[i]!.workoutId);
  }
}

const faulted = (entries: RequestLogEntry[], method: string, fault: string): number => entries.filter((entry) => entry.method === method && entry.faults.includes(fault as never)).length;

describe('uploadWorkout against the sandbox with faults', () => {
  it('a burst of 5xx (XML and HTML), then success: each workout once, reconciled by lookup', async () => {
    const kit = await kitWith('error5xx:0.3,html5xx:0.2');
    const results = await batch(kit, 'burst', 10);
    const seen = [...kit.requests];
    // the sandbox injects 5xx before reading the method: such entries have method null
    expect(seen.filter((entry) => entry.faults.includes('error5xx')).length).toBeGreaterThan(0);
    expect(seen.filter((entry) => entry.faults.includes('html5xx')).length).toBeGreaterThan(0);
    expect(seen.filter((entry) => entry.method === 'workout.create' && entry.status === 200)).toHaveLength(10);
    expect(results.some((result) => result.reconciled)).toBe(true);
    expect(results.reduce((sum, result) => sum + result.requests, 0)).toBe(seen.length);
    await expectExactlyOnce(kit, 'burst', 10, results);
  });

  it('resets before the server stores the workout: looked up, not there, sent again', async () => {
    const kit = await kitWith('reset-before:0.4');
    const results = await batch(kit, 'before', 8);
    const seen = [...kit.requests];
    // the sandbox drops the connection before reading the method: such entries have method null
    expect(seen.filter((entry) => entry.faults.includes('reset-before')).length).toBeGreaterThan(0);
    expect(seen.filter((entry) => entry.method === 'workout.create' && entry.status === 200)).toHaveLength(8);
    expect(results.reduce((sum, result) => sum + result.requests, 0)).toBe(seen.length);
    await expectExactlyOnce(kit, 'before', 8, results);
  });

  it('resets after the server stored the workout: looked up, found, never sent again', async () => {
    const kit = await kitWith('reset-after:0.4');
    const results = await batch(kit, 'after', 8);
    const seen = [...kit.requests];
    const dropped = faulted(seen, 'workout.create', 'reset-after');
    expect(dropped).toBeGreaterThan(0);
    // every create reached the server once: a dropped one was found by the lookup
    expect(seen.filter((entry) => entry.method === 'workout.create')).toHaveLength(8);
    expect(results.filter((result) => result.reconciled).length).toBeGreaterThanOrEqual(dropped);
    await expectExactlyOnce(kit, 'after', 8, results);
  });

  it('an answer that never arrives after the store: exactly one workout on the server', async () => {
    const kit = await kitWith('slow-after:0.35', { slowAfterMs: 1500 });
    const results = await batch(kit, 'slow', 6, { answerMs: 400 });
    const seen = [...kit.requests];
    expect(faulted(seen, 'workout.create', 'slow-after')).toBeGreaterThan(0);
    expect(seen.filter((entry) => entry.method === 'workout.create')).toHaveLength(6);
    await expectExactlyOnce(kit, 'slow', 6, results);
  });

  it('large workouts: create + samples.add chunks under every fault, every sample stored once', async () => {
    const kit = await kitWith('error5xx:0.15,reset-before:0.1,reset-after:0.15');
    const results = await batch(kit, 'large', 3, { samples: 400, maxBodyBytes: 6000 });
    const seen = [...kit.requests];
    expect(seen.filter((entry) => entry.method === 'workout.samples.add' && entry.status === 200).length).toBeGreaterThanOrEqual(3 * 3);
    expect(seen.filter((entry) => entry.method === 'workout.samples.add' && entry.faults.length > 0).length).toBeGreaterThan(0);
    await expectExactlyOnce(kit, 'large', 3, results);
    const inspector = kit.client({ log: () => undefined });
    for (const result of results) {
      const { answer } = await inspector.call(buildWorkoutGet(result.workoutId, { includeSamples: true }));
      const record = readWorkout(answer, { timeZone: TIME_ZONE });
      expect(record.samples?.offsetSeconds).toEqual(Array.from({ length: 400 }, (_, t) => t));
    }
  });

  it('40900 duplicate external_id: taken as created with the existing id, one request', async () => {
    const kit = await kitWith('');
    const client = kit.client();
    const workout = testWorkout(1, { tag: 'dup' });
    const first = await uploadWorkout(client, workout, { athleteId: 1, timeZone: TIME_ZONE });
    expect(first).toEqual({ workoutId: expect.any(String), requests: 1, reconciled: false });
    const again = await uploadWorkout(client, workout, { athleteId: 1, timeZone: TIME_ZONE });
    expect(again).toEqual({ workoutId: first.workoutId, requests: 1, reconciled: true });
    expect(kit.requests.map((entry) => entry.code)).toEqual([null, 40900]);
  });

  it('a server that keeps no external id: found by athlete, date, start and duration', async () => {
    const kit = await kitWith('reset-after:0.5');
    const client = kit.client();
    const results: UploadResult[] = [];
    for (let i = 0; i < 5; i += 1) {
      results.push(await uploadWorkout(client, testWorkout(i, { externalId: null }), { athleteId: 2, timeZone: TIME_ZONE, reconcileDelayMs: 0 }));
    }
    const creates = kit.requests.filter((entry) => entry.method === 'workout.create');
    expect(creates.filter((entry) => entry.faults.includes('reset-after')).length).toBeGreaterThan(0);
    expect(creates).toHaveLength(5);
    expect(new Set(results.map((result) => result.workoutId)).size).toBe(5);
    expect(tally(kit.requests)['workout.list 200']).toBeGreaterThan(0);
  });

  it('a create refused for good is not retried and leaves nothing behind', async () => {
    const kit = await kitWith('');
    const client = kit.client();
    const error = (await settle(uploadWorkout(client, testWorkout(1, { tag: 'refused' }), { athleteId: 999, timeZone: TIME_ZONE }))) as UploadError;
    expect(isUploadError(error)).toBe(true);
    expect(error).toMatchObject({ code: 'failed', apiCode: 40400, requests: 1, maybeStored: false });
    expect(kit.requests).toHaveLength(1);
  });
});
