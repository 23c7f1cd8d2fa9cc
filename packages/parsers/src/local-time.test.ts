import { describe, expect, it } from 'vitest';
import { machineTimeZone, resolveLocalStart } from './local-time.js';

const wall = (text: string): number => Date.parse(`${text}Z`);

describe('resolveLocalStart', () => {
  it('reads a plain wall-clock time in the configured zone, with its offset', () => {
    const start = resolveLocalStart(wall('2024-07-01T09:30:00'), 'Europe/Lisbon');
    expect(new Date(start.utcMs).toISOString()).toBe('2024-07-01T08:30:00.000Z');
    expect(start.offsetMinutes).toBe(60);
    expect(start.zoneSource).toBe('configured');
    expect(start.warning).toBeUndefined();
  });

  it('moves a time in the spring gap forward, with a warning, the same every time', () => {
    const a = resolveLocalStart(wall('2024-03-31T02:30:00'), 'Europe/Berlin');
    const b = resolveLocalStart(wall('2024-03-31T02:30:00'), 'Europe/Berlin');
    expect(a).toEqual(b);
    expect(new Date(a.utcMs).toISOString()).toBe('2024-03-31T01:30:00.000Z');
    expect(a.offsetMinutes).toBe(120);
    expect(a.warning?.code).toBe('dst-gap');
    expect(a.warning?.message).toMatch(/2024-03-31 02:30:00 does not exist in Europe\/Berlin/);
  });

  it('reads a time in the autumn overlap as the first occurrence, with a warning', () => {
    const start = resolveLocalStart(wall('2024-10-27T02:30:00'), 'Europe/Berlin');
    expect(new Date(start.utcMs).toISOString()).toBe('2024-10-27T00:30:00.000Z');
    expect(start.offsetMinutes).toBe(120);
    expect(start.warning?.code).toBe('dst-overlap');
  });

  it('a time just outside the overlap has no warning', () => {
    expect(resolveLocalStart(wall('2024-10-27T03:00:00'), 'Europe/Berlin').warning).toBeUndefined();
    expect(resolveLocalStart(wall('2024-10-27T01:59:59'), 'Europe/Berlin').warning).toBeUndefined();
  });

  it('southern hemisphere and half-hour zones', () => {
    const sydney = resolveLocalStart(wall('2024-10-06T02:30:00'), 'Australia/Sydney');
    expect(sydney.warning?.code).toBe('dst-gap');
    const adelaide = resolveLocalStart(wall('2024-04-07T02:45:00'), 'Australia/Adelaide');
    expect(adelaide.warning?.code).toBe('dst-overlap');
    expect(resolveLocalStart(wall('2024-01-10T12:00:00'), 'Asia/Kolkata').offsetMinutes).toBe(330);
  });

  it('without a zone: the machine zone, said in a warning unless a DST warning takes its place', () => {
    const start = resolveLocalStart(wall('2024-01-10T12:00:00'), undefined);
    expect(start.timeZone).toBe(machineTimeZone());
    expect(start.zoneSource).toBe('machine');
    expect(start.warning?.code).toBe('zone-assumed');
  });

  it('follows a TZ changed while running (the zone is remembered per TZ, not once for all)', () => {
    const before = process.env.TZ;
    try {
      process.env.TZ = 'Asia/Tokyo';
      expect(machineTimeZone()).toBe('Asia/Tokyo');
      expect(resolveLocalStart(wall('2024-01-10T12:00:00'), undefined).offsetMinutes).toBe(540);
      process.env.TZ = 'America/Sao_Paulo';
      expect(machineTimeZone()).toBe('America/Sao_Paulo');
    } finally {
      if (before === undefined) delete process.env.TZ;
      else process.env.TZ = before;
    }
  });
});
