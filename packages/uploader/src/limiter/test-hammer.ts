/**
 * Takes tokens as fast as a limiter gives them, for a while, from a few concurrent workers (two
 * normal, one that asks for priority every fifth time). Used in-process and in a child process.
 */
import { isLimiterError } from './errors.js';
import type { GrantingQuotaLimiter } from './quota-limiter.js';

export interface HammerGrant {
  at: number;
  windowStart: number;
  priority: boolean;
  source: string;
}

export async function hammer(limiter: GrantingQuotaLimiter, source: string, startAt: number, durationMs: number): Promise<HammerGrant[]> {
  const grants: HammerGrant[] = [];
  if (startAt > Date.now()) await new Promise((resolve) => setTimeout(resolve, startAt - Date.now()));
  const until = startAt + durationMs;
  const worker = async (priorityEvery: number): Promise<void> => {
    for (let i = 1; Date.now() < until; i++) {
      const priority = priorityEvery > 0 && i % priorityEvery === 0;
      try {
        const grant = await limiter.acquireGrant({ priority, signal: AbortSignal.timeout(Math.max(1, until - Date.now())) });
        grants.push({ at: grant.at, windowStart: grant.windowStart, priority, source });
      } catch (error) {
        if (isLimiterError(error)) throw error;
        if (error instanceof Error && error.name === 'TimeoutError') return;
        throw error;
      }
    }
  };
  await Promise.all([worker(0), worker(0), worker(5)]);
  return grants;
}
