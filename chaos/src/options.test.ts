import { describe, expect, it } from 'vitest';
import { commandOf } from './campaign.js';
import { describePlan, planFiles } from './files.js';
import { parseChaosArgs, resolveCampaignOptions, resolveLoadOptions, UsageError } from './options.js';
import { createRandom } from './random.js';
import { planSchedule } from './schedule.js';

describe('pnpm chaos flags', () => {
  it('reads a campaign and a load run, and refuses a flag of the other mode', () => {
    const campaign = parseChaosArgs(['--files', '30', '--seconds', '45', '--seed', '9', '--disruptions', 'sigkill,redis', '--json']);
    expect(campaign).toMatchObject({ mode: 'campaign', json: true, campaign: { files: '30', seconds: '45', seed: '9', disruptions: ['sigkill', 'redis'] } });
    expect(resolveCampaignOptions(campaign.campaign)).toMatchObject({ files: 30, seconds: 45, seed: 9, disruptions: ['sigkill', 'redis'], workers: 3 });
    expect(parseChaosArgs(['--load', '--seconds', '60']).mode).toBe('load');
    expect(() => parseChaosArgs(['--load', '--files', '3'])).toThrow('[chaos] --files is not a --load flag');
    expect(() => parseChaosArgs(['--interval', '3'])).toThrow('[chaos] --interval goes with --load');
    expect(() => parseChaosArgs(['--nope'])).toThrow(UsageError);
  });

  it('refuses bad values in one message form', () => {
    expect(() => resolveCampaignOptions({ files: 0 })).toThrow('[chaos] --files must be a whole number from 1 to 5000, got 0');
    expect(() => resolveCampaignOptions({ seconds: 'soon' as unknown as number })).toThrow('[chaos] --seconds must be a whole number from 10 to 3600, got "soon"');
    expect(() => resolveCampaignOptions({ disruptions: ['flood' as 'redis'] })).toThrow('--disruptions must be a comma-separated list of sigkill, sigterm, redis, token, quota');
    expect(() => resolveCampaignOptions({ faults: 'lightning:0.5' })).toThrow('[chaos] --faults:');
    expect(() => resolveCampaignOptions({ quota: 50, importerQuota: 60 })).toThrow('--importer-quota must be at most --quota (50), got 60');
    expect(() => resolveLoadOptions({ warmup: 2 })).toThrow('[chaos] --warmup must be a number from 0 to 0.9, got 2');
  });

  it('sizes the quota so that the work outlasts the window, the importer under the account', () => {
    expect(resolveCampaignOptions({ seed: 1 })).toMatchObject({ quota: 62, importerQuota: 49, rounds: 2, daySeconds: 30 });
    expect(resolveCampaignOptions({ seed: 1, quota: 100 })).toMatchObject({ quota: 100, importerQuota: 80 });
    expect(resolveCampaignOptions({ seed: 1, importerQuota: 30 })).toMatchObject({ quota: 38, importerQuota: 30 });
  });

  it('prints the command that runs the same campaign again', () => {
    expect(commandOf(resolveCampaignOptions({ seed: 5 }))).toBe('pnpm chaos --seed 5 --files 200 --seconds 180');
    expect(commandOf(resolveCampaignOptions({ seed: 5, files: 50, seconds: 40, workers: 2, disruptions: ['redis'] }))).toBe('pnpm chaos --seed 5 --files 50 --seconds 40 --workers 2 --disruptions redis');
  });
});

describe('what the seed draws', () => {
  it('the same files and the same schedule for the same seed, others for another', () => {
    const a = planFiles(40, createRandom(3, 'files'));
    const b = planFiles(40, createRandom(3, 'files'));
    expect(b.files.map((file) => [file.path, file.sha256])).toEqual(a.files.map((file) => [file.path, file.sha256]));
    expect(planFiles(40, createRandom(4, 'files')).files.map((file) => file.sha256)).not.toEqual(a.files.map((file) => file.sha256));
    const options = { windowMs: 60_000, kinds: ['sigkill', 'redis', 'token'] as const, rounds: 2, workers: 3 };
    expect(planSchedule(options, createRandom(3, 'schedule'))).toEqual(planSchedule(options, createRandom(3, 'schedule')));
  });

  it('every kind of file from 8 files on, a pair counted as two files, each ride three hours apart', () => {
    const plan = planFiles(8, createRandom(1, 'files'));
    expect(plan.files).toHaveLength(8);
    expect(Object.values(describePlan(plan)).every((count) => count > 0)).toBe(true);
    const pair = plan.files.filter((file) => file.kind === 'pair');
    expect(pair).toHaveLength(2);
    expect(pair[0]?.pairWith).toBe(pair[1]?.path);
    const starts = plan.rides.map((ride) => ride.startTime);
    expect(starts.slice(1).map((start, i) => start - (starts[i] as number))).toEqual(starts.slice(1).map(() => 3 * 3_600_000));
  });

  it('a schedule inside the window, one slot per disruption', () => {
    const schedule = planSchedule({ windowMs: 180_000, kinds: ['sigkill', 'sigterm', 'redis', 'token', 'quota'], rounds: 2, workers: 3 }, createRandom(8, 'schedule'));
    expect(schedule).toHaveLength(10);
    expect(schedule.every((item) => item.at >= 8000 && item.at < 180_000)).toBe(true);
    expect([...schedule].sort((x, y) => x.at - y.at).map((item) => item.at)).toEqual(schedule.map((item) => item.at));
  });
});
