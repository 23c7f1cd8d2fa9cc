import { describe, expect, it } from 'vitest';
import { parseBenchArgs } from './options.js';

describe('parseBenchArgs', () => {
  it('defaults to a full run that writes the docs', () => {
    expect(parseBenchArgs([])).toMatchObject({ quick: false, rounds: 5, warmup: 1, memory: true, write: true, fileBudgetSeconds: 12 });
  });

  it('makes --quick short and leaves the docs alone unless --write', () => {
    expect(parseBenchArgs(['--quick'])).toMatchObject({ quick: true, rounds: 3, warmup: 1, write: false });
    expect(parseBenchArgs(['--quick', '--write']).write).toBe(true);
  });

  it('takes --rounds as given, without the per-file time budget', () => {
    expect(parseBenchArgs(['--', '--rounds', '11'])).toMatchObject({ rounds: 11, fileBudgetSeconds: Infinity });
  });

  it('rejects bad values and unknown flags with one message form', () => {
    expect(() => parseBenchArgs(['--rounds', '0'])).toThrow(/^\[bench\] --rounds needs a whole number from 1 to 1000, got "0"/);
    expect(() => parseBenchArgs(['--rounds'])).toThrow(/--rounds needs a whole number/);
    expect(() => parseBenchArgs(['--fast'])).toThrow(/^\[bench\] unknown argument "--fast"/);
  });
});

describe('--only', () => {
  it('runs every section by default, in the canonical order', () => {
    expect(parseBenchArgs([]).sections).toEqual(['parse', 'mapper', 'sandbox', 'uploader', 'pipeline']);
    expect(parseBenchArgs(['--only', 'pipeline']).sections).toEqual(['pipeline']);
    expect(parseBenchArgs(['--only', 'uploader']).sections).toEqual(['uploader']);
    expect(parseBenchArgs(['--only', 'sandbox,mapper']).sections).toEqual(['mapper', 'sandbox']);
    expect(parseBenchArgs(['--only', 'sandbox', '--only', 'parse']).sections).toEqual(['parse', 'sandbox']);
  });

  it('is not a partial run by itself: the sections that ran write their blocks', () => {
    expect(parseBenchArgs(['--only', 'mapper']).write).toBe(true);
    expect(parseBenchArgs(['--only', 'mapper', '--no-memory']).write).toBe(true);
    expect(parseBenchArgs(['--only', 'mapper', '--quick']).write).toBe(false);
  });

  it('rejects an unknown section with the usual message form', () => {
    expect(() => parseBenchArgs(['--only', 'worker'])).toThrow(/^\[bench\] --only takes parse, mapper, sandbox, uploader, pipeline \(comma-separated\), got "worker"/);
    expect(() => parseBenchArgs(['--only'])).toThrow(/--only needs a value/);
  });
});
