import { describe, expect, it } from 'vitest';
import { demoSeed, validateSeed } from './seed.js';

const staff = [{ username: 'a', role: 'admin' }];

describe('validateSeed', () => {
  it('accepts the README example shape and the demo', () => {
    expect(validateSeed(demoSeed('Europe/Lisbon', 5000)).accounts[0]?.staff).toHaveLength(2);
    const seed = validateSeed({
      faults: 'error5xx:0.1',
      faultsSeed: 7,
      accounts: [{ name: 'club', timeZone: 'America/New_York', quota: 100, staff: [...staff, { username: 'c', role: 'coach', token: 't1' }], athletes: [{ firstName: 'A', lastName: 'B', coach: 'c', weight: 60.5 }] }],
    });
    expect(seed.accounts[0]?.athletes?.[0]?.coach).toBe('c');
  });

  it.each([
    [{}, 'accounts'],
    [{ accounts: [{ name: 'x', staff: [] }] }, 'accounts[0].staff'],
    [{ accounts: [{ name: 'x', staff: [{ username: 'a', role: 'owner' }] }] }, 'accounts[0].staff[0].role'],
    [{ accounts: [{ name: 'x', timeZone: 'Nowhere/Land', staff }] }, 'accounts[0].timeZone'],
    [{ accounts: [{ name: 'x', quota: 1.5, staff }] }, 'accounts[0].quota'],
    [{ accounts: [{ name: 'x', staff, athletes: [{ firstName: 'A', lastName: 'B', coach: 'a' }] }] }, 'accounts[0].athletes[0].coach'],
    [{ accounts: [{ name: 'x', staff: [{ username: 'a', role: 'admin', token: 't' }] }, { name: 'y', staff: [{ username: 'b', role: 'admin', token: 't' }] }] }, 'accounts[1].staff[0].token'],
    [{ accounts: [{ name: 'x', staff }, { name: 'x', staff }] }, 'accounts[1].name'],
    [{ accounts: [{ name: 'x', staff, colour: 'red' }] }, "unknown key 'colour'"],
  ])('rejects %j naming %s', (value, where) => {
    expect(() => validateSeed(value)).toThrow(where);
  });
});
