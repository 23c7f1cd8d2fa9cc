/**
 * The load run: its judgement on made-up samples (a flat run passes; a leak, a slowdown, a
 * costlier file each fail their own check), and a short real run — one `work` process, the sandbox,
 * another process submitting through `createImportClient` for 45 s — with no error, every
 * submission settled, and the worker's heap floor flat. The worker's old space is capped (64 MB),
 * so that full collections come often enough for 45 s to show the real floor, and a leak of
 * anything per file would end in an out-of-memory crash; the wall-clock throughput of a shared
 * 2-core machine is noisy, so the short run asks only that it not halve (the CPU a file costs the
 * worker is the steadier measure, and must not grow by a quarter). The heap floor of 30 s after
 * the warm-up swings by ±10 MB with the timing of full collections (seen: a slope of −7 and of +26
 * MB a minute on the same code), so the short run catches only a gross leak — over 40 MB a minute,
 * about 4 KB a file at 10,000 files a minute, which the 64 MB cap also turns into a crash; small
 * leaks are for the 300 s run of docs/reliability.md, judged at 1 MB a minute.
 */
import { describe, expect, it } from 'vitest';
import { formatLoad, judgeLoad, runLoad, slope } from './load.js';
import type { LoadSample } from './load.js';

const LIMITS = { interval: 5, warmup: 0.25, minThroughputRatio: 0.75, maxRssSlope: 1, maxHeapSlope: 1, maxCpuGrowth: 1.25, seconds: 120 };

/** One sample a second for 120 s: `rate` files/s, RSS and heap from the functions, 4 ms of worker CPU a file. */
function samples(rate: (t: number) => number, rss: (t: number) => number, heap: (t: number) => number, cpuPerFile: (t: number) => number = () => 4): LoadSample[] {
  const out: LoadSample[] = [];
  let settled = 0;
  let cpu = 0;
  for (let t = 0; t <= 120; t += 1) {
    if (t > 0) {
      settled += rate(t);
      cpu += rate(t) * cpuPerFile(t);
    }
    out.push({ t, settled, rssMb: rss(t), heapUsedMb: heap(t), workerCpuMs: cpu, sandboxCpuMs: cpu / 2, redisMb: t });
  }
  return out;
}

const broken = (list: ReturnType<typeof judgeLoad>['checks']): string[] => list.filter((check) => check.ok === false).map((check) => check.id);

describe('the load judgement', () => {
  it('fits a slope', () => {
    expect(slope([[0, 1], [1, 3], [2, 5]])).toBeCloseTo(2);
    expect(slope([[0, 4]])).toBe(0);
  });

  it('passes a flat run: steady throughput, RSS with noise, a heap sawtooth on a flat floor', () => {
    const judged = judgeLoad(samples(() => 80, (t) => 150 + (t % 7), (t) => 30 + (t % 10) * 5), LIMITS);
    expect(broken(judged.checks)).toEqual([]);
    expect(judged.intervals).toHaveLength(24);
    expect(judged.throughput.ratio).toBeCloseTo(1);
  });

  it('fails a leak (RSS and the heap floor growing 5 MB a minute)', () => {
    const judged = judgeLoad(samples(() => 80, (t) => 150 + t / 12, (t) => 30 + t / 12 + (t % 10) * 5), LIMITS);
    expect(broken(judged.checks)).toEqual(['rss', 'heap']);
  });

  it('fails a slowdown, and a file that costs the worker more and more', () => {
    expect(broken(judgeLoad(samples((t) => (t < 60 ? 80 : 40), () => 150, () => 30), LIMITS).checks)).toEqual(['throughput']);
    expect(broken(judgeLoad(samples(() => 80, () => 150, () => 30, (t) => 4 + t / 20), LIMITS).checks)).toEqual(['cpu-per-file']);
  });
});

describe('pnpm chaos --load, a short run', () => {
  it('a sustained stream from another process: no error, every submission settled, the heap floor flat', async () => {
    const report = await runLoad({ seconds: 45, interval: 5, warmup: 0.35, seed: 5, workerHeapMb: 64, minThroughputRatio: 0.5, maxRssSlope: 30, maxHeapSlope: 40, maxCpuGrowth: 1.25 });
    const text = formatLoad(report).join('\n');
    console.log(text);
    expect(report.checks.filter((check) => check.ok === false), text).toEqual([]);
    expect(report.settled).toBeGreaterThan(500);
  }, 75_000);
});
