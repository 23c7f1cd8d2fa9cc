import { gzipSync } from 'node:zlib';
import { buildZip } from '@optimo-import/fixtures';
import { describe, expect, it } from 'vitest';
import { containerKind, gunzip, unsafeNameReason, unzip } from './containers.js';
import { isParseError } from './errors.js';
import type { ParseError } from './errors.js';
import { DEFAULT_LIMITS } from './types.js';

const text = (s: string): Uint8Array => new TextEncoder().encode(s);
const limits = { ...DEFAULT_LIMITS, maxFileBytes: 1024 * 1024, maxDecompressedBytes: 2 * 1024 * 1024 };

function thrown(fn: () => unknown): ParseError {
  try {
    fn();
  } catch (error) {
    if (isParseError(error)) return error;
    throw error;
  }
  throw new Error('expected a ParseError');
}

describe('containerKind', () => {
  it('tells gzip and zip by their magic bytes, not by name', () => {
    expect(containerKind(gzipSync(text('x')))).toBe('gzip');
    expect(containerKind(buildZip([{ name: 'a.fit', bytes: text('x') }]))).toBe('zip');
    expect(containerKind(text('<?xml version="1.0"?>'))).toBeUndefined();
    expect(containerKind(new Uint8Array(0))).toBeUndefined();
  });
});

describe('gunzip', () => {
  it('inflates a .gz', () => {
    expect(new TextDecoder().decode(gunzip(gzipSync(text('hello')), 'a.gz', limits))).toBe('hello');
  });
  it('refuses a gzip bomb with too-large, without inflating it all', () => {
    const bomb = gzipSync(new Uint8Array(limits.maxFileBytes + 10));
    const error = thrown(() => gunzip(bomb, 'bomb.gpx.gz', limits));
    expect(error.code).toBe('too-large');
    expect(error.message).toContain('bomb.gpx.gz');
  });
  it('reports a cut-short .gz as truncated', () => {
    const gz = gzipSync(text('hello world, hello world, hello world'));
    expect(thrown(() => gunzip(gz.subarray(0, gz.length - 12), 'cut.gz', limits)).code).toBe('truncated');
  });
});

describe('unzip', () => {
  it('names every entry archive!entry and skips folders', () => {
    const zip = buildZip([
      { name: 'rides/', bytes: new Uint8Array(0), method: 0 },
      { name: 'rides/a.gpx', bytes: text('aaa') },
      { name: 'b.tcx', bytes: text('bbb'), method: 0 },
    ]);
    const entries = unzip(zip, 'export.zip', limits);
    expect(entries.map((e) => e.name)).toEqual(['export.zip!rides/a.gpx', 'export.zip!b.tcx']);
    expect(new TextDecoder().decode(entries[0]?.bytes)).toBe('aaa');
  });
  it.each(['../../x.fit', '/etc/passwd', 'C:\\x.fit', 'a/../../b.fit', 'bad\nname.fit'])('refuses the unsafe name %j', (name) => {
    const [entry] = unzip(buildZip([{ name, bytes: text('x') }]), 'evil.zip', limits);
    expect(entry?.bytes).toBeUndefined();
    expect(entry?.error?.code).toBe('corrupt');
    expect(entry?.error?.message).toMatch(/unsafe entry name/);
  });
  it('refuses an entry that declares a small size but inflates past the cap (zip bomb)', () => {
    const zip = buildZip([{ name: 'bomb.fit', bytes: new Uint8Array(limits.maxFileBytes + 1), declaredSize: 100 }]);
    const [entry] = unzip(zip, 'bomb.zip', limits);
    expect(entry?.error?.code).toBe('too-large');
  });
  it('stops at the total decompressed budget', () => {
    const big = new Uint8Array(900 * 1024);
    const entries = unzip(
      buildZip([
        { name: '1.fit', bytes: big },
        { name: '2.fit', bytes: big },
        { name: '3.fit', bytes: big },
      ]),
      'many.zip',
      limits,
    );
    expect(entries.map((e) => (e.error ? e.error.code : 'ok'))).toEqual(['ok', 'ok', 'too-large']);
  });
  it('detects a CRC mismatch', () => {
    const zip = buildZip([{ name: 'a.fit', bytes: text('hello'), method: 0 }]);
    const at = 30 + 'a.fit'.length;
    zip[at] = zip[at]! ^ 0xff; // flip the first data byte
    expect(unzip(zip, 'crc.zip', limits)[0]?.error?.message).toMatch(/CRC-32/);
  });
  it('reports a zip without its central directory as truncated', () => {
    const zip = buildZip([{ name: 'a.fit', bytes: text('hello') }]);
    expect(thrown(() => unzip(zip.subarray(0, 20), 'cut.zip', limits)).code).toBe('truncated');
  });
  it('refuses too many entries', () => {
    const zip = buildZip(Array.from({ length: 5 }, (_, i) => ({ name: `${i}.fit`, bytes: text('x') })));
    expect(thrown(() => unzip(zip, 'many.zip', { ...limits, maxArchiveEntries: 4 })).code).toBe('too-large');
  });
});

describe('unsafeNameReason', () => {
  it('accepts plain relative paths', () => {
    expect(unsafeNameReason('activities/123.fit.gz')).toBeUndefined();
    expect(unsafeNameReason('a..b.fit')).toBeUndefined();
  });
});
