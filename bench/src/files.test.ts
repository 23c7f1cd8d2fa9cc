import { describe, expect, it } from 'vitest';
import { countChainedFitParts } from './files.js';

function fitHeader(dataSize: number): number[] {
  const header = [14, 0x10, 0, 0, dataSize & 0xff, (dataSize >> 8) & 0xff, 0, 0, 0x2e, 0x46, 0x49, 0x54, 0, 0];
  return [...header, ...new Array<number>(dataSize + 2).fill(0)];
}

describe('countChainedFitParts', () => {
  it('counts FIT files laid one after another', () => {
    expect(countChainedFitParts(Uint8Array.from(fitHeader(10)))).toBe(1);
    expect(countChainedFitParts(Uint8Array.from([...fitHeader(10), ...fitHeader(300)]))).toBe(2);
  });

  it('says 1 for bytes that are not FIT', () => {
    expect(countChainedFitParts(new TextEncoder().encode('<?xml version="1.0"?><gpx/>'))).toBe(1);
  });
});
