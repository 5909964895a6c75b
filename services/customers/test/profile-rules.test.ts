import { describe, expect, it } from 'vitest';
import { checkStatusTransition, diffProfile, isStale, validateProfileUpdate } from '../src/domain/profile.ts';

describe('status lifecycle', () => {
  it('allows the transitions of the lifecycle and nothing else', () => {
    expect(checkStatusTransition('PROSPECT', 'ACTIVE')).toBeNull();
    expect(checkStatusTransition('ACTIVE', 'DORMANT')).toBeNull();
    expect(checkStatusTransition('DORMANT', 'ACTIVE')).toBeNull();
    expect(checkStatusTransition('CHURNED', 'ACTIVE')).toBeNull();
    expect(checkStatusTransition('ACTIVE', 'PROSPECT')?.code).toBe('INVALID_STATUS_TRANSITION');
    expect(checkStatusTransition('PROSPECT', 'DORMANT')?.code).toBe('INVALID_STATUS_TRANSITION');
    expect(checkStatusTransition('CHURNED', 'DORMANT')?.code).toBe('INVALID_STATUS_TRANSITION');
    expect(checkStatusTransition('ACTIVE', 'ACTIVE')?.code).toBe('STATUS_UNCHANGED');
  });
});

describe('profile update rules', () => {
  const today = '2026-11-23';
  it('keeps absent fields, clears nulls, normalises values and diffs against the stored ones', () => {
    const r = validateProfileUpdate({ customerId: 'c', individual: { occupation: '  Farmer ', employer: null }, tags: ['b', 'a', 'b'] }, 'INDIVIDUAL', today);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value.map((u) => [u.path, u.value])).toEqual([
      ['tags', ['a', 'b']],
      ['individual.occupation', 'Farmer'],
      ['individual.employer', null],
    ]);
    const stored: Record<string, unknown> = { tags: ['a', 'b'], occupation: 'Trader', employer: null };
    expect(diffProfile(r.value, (_t, column) => stored[column]).map((c) => [c.field, c.oldValue, c.newValue])).toEqual([
      ['individual.occupation', 'Trader', 'Farmer'],
    ]);
  });

  it('names each bad field with a code', () => {
    const r = validateProfileUpdate(
      { individual: { birthDate: '2027-01-01', lastName: null }, contact: { email: 'nope', address: { region: 'x'.repeat(101) } } },
      'INDIVIDUAL',
      today,
    );
    expect(r.ok ? [] : r.errors.map((e) => [e.field, e.code])).toEqual([
      ['individual.lastName', 'REQUIRED'],
      ['individual.birthDate', 'DATE_IN_FUTURE'],
      ['contact.email', 'INVALID_FORMAT'],
      ['contact.address.region', 'TOO_BIG'],
    ]);
  });

  it('counts a profile stale strictly after the period', () => {
    const now = new Date('2026-11-23T00:00:00Z');
    expect(isStale(new Date('2026-08-25T00:00:00Z'), now, 90)).toBe(false);
    expect(isStale(new Date('2026-08-24T23:59:00Z'), now, 90)).toBe(true);
    expect(isStale(null, now, 90)).toBe(true);
  });
});
