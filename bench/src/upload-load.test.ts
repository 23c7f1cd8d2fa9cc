import { describe, expect, it } from 'vitest';
import { buildTypicalRide, withoutSamples } from './bench-workouts.js';
import { runUploadScenario, totalRequests } from './upload-load.js';

/** The upload benchmark's loop against the real sandbox (a child process) on a few uploads, timing nothing. */
describe('runUploadScenario', () => {
  it('uploads through createClient with the memory limiter, one request per upload, every exchange seen', async () => {
    const ride = buildTypicalRide().workouts[0];
    if (!ride) throw new Error('no ride');
    const kind = { id: 'summary' as const, label: 'summary', samples: 0, laps: ride.laps.length };
    const r = await runUploadScenario(kind, withoutSamples(ride), 'memory', { concurrency: 2, warmupUploads: 2, maxUploads: 6, maxSeconds: 30 });
    expect(r.failure).toBeUndefined();
    expect(r.planRequests).toBe(1);
    expect(r.timed).toMatchObject({ uploads: 6, ok: 6, failures: [], exchangeProblems: [], reconciled: 0, requestsByMethod: { 'workout.create': 6 }, reportedRequests: 6 });
    expect(r.warmup).toMatchObject({ uploads: 2, ok: 2, failures: [], requestsByMethod: { 'system.current': 1, 'athlete.list': 1, 'workout.create': 2 } });
    expect(totalRequests(r.warmup!)).toBe(4);
    expect(r.requestsPerUpload).toBe(1);
    expect(r.stoppedBy).toBe('count');
  });
});
