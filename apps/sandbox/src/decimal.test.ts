import { describe, expect, it } from 'vitest';
import { formatDecimal, parseDecimal } from './decimal.js';

describe('numbers without exponents', () => {
  it('reads plain decimals only', () => {
    expect(parseDecimal('12')).toEqual({ value: 12, negative: false, fractionDigits: 0 });
    expect(parseDecimal('-9.1393')).toEqual({ value: -9.1393, negative: true, fractionDigits: 4 });
    expect(parseDecimal('0.500')).toEqual({ value: 0.5, negative: false, fractionDigits: 3 });
    for (const bad of ['1e3', '1E-3', '+1', '.5', '5.', '0x1f', ' 1', '1 ', '', '-', '1.2.3', 'Infinity', '١٢']) expect(parseDecimal(bad), bad).toBeUndefined();
  });

  it('writes every finite number in plain decimal notation', () => {
    expect(formatDecimal(0.0000001)).toBe('0.0000001');
    expect(formatDecimal(1.5e-10)).toBe('0.00000000015');
    expect(formatDecimal(-2.5e-7)).toBe('-0.00000025');
    expect(formatDecimal(1.5e21)).toBe('1500000000000000000000');
    expect(formatDecimal(1e21)).toBe('1000000000000000000000');
    expect(formatDecimal(123.456)).toBe('123.456');
    expect(formatDecimal(-0)).toBe('0');
    for (const value of [0.1, 3.14159, 1e-7, 2.5e-9, 9.87e22, 12345678.9]) expect(Number(formatDecimal(value))).toBe(value);
  });
});
