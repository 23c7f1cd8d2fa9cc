/**
 * The naive import a user would script without the worker (started by pipeline-naive.ts with
 * `node --import tsx`, talking over IPC): one process, one file after another, read, parse with
 * `parseFile` (@optimo-import/parsers), and each workout sent with `uploadWorkout`
 * (@optimo-import/uploader) through one `createClient`. No queue, no ledger, no duplicate check,
 * no limiter. The setup (endpoint, token, CA) comes over IPC, never on the command line.
 */
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { parseFile } from '@optimo-import/parsers';
import { createClient, isUploadError, uploadWorkout } from '@optimo-import/uploader';
import type { NaiveChildReply, NaiveChildStart } from './pipeline-naive-protocol.js';

const send = (message: NaiveChildReply): Promise<void> =>
  new Promise((resolve) => {
    if (!process.send) resolve();
    else process.send(message, undefined, {}, () => resolve());
  });

async function importAll(start: NaiveChildStart): Promise<NaiveChildReply> {
  const readyRssBytes = process.memoryUsage.rss();
  const client = createClient({ endpoint: start.endpoint, token: start.token, ca: start.certPem });
  const reply: Extract<NaiveChildReply, { type: 'done' }> = { type: 'done', seconds: 0, readMs: 0, parseMs: 0, uploadMs: 0, cpuMs: 0, readyRssBytes, peakRssBytes: 0, files: 0, workouts: 0, uploaded: 0, requests: 0, failures: [] };
  const cpuBefore = process.cpuUsage();
  const t0 = performance.now();
  try {
    for (const path of start.paths) {
      const fileName = basename(path);
      let t = performance.now();
      const bytes = await readFile(path);
      reply.readMs += performance.now() - t;
      t = performance.now();
      let entries;
      try {
        entries = parseFile(bytes, { fileName });
      } catch (error) {
        reply.failures.push(`${fileName}: ${error instanceof Error ? error.message : String(error)}`);
        continue;
      } finally {
        reply.parseMs += performance.now() - t;
      }
      reply.files++;
      for (const entry of entries) {
        if (entry.status !== 'ok') continue;
        for (const workout of entry.workouts) {
          reply.workouts++;
          t = performance.now();
          try {
            const result = await uploadWorkout(client, workout, { athleteId: start.athleteId });
            reply.uploaded++;
            reply.requests += result.requests;
          } catch (error) {
            if (isUploadError(error)) reply.requests += error.requests ?? 0;
            reply.failures.push(`${fileName}: ${isUploadError(error) ? `UploadError ${error.code}: ` : ''}${error instanceof Error ? error.message : String(error)}`);
          } finally {
            reply.uploadMs += performance.now() - t;
          }
        }
      }
    }
  } finally {
    client.close();
  }
  reply.seconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  reply.cpuMs = (cpu.user + cpu.system) / 1000;
  // ru_maxrss, in kB: the peak resident set of this process (the same figure as /proc's VmHWM).
  reply.peakRssBytes = process.resourceUsage().maxRSS * 1024;
  return reply;
}

process.once('message', (message: NaiveChildStart) => {
  void importAll(message)
    .catch((error: unknown): NaiveChildReply => ({ type: 'failed', message: error instanceof Error ? error.message : String(error) }))
    .then(send)
    .then(() => process.disconnect?.());
});
