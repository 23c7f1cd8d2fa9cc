import { describe, expect, it } from 'vitest';
import { median, percentile, rotate, spreadPercent } from './stats.js';

describe('median', () => {
  it('takes the middle value, or the mean of the middle two', () => {
    expect(median([5, 1, 3])).toBe(3);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([])).toBeNaN();
  });
});

describe('spreadPercent', () => {
  it('is the median absolute deviation as a share of the median', () => {
    expect(spreadPercent([10, 10, 10])).toBe(0);
    expect(spreadPercent([9, 10, 11])).toBeCloseTo(10);
  });
});

describe('rotate', () => {
  it('starts round r with item r, so no contender always runs first', () => {
    expect(rotate(['a', 'b', 'c'], 0)).toEqual(['a', 'b', 'c']);
    expect(rotate(['a', 'b', 'c'], 1)).toEqual(['b', 'c', 'a']);
    expect(rotate(['a', 'b', 'c'], 5)).toEqual(['c', 'a', 'b']);
    expect(rotate([], 3)).toEqual([]);
  });
});

describe('percentile', () => {
  it('takes the nearest rank: p95 of 20 values is the 19th smallest', () => {
    const values = Array.from({ length: 20 }, (_, i) => 20 - i);
    expect(percentile(values, 95)).toBe(19);
    expect(percentile(values, 50)).toBe(10);
    expect(percentile(values, 100)).toBe(20);
    expect(percentile([7], 95)).toBe(7);
    expect(percentile([], 95)).toBeNaN();
  });
});
