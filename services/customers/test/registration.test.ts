import { describe, expect, it } from 'vitest';
import { displayNameOf, maskNationalId, validateRegistration } from '../src/domain/registration.ts';

const today = '2026-11-23';

describe('registration rules', () => {
  it('normalises an individual: trims names, defaults the status to PROSPECT', () => {
    const r = validateRegistration(
      { kind: 'INDIVIDUAL', branchId: 'BR-1', individual: { firstName: '  Amina ', lastName: 'Diallo', birthDate: '1988-04-12' } },
      today,
    );
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value.status).toBe('PROSPECT');
    expect(displayNameOf(r.value)).toBe('Amina Diallo');
  });

  it('names each offending field with a code', () => {
    const r = validateRegistration(
      { kind: 'INDIVIDUAL', branchId: '', individual: { firstName: '', lastName: 'D', birthDate: '2027-01-01' }, contact: { email: 'not-an-email' } },
      today,
    );
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.errors.map((e) => [e.field, e.code])).toEqual(
      expect.arrayContaining([
        ['branchId', 'TOO_SMALL'],
        ['individual.firstName', 'TOO_SMALL'],
        ['individual.birthDate', 'DATE_IN_FUTURE'],
        ['contact.email', 'INVALID_FORMAT'],
      ]),
    );
  });

  it('requires the profile that matches the kind, and only that one', () => {
    const noProfile = validateRegistration({ kind: 'ENTERPRISE', branchId: 'BR-1' }, today);
    expect(noProfile.ok ? [] : noProfile.errors).toEqual([expect.objectContaining({ field: 'enterprise', code: 'REQUIRED' })]);
    const both = validateRegistration(
      { kind: 'INDIVIDUAL', branchId: 'BR-1', individual: { firstName: 'A', lastName: 'B' }, enterprise: { legalName: 'X', registrationNumber: 'R' } },
      today,
    );
    expect(both.ok ? [] : both.errors).toEqual([expect.objectContaining({ field: 'enterprise', code: 'NOT_ALLOWED' })]);
  });

  it('accepts a birth date of today but not a status beyond ACTIVE', () => {
    expect(validateRegistration({ kind: 'INDIVIDUAL', branchId: 'B', individual: { firstName: 'A', lastName: 'B', birthDate: today } }, today).ok).toBe(true);
    const churned = validateRegistration({ kind: 'INDIVIDUAL', branchId: 'B', status: 'CHURNED', individual: { firstName: 'A', lastName: 'B' } }, today);
    expect(churned.ok ? [] : churned.errors.map((e) => e.field)).toEqual(['status']);
  });

  it('masks all but the last four characters of a national id', () => {
    expect(maskNationalId('CM12345678')).toBe('******5678');
    expect(maskNationalId('1234')).toBe('1234');
  });
});
