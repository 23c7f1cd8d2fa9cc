import { buildWorkoutCreate } from '@optimo-import/mapper';
import { describe, expect, it } from 'vitest';
import { buildTypicalRide, withoutSamples } from './bench-workouts.js';
import { createApiClient } from './https-client.js';
import { findFirstAthleteId } from './sandbox-api.js';
import { ID_DIGITS, makeCreateBodyTemplate, runCreateLoad } from './sandbox-load.js';
import { startSandboxProcess } from './sandbox-process.js';

/** The machinery of the sandbox benchmark against the real sandbox (its built dist/), timing nothing. */
describe('the sandbox in a child process', () => {
  it('starts on loopback, takes workout.create over HTTPS with the bench client, and stops', async () => {
    const sandbox = await startSandboxProcess({ quota: 1000, timeZone: 'Europe/Berlin' });
    const client = createApiClient({ url: sandbox.url, certPem: sandbox.certPem, token: sandbox.token, maxSockets: 2 });
    try {
      expect(sandbox.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+\//);
      expect(sandbox).toMatchObject({ timeZone: 'Europe/Berlin', quota: 1000 });
      const athleteId = await findFirstAthleteId(client, sandbox.timeZone);
      const ride = buildTypicalRide().workouts[0];
      if (!ride) throw new Error('no ride');
      const prefix = 'bench-test-';
      const body = buildWorkoutCreate(withoutSamples(ride), { athleteId, timeZone: sandbox.timeZone, externalId: `${prefix}${'0'.repeat(ID_DIGITS)}` });
      const outcome = await runCreateLoad(client, makeCreateBodyTemplate(body, prefix), { concurrency: 2, warmupRequests: 2, maxRequests: 6, maxSeconds: 30 });
      expect(outcome).toMatchObject({ requests: 6, ok: 6, failures: [], warmupFailures: [] });
      const usage = await sandbox.usage();
      expect(usage.cpuMs).toBeGreaterThan(0);
      expect(usage.rssBytes).toBeGreaterThan(0);
    } finally {
      client.close();
      await sandbox.close();
    }
    expect(() => process.kill(sandbox.pid, 0)).toThrow();
  });

  it('refuses a client address that is not loopback', () => {
    expect(() => createApiClient({ url: 'https://example.com/api/2.1/xml-in', certPem: '', token: 't', maxSockets: 1 })).toThrow(/loopback/);
  });
});
