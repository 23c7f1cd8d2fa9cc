/**
 * A short chaos campaign through the same code as `pnpm chaos`: 50 files, two workers, a 10-s
 * quota day, 40 s of disruptions — a worker killed with SIGKILL and one stopped with SIGTERM
 * (each while a create of it is in flight), Redis killed and started again, another program
 * spending a quota day, the token rotated and the new one written to the token file — with the
 * sandbox's faults on (5xx, HTML 5xx pages, resets before and after the store, early 429s; no
 * held answers: one would cost the client's two-minute answer timeout). Every invariant must hold
 * and the pipeline must drain. Needs the built worker (`pnpm build`), redis-server and openssl.
 */
import { describe, expect, it } from 'vitest';
import { runCampaign } from './campaign.js';
import { formatCampaign } from './report.js';

describe('pnpm chaos, a short campaign', () => {
  it('keeps every invariant under every disruption, and drains', async () => {
    const lines: string[] = [];
    const report = await runCampaign(
      {
        files: 50,
        seconds: 40,
        seed: 11,
        workers: 2,
        daySeconds: 10,
        faults: 'error5xx:0.03,html5xx:0.02,reset-before:0.02,reset-after:0.02,quota-early:0.01',
        drainSeconds: 30,
        tokenHoldSeconds: 4,
      },
      { say: (line) => lines.push(line) },
    );
    const text = formatCampaign(report).join('\n');
    console.log(text);
    expect(report.checks.filter((check) => check.ok === false), `${text}\n${lines.join('\n')}`).toEqual([]);
    expect(report.drained, text).toBe(true);
    expect(report.disruptions.map((record) => record.kind).sort()).toEqual(['quota', 'redis', 'sigkill', 'sigterm', 'token']);
    expect(report.disruptions.filter((record) => record.outcome.startsWith('harness error')), text).toEqual([]);
  }, 110_000);
});
