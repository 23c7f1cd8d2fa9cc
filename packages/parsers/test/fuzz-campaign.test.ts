/**
 * The fuzz campaign's regression fixtures and engine: every input a campaign once saw crash
 * (test/regressions/<target>/*.bin) is run again and must end in workouts that validate or a
 * ParseError, quickly; and a short campaign on every target, with the same seed twice, finds
 * nothing and does the same thing both times.
 */
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createTarget, execute, runTarget, targetIds } from './fuzz-campaign-engine.js';
import type { FuzzTargetId } from './fuzz-campaign-engine.js';
import { MAX_INPUT_BYTES, mutateBytes, STRUCTURE_MUTATORS } from './fuzz-campaign-mutators.js';
import { mulberry32 } from '@optimo-import/fixtures';

const REGRESSIONS = join(import.meta.dirname, 'regressions');

function regressionFixtures(): Array<[string, FuzzTargetId, string]> {
  if (!existsSync(REGRESSIONS)) return [];
  const out: Array<[string, FuzzTargetId, string]> = [];
  for (const target of readdirSync(REGRESSIONS).sort()) {
    if (!targetIds().includes(target as FuzzTargetId)) continue;
    for (const file of readdirSync(join(REGRESSIONS, target)).sort()) if (file.endsWith('.bin')) out.push([`${target}/${file}`, target as FuzzTargetId, join(REGRESSIONS, target, file)]);
  }
  return out;
}

describe('fuzz regressions: inputs that once crashed a parser', () => {
  const fixtures = regressionFixtures();
  it('the folder holds only known targets', () => {
    const folders = existsSync(REGRESSIONS) ? readdirSync(REGRESSIONS).filter((name) => !name.includes('.')) : [];
    expect(folders.filter((name) => !targetIds().includes(name as FuzzTargetId))).toEqual([]);
  });
  const targets = new Map<FuzzTargetId, ReturnType<typeof createTarget>>();
  it.each(fixtures)('%s ends in workouts or a ParseError, in under 1 s', (_label, id, path) => {
    let target = targets.get(id);
    if (target === undefined) targets.set(id, (target = createTarget(id)));
    const input = new Uint8Array(readFileSync(path));
    execute(target, input, Infinity); // warm the code paths up: the bound is about the input, not the JIT
    const { outcome, ms } = execute(target, input, 1000);
    expect(outcome.status === 'crash' ? `${outcome.crash.kind}: ${outcome.crash.message}` : 'no crash', `${ms.toFixed(0)} ms`).toBe('no crash');
  });
});

describe('fuzz campaign engine', () => {
  it.each(targetIds())('%s: 400 executions with coverage find nothing and keep inputs that reached new code', async (id) => {
    const report = await runTarget(createTarget(id), { seed: 7, executions: 400, coverage: true, slowMs: 2000 });
    expect(report.crashes.map((c) => `${c.crash.kind}: ${c.crash.message}`)).toEqual([]);
    expect(report.mutatorErrors).toBe(0);
    expect(report.executions).toBe(400);
    expect(report.reached).toBeGreaterThan(50);
    expect(report.kept.coverage).toBeGreaterThan(0);
    expect(report.corpus).toBeGreaterThan(createTarget(id).seeds.length);
  });

  it('the same seed and execution budget make the same campaign', async () => {
    const a = await runTarget(createTarget('gpx'), { seed: 11, executions: 300, coverage: false });
    const b = await runTarget(createTarget('gpx'), { seed: 11, executions: 300, coverage: false });
    expect(a.outcomes).toEqual(b.outcomes);
    expect(a.corpus).toBe(b.corpus);
    const c = await runTarget(createTarget('gpx'), { seed: 12, executions: 300, coverage: false });
    expect(c.outcomes).not.toEqual(a.outcomes);
  });

  it('mutators are pure functions of their inputs and the PRNG, and never grow an input past the cap', () => {
    const seeds = createTarget('containers').seeds;
    for (const [family, mutate] of Object.entries({ bytes: mutateBytes, ...STRUCTURE_MUTATORS })) {
      const input = family === 'container' || family === 'bytes' ? (seeds[0] as Uint8Array) : (createTarget(family === 'fit' ? 'fit' : family === 'xml' ? 'tcx' : family === 'json' ? 'polar-json' : 'csv').seeds[0] as Uint8Array);
      const one = mulberry32(3);
      const two = mulberry32(3);
      for (let i = 0; i < 50; i++) {
        const x = mutate(input, input, one);
        const y = mutate(input, input, two);
        expect(Buffer.from(x).equals(Buffer.from(y)), family).toBe(true);
        expect(x.length).toBeLessThanOrEqual(MAX_INPUT_BYTES);
      }
    }
  });
});
