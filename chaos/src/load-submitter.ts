/**
 * The "other service" of the load run, as its own process: it submits files through
 * `createImportClient` (bytes stored in Redis) in a closed loop — `LOAD_OUTSTANDING` submissions
 * waiting for their result at any time — for `LOAD_SECONDS`, then waits for the last ones. One JSON
 * line per settled submission on stdout (`{"event":"result",…}`), one per error, one at the end.
 *
 * Environment: REDIS_URL, LOAD_SECONDS, LOAD_OUTSTANDING, LOAD_SEED.
 */
import { buildFitActivity, buildGpxBytes, buildTcxBytes } from '@optimo-import/fixtures';
import { createImportClient } from '@optimo-import/worker';
import { createRandom } from './random.js';

const redis = process.env.REDIS_URL ?? '';
const seconds = Number(process.env.LOAD_SECONDS ?? '30');
const outstanding = Number(process.env.LOAD_OUTSTANDING ?? '8');
const random = createRandom(Number(process.env.LOAD_SEED ?? '1'), 'load-files');
const base = Date.UTC(2021, 0, 1, 5) + random.int(0, 364) * 86_400_000;

const print = (line: Record<string, unknown>): void => {
  process.stdout.write(`${JSON.stringify({ t: Date.now(), ...line })}\n`);
};

function fileOf(index: number): { bytes: Uint8Array; fileName: string } {
  const startTime = base + index * 3 * 3_600_000;
  const durationSeconds = random.int(60, 180);
  const format = (['fit', 'tcx', 'gpx'] as const)[index % 3];
  if (format === 'fit') return { bytes: buildFitActivity({ sport: 'running', startTime, durationSeconds, serialNumber: 7_000_000 + index }), fileName: `load-${index}.fit` };
  if (format === 'tcx') return { bytes: buildTcxBytes({ sport: 'Running', startTime, durationSeconds, seed: index + 1 }), fileName: `load-${index}.tcx` };
  return { bytes: buildGpxBytes({ sport: 'running', startTime, durationSeconds, seed: index + 1 }), fileName: `load-${index}.gpx` };
}

const client = createImportClient({ redis });
const deadline = Date.now() + seconds * 1000;
let next = 0;
let settled = 0;
let errors = 0;

async function loop(): Promise<void> {
  while (Date.now() < deadline) {
    const index = next;
    next += 1;
    const { bytes, fileName } = fileOf(index);
    const started = Date.now();
    try {
      const jobId = await client.submit({ account: 'default', athleteId: '1', file: bytes, fileName });
      const result = await client.waitForResult(jobId, { timeoutMs: 180_000 });
      settled += 1;
      print({ event: 'result', index, outcome: result.outcome, ms: Date.now() - started, ...(result.reason === undefined ? {} : { reason: result.reason }) });
    } catch (error) {
      errors += 1;
      print({ event: 'error', index, message: (error as Error).message });
    }
  }
}

await Promise.all(Array.from({ length: outstanding }, () => loop()));
print({ event: 'done', submitted: next, settled, errors });
await client.close();
