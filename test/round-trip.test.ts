import { request } from 'node:https';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildExamples, buildFitActivity, buildTwelveHourRide } from '@optimo-import/fixtures';
import { buildAthleteList, buildWorkoutGet, planWorkoutUpload, readAthleteList, readIds, readResponse, readWorkout, DECIMALS } from '@optimo-import/mapper';
import type { WorkoutRecord } from '@optimo-import/mapper';
import { parseWorkout } from '@optimo-import/parsers';
import { startSandbox } from '@optimo-import/sandbox';
import type { Sandbox } from '@optimo-import/sandbox';
import { CHANNELS } from '@optimo-import/workout';
import type { Channel, Workout } from '@optimo-import/workout';

/**
 * Round trip through the real parts: fixture file → parser → mapper → the sandbox over HTTPS →
 * workout.get → the mapper's reader; what comes back equals what was sent, within rounding.
 * The sandbox reads requests with its own code, so the mapper cannot agree with itself here.
 */
const TIME_ZONE = 'Europe/Berlin';
let sandbox: Sandbox;
let token: string;
let athleteId: string;

function post(body: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const url = new URL(sandbox.url);
    const req = request(
      {
        hostname: url.hostname,
        port: url.port,
        path: url.pathname,
        method: 'POST',
        ca: sandbox.certPem,
        auth: `${token}:X`,
        headers: { 'Content-Type': 'application/xml; charset=utf-8', 'User-Agent': 'optimo-import-tests/0.1' },
      },
      (res) => {
        const parts: Buffer[] = [];
        res.on('data', (d: Buffer) => parts.push(d));
        res.on('end', () => resolve(Buffer.concat(parts).toString('utf8')));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

async function ok(body: string): Promise<Extract<ReturnType<typeof readResponse>, { kind: 'ok' }>> {
  const answer = readResponse(await post(body));
  if (answer.kind !== 'ok') throw new Error(`expected ok, got ${JSON.stringify(answer)}`);
  return answer;
}

/** Half a unit in the last decimal the mapper writes, for each channel. */
const TOLERANCE: Record<Channel, number> = {
  heartRateBpm: 0.5 * 10 ** -DECIMALS.heartRate,
  speedMetersPerSecond: 0.5 * 10 ** -DECIMALS.speed,
  cadencePerMinute: 0.5 * 10 ** -DECIMALS.cadence,
  powerWatts: 0.5 * 10 ** -DECIMALS.power,
  altitudeMeters: 0.5 * 10 ** -DECIMALS.altitude,
  latitudeDegrees: 0.5 * 10 ** -DECIMALS.coordinate,
  longitudeDegrees: 0.5 * 10 ** -DECIMALS.coordinate,
  distanceMeters: 0.5 * 10 ** -DECIMALS.distance,
  temperatureCelsius: 0.5 * 10 ** -DECIMALS.temperature,
};

function fixtureWorkouts(): [string, Workout][] {
  const out: [string, Workout][] = [];
  for (const [name, bytes] of buildExamples()) {
    for (const w of parseWorkout(bytes, { fileName: name })) out.push([`${w.source.fileName ?? name}#${w.source.index}`, w]);
  }
  const dev = buildFitActivity({ sport: 'running', durationSeconds: 900, developerFields: {}, pauses: [{ startSeconds: 300, durationSeconds: 45 }], localOffsetMinutes: 120 });
  out.push(['running-with-pause.fit', parseWorkout(dev, { fileName: 'running-with-pause.fit' })[0]!]);
  return out;
}

async function upload(workout: Workout): Promise<{ id: string; requests: number }> {
  const plan = planWorkoutUpload(workout, { athleteId, timeZone: TIME_ZONE });
  const id = readIds(await ok(plan.create)).workoutId;
  if (!id) throw new Error('workout.create answered no workout_id');
  for (const chunk of plan.chunks) {
    const ids = readIds(await ok(chunk.build(id)));
    expect(ids.sampleCount).toBe(chunk.toIndex);
  }
  return { id, requests: plan.requestCount };
}

function expectSame(sent: Workout, got: WorkoutRecord): void {
  expect(got.sport).toBe(sent.sport);
  expect(got.externalId).toBe(sent.externalId);
  expect(got.startTime).toBe(Math.floor(sent.startTime / 1000) * 1000);
  expect(got.elapsedSeconds).toBeCloseTo(sent.elapsedSeconds, 2);
  if (sent.distanceMeters !== undefined) expect(got.distanceMeters).toBeCloseTo(sent.distanceMeters, 1);
  expect(got.laps).toHaveLength(sent.laps.length);
  got.laps.forEach((lap, i) => expect(Math.abs((lap.startTime ?? NaN) - sent.laps[i]!.startTime)).toBeLessThan(1000));
  const samples = got.samples!;
  const shift = (sent.startTime % 1000) / 1000; // the mapper floors start_time and shifts the offsets
  expect(samples.offsetSeconds).toHaveLength(sent.samples.offsetSeconds.length);
  sent.samples.offsetSeconds.forEach((t, i) => expect(Math.abs(samples.offsetSeconds[i]! - (t + shift))).toBeLessThan(0.0006));
  for (const channel of CHANNELS) {
    const a = sent.samples[channel];
    const b = samples[channel];
    if (!a) {
      expect(b, channel).toBeUndefined();
      continue;
    }
    let worst = 0;
    a.forEach((v, i) => {
      const w = b?.[i];
      if (v === undefined) expect(w, `${channel}[${i}]`).toBeUndefined();
      else worst = Math.max(worst, Math.abs((w ?? NaN) - v));
    });
    expect(worst, channel).toBeLessThanOrEqual(TOLERANCE[channel] + 1e-9);
  }
}

beforeAll(async () => {
  sandbox = await startSandbox({ port: 0, timeZone: TIME_ZONE, quota: 100_000 });
  token = sandbox.accounts[0]!.tokens.admin!;
  athleteId = readAthleteList(await ok(buildAthleteList()), { timeZone: TIME_ZONE }).items[0]!.athleteId!;
});

afterAll(async () => sandbox?.close());

describe('round trip: parser → mapper → sandbox (HTTPS) → workout.get', () => {
  it.each(fixtureWorkouts())('%s comes back as it was sent', async (_name, workout) => {
    const { id } = await upload(workout);
    const got = readWorkout(await ok(buildWorkoutGet(id, { includeSamples: true })), { timeZone: TIME_ZONE });
    expectSame(workout, got);
  });

  it('a workout over 10 MiB goes as workout.create + workout.samples.add and comes back whole', async () => {
    const [workout] = parseWorkout(buildTwelveHourRide(), { fileName: '12h.fit' });
    const { id, requests } = await upload(workout!);
    expect(requests).toBeGreaterThan(1);
    const got = readWorkout(await ok(buildWorkoutGet(id, { includeSamples: true })), { timeZone: TIME_ZONE });
    expectSame(workout!, got);
  });
});
