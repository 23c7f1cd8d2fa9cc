/**
 * What the run does to the sandbox directly, as "another program" of the account (not through the
 * proxy, so none of it is counted as the importer's): spend what is left of a quota day, and list
 * the account's workouts at the end.
 */
import { Agent, request } from 'node:https';
import { buildSystemCurrent, buildWorkoutList, readWorkoutList } from '@optimo-import/mapper';
import { createClient, isUploadError } from '@optimo-import/uploader';
import type { ServerWorkout } from './invariants.js';

export interface Target {
  url: string;
  ca: string;
  /** The token to use now (it may have been rotated). */
  token: () => string;
  timeZone: string;
}

/** One raw POST: the status, or null when the connection was dropped. Never retried, never logged. */
function post(agent: Agent, target: Target, body: string): Promise<number | null> {
  return new Promise((resolve) => {
    const url = new URL(target.url);
    const req = request(
      {
        host: url.hostname,
        port: url.port,
        path: url.pathname,
        method: 'POST',
        agent,
        headers: {
          Authorization: `Basic ${Buffer.from(`${target.token()}:X`, 'utf8').toString('base64')}`,
          'Content-Type': 'application/xml; charset=utf-8',
          'Content-Length': String(Buffer.byteLength(body)),
          'User-Agent': 'optimo-chaos-other-program/0.1.0',
        },
        timeout: 5000,
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? null));
        res.on('error', () => resolve(null));
      },
    );
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(null));
    req.end(body);
  });
}

export interface SpendResult {
  /** Requests sent. */
  sent: number;
  /** Quota windows the day was found spent in (three 429s in a row, so that an injected early 429 is not taken for it). */
  spentWindows: number[];
  /** Why it stopped. */
  stopped: 'spent' | 'token-refused' | 'window-ended' | 'too-many';
}

/**
 * Another program of the account sends `system.current` until the server refuses three in a row
 * with 429 (the day is spent), within one quota day (starting at `windowStart`).
 */
export async function spendQuotaDay(target: Target, options: { daySeconds: number; limit: number }): Promise<SpendResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: 1, ca: target.ca });
  const dayMs = options.daySeconds * 1000;
  const window = Math.floor(Date.now() / dayMs);
  const body = buildSystemCurrent();
  let sent = 0;
  let refusedInARow = 0;
  try {
    while (sent < options.limit + 50) {
      if (Math.floor(Date.now() / dayMs) !== window) return { sent, spentWindows: [], stopped: 'window-ended' };
      const status = await post(agent, target, body);
      sent += 1;
      if (status === 401) return { sent, spentWindows: [], stopped: 'token-refused' };
      refusedInARow = status === 429 ? refusedInARow + 1 : 0;
      if (refusedInARow >= 3) return { sent, spentWindows: [window], stopped: 'spent' };
    }
    return { sent, spentWindows: [], stopped: 'too-many' };
  } finally {
    agent.destroy();
  }
}

/** Every workout of the account (admin), waiting out a spent quota day and repeating after faults. */
export async function listServerWorkouts(target: Target, options: { deadline: number }): Promise<ServerWorkout[]> {
  let lastError: unknown;
  while (Date.now() < options.deadline) {
    const client = createClient({ endpoint: target.url, token: target.token(), ca: target.ca, account: 'chaos-inspector', timeouts: { answerMs: 10_000 } });
    try {
      const items: ServerWorkout[] = [];
      for (let page = 1; ; page += 1) {
        const { answer } = await client.call(buildWorkoutList({ perPage: 100, page }));
        const list = readWorkoutList(answer, { timeZone: target.timeZone });
        for (const item of list.items) items.push({ workoutId: item.workoutId ?? '?', externalId: item.externalId, startTime: item.startTime });
        if (page >= list.pages) return items;
      }
    } catch (error) {
      lastError = error;
      const wait = isUploadError(error) && error.code === 'quota-spent' && error.resetAt !== undefined ? Math.max(100, error.resetAt - Date.now() + 100) : 500;
      await new Promise((resolve) => setTimeout(resolve, Math.min(wait, Math.max(0, options.deadline - Date.now()))));
    } finally {
      client.close();
    }
  }
  throw new Error(`[chaos] the server's workouts could not be listed: ${(lastError as Error | undefined)?.message ?? 'no time left'}`, { cause: lastError });
}
