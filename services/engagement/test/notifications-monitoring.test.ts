import { describe, expect, it } from 'vitest';
import {
  cadenceFor,
  nextDueOn,
  overdueReviewTasks,
  plannedMonitoringTask,
  rescheduledDueOn,
  validateCadence,
  validateVisitOutcome,
} from '../src/domain/monitoring.ts';
import {
  addressFor,
  afterFailure,
  channelFor,
  dispatchDecision,
  expiryOf,
  languageFor,
  notificationDedupeKey,
  quietUntil,
  renderTemplate,
  retryDelayMs,
  templateLanguages,
  validateNotificationSettings,
  validateTemplate,
} from '../src/domain/notifications.ts';

describe('notification rules', () => {
  it('takes the kind’s channel, else the customer’s preferred one mapped to a notification channel, else SMS', () => {
    expect(channelFor('LETTER', 'EMAIL')).toBe('LETTER');
    expect(channelFor(null, 'EMAIL')).toBe('EMAIL');
    expect(channelFor(null, 'APP')).toBe('PUSH');
    expect(channelFor(null, 'PHONE')).toBe('SMS');
    expect(channelFor(null, 'BRANCH')).toBe('SMS');
    expect(channelFor(null, null)).toBe('SMS');
  });

  it('speaks the customer’s language, else the branch’s, else the default, and looks templates up in it then the default', () => {
    expect(languageFor('fr', 'wo', 'en')).toBe('fr');
    expect(languageFor(null, 'wo', 'en')).toBe('wo');
    expect(languageFor('  ', null, 'en')).toBe('en');
    expect(templateLanguages('fr', 'en')).toEqual(['fr', 'en']);
    expect(templateLanguages('en', 'en')).toEqual(['en']);
  });

  it('renders placeholders and validates templates against the kind’s placeholders, channel length and subject', () => {
    expect(
      renderTemplate('Dear {{customerName}}, {{ amountDue }} {{currency}} on {{dueDate}}.', { customerName: 'Awa', amountDue: '125.50', currency: 'XOF' }),
    ).toBe('Dear Awa, 125.50 XOF on .');
    expect(validateTemplate({ kind: 'DUE_REMINDER', channel: 'SMS', language: 'fr', body: 'Échéance {{dueDate}} : {{amountDue}} {{currency}}' }).ok).toBe(true);
    const bad = validateTemplate({ kind: 'POINTS_EXPIRY', channel: 'EMAIL', language: 'french', body: 'Pay {{amountDue}} by {{dueDate}}' });
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.errors.map((e) => [e.field, e.code])).toEqual([['language', 'INVALID_FORMAT']]);
    const placeholders = validateTemplate({ kind: 'POINTS_EXPIRY', channel: 'EMAIL', language: 'en', body: 'Pay {{amountDue}} by {{dueDate}}' });
    expect(placeholders.ok).toBe(false);
    if (!placeholders.ok)
      expect(placeholders.errors.map((e) => [e.field, e.code])).toEqual([
        ['subject', 'REQUIRED'],
        ['body', 'UNKNOWN_PLACEHOLDER'],
      ]);
    const long = validateTemplate({ kind: 'DUE_REMINDER', channel: 'SMS', language: 'en', body: 'x'.repeat(481) });
    expect(long.ok ? [] : long.errors.map((e) => e.code)).toEqual(['TOO_BIG']);
  });

  it('delivers SMS to the phone, e-mail to the address, letters to a street and city, push through the app', () => {
    const contact = { phone: '+221 77 000 00 00', email: null, addressLine: '12 rue Blanchot', district: 'Plateau', city: 'Dakar', region: null };
    expect(addressFor('SMS', contact)).toBe('+221 77 000 00 00');
    expect(addressFor('EMAIL', contact)).toBeNull();
    expect(addressFor('LETTER', contact)).toBe('12 rue Blanchot, Plateau, Dakar');
    expect(addressFor('LETTER', { ...contact, city: null })).toBeNull();
    expect(addressFor('PUSH', { ...contact, phone: null })).toBe('app');
  });

  it('decides in order: expired, consent, address, then the contact rules (a limit suppresses, hours defer)', () => {
    const now = new Date('2026-12-01T10:00:00Z');
    const ok = { expiresAt: null, requiredConsent: 'MARKETING_CONTACT', consented: true, address: '+1' };
    expect(dispatchDecision(ok, null, now)).toEqual({ send: true });
    expect(dispatchDecision({ ...ok, expiresAt: now, consented: false }, null, now)).toEqual({ send: false, suppress: 'EXPIRED' });
    expect(dispatchDecision({ ...ok, consented: false, address: null }, null, now)).toEqual({ send: false, suppress: 'NO_CONSENT' });
    expect(dispatchDecision({ ...ok, requiredConsent: null, consented: false }, null, now)).toEqual({ send: true });
    expect(dispatchDecision({ ...ok, address: null }, { allowed: false, limit: true }, now)).toEqual({ send: false, suppress: 'NO_CONTACT_ADDRESS' });
    expect(dispatchDecision(ok, { allowed: false, limit: true }, now)).toEqual({ send: false, suppress: 'CONTACT_LIMIT' });
    const until = new Date('2026-12-01T12:00:00Z');
    expect(dispatchDecision(ok, { allowed: false, limit: false, hoursUntil: until }, now)).toEqual({ send: false, deferUntil: until });
  });

  it('finds the end of the quiet hours in the institution’s time zone, windows over midnight included', () => {
    const quiet = { start: '21:00', end: '08:00', timeZone: 'Africa/Dakar' };
    expect(quietUntil(new Date('2026-12-01T22:30:00Z'), quiet)?.toISOString()).toBe('2026-12-02T08:00:00.000Z');
    expect(quietUntil(new Date('2026-12-01T03:15:20Z'), quiet)?.toISOString()).toBe('2026-12-01T08:00:00.000Z');
    expect(quietUntil(new Date('2026-12-01T08:00:00Z'), quiet)).toBeNull();
    expect(quietUntil(new Date('2026-12-01T20:59:59Z'), quiet)).toBeNull();
    // UTC+1: 21:00 local is 20:00Z; 07:59 local (06:59Z) is still quiet until 07:00Z
    const lagos = { start: '21:00', end: '08:00', timeZone: 'Africa/Lagos' };
    expect(quietUntil(new Date('2026-12-01T20:00:00Z'), lagos)?.toISOString()).toBe('2026-12-02T07:00:00.000Z');
    expect(quietUntil(new Date('2026-12-01T06:59:00Z'), lagos)?.toISOString()).toBe('2026-12-01T07:00:00.000Z');
    expect(quietUntil(new Date('2026-12-01T13:00:00Z'), { start: '12:00', end: '14:00', timeZone: 'UTC' })?.toISOString()).toBe('2026-12-01T14:00:00.000Z');
    expect(quietUntil(new Date('2026-12-01T13:00:00Z'), { start: '00:00', end: '00:00', timeZone: 'UTC' })).toBeNull();
  });

  it('retries with a doubling delay up to a day, and fails for good on a refusal or the last attempt', () => {
    expect([1, 2, 3, 10].map((n) => retryDelayMs(n, 15) / 60_000)).toEqual([15, 30, 60, 1440]);
    const now = new Date('2026-12-01T10:00:00Z');
    expect(afterFailure({ attemptsBefore: 0, retryable: true, maxAttempts: 3, baseMinutes: 15 }, now)).toEqual({
      final: false,
      retryAt: new Date('2026-12-01T10:15:00Z'),
    });
    expect(afterFailure({ attemptsBefore: 2, retryable: true, maxAttempts: 3, baseMinutes: 15 }, now)).toEqual({ final: true });
    expect(afterFailure({ attemptsBefore: 0, retryable: false, maxAttempts: 3, baseMinutes: 15 }, now)).toEqual({ final: true });
  });

  it('keys one reminder per instalment and due date, one expiry notice per account and date; expires reminders after the due date', () => {
    const p = { loanId: 'L1', instalmentNumber: '2', dueDate: '2026-12-10', amountDue: '10.00', currency: 'USD' };
    expect(notificationDedupeKey('DUE_REMINDER', p)).toBe('DUE_REMINDER:L1:2:2026-12-10');
    expect(notificationDedupeKey('POINTS_EXPIRY', { accountId: 'A1', expiresOn: '2027-01-31', points: '50' })).toBe('POINTS_EXPIRY:A1:2027-01-31');
    expect(expiryOf('DUE_REMINDER', p)?.toISOString()).toBe('2026-12-11T00:00:00.000Z');
    expect(expiryOf('OVERDUE_NOTICE', p)).toBeNull();
  });

  it('refuses settings with an unknown time zone, a bad time, the same kind twice', () => {
    const r = validateNotificationSettings({
      timeZone: 'Mars/Olympus',
      quietHoursStart: '25:00',
      kinds: [
        { kind: 'DUE_REMINDER', enabled: true },
        { kind: 'DUE_REMINDER', enabled: false },
      ],
    });
    expect(r.ok ? [] : r.errors.map((e) => [e.field, e.code])).toEqual([
      ['timeZone', 'INVALID_VALUE'],
      ['quietHoursStart', 'INVALID_FORMAT'],
    ]);
    const twice = validateNotificationSettings({
      kinds: [
        { kind: 'DUE_REMINDER', enabled: true },
        { kind: 'DUE_REMINDER', enabled: false },
      ],
    });
    expect(twice.ok ? [] : twice.errors.map((e) => e.code)).toEqual(['DUPLICATE_KIND']);
  });
});

describe('monitoring cadence rules', () => {
  const bands = [
    { riskClass: 'NORMAL' as const, minPrincipal: '0.00', visitEveryDays: 180, reviewEveryDays: 365 },
    { riskClass: 'NORMAL' as const, minPrincipal: '1000000.00', visitEveryDays: 90, reviewEveryDays: 180 },
    { riskClass: 'SUBSTANDARD' as const, minPrincipal: '0.00', visitEveryDays: 30, reviewEveryDays: 30 },
  ];

  it('takes the band of the class with the highest minimum not above the principal (unknown principal: 0)', () => {
    expect(cadenceFor(bands, 'NORMAL', '999999.99')?.visitEveryDays).toBe(180);
    expect(cadenceFor(bands, 'NORMAL', '1000000')?.visitEveryDays).toBe(90);
    expect(cadenceFor(bands, 'NORMAL', null)?.reviewEveryDays).toBe(365);
    expect(cadenceFor(bands, 'SUBSTANDARD', '5000000')?.reviewEveryDays).toBe(30);
    expect(cadenceFor(bands, 'LOSS', '10')).toBeNull();
  });

  it('counts the next one from the last one or the disbursement; a class change never moves it before the change', () => {
    expect(nextDueOn({ disbursedOn: '2026-01-10', lastOn: null, everyDays: 30 })).toBe('2026-02-09');
    expect(nextDueOn({ disbursedOn: '2026-01-10', lastOn: '2026-06-01', everyDays: 30 })).toBe('2026-07-01');
    expect(rescheduledDueOn({ disbursedOn: '2026-01-10', lastOn: null, everyDays: 30, changedOn: '2026-05-01' })).toBe('2026-05-01');
    expect(rescheduledDueOn({ disbursedOn: '2026-04-20', lastOn: null, everyDays: 30, changedOn: '2026-05-01' })).toBe('2026-05-20');
  });

  it('plans visits and reviews with the class’s priority, and raises an overdue review to the officer and the branch manager once each', () => {
    const visit = plannedMonitoringTask('VISIT', { loanId: 'L1', customerId: 'C1', assigneeId: 'o-1', riskClass: 'LOSS', dueOn: '2026-12-10' });
    expect(visit).toMatchObject({ type: 'POST_LOAN_VISIT', priority: 'URGENT', cadence: 'VISIT', dueAt: new Date('2026-12-11T00:00:00.000Z') });
    const review = plannedMonitoringTask('REVIEW', { loanId: 'L1', customerId: 'C1', assigneeId: null, riskClass: 'NORMAL', dueOn: '2026-12-10' });
    expect(review).toMatchObject({ type: 'CREDIT_REVIEW', priority: 'NORMAL', cadence: 'REVIEW' });
    const tasks = overdueReviewTasks({
      reviewTaskId: 'T1',
      loanId: 'L1',
      customerId: 'C1',
      dueOn: '2026-12-01',
      officerId: 'o-1',
      branchManagerId: 'bm-1',
      asOf: '2026-12-05',
    });
    expect(tasks.map((t) => [t.assigneeId, t.dedupeKey, t.priority, t.dueAt.toISOString()])).toEqual([
      ['o-1', 'REVIEW_OVERDUE:T1:OFFICER', 'URGENT', '2026-12-08T00:00:00.000Z'],
      ['bm-1', 'REVIEW_OVERDUE:T1:BRANCH_MANAGER', 'URGENT', '2026-12-08T00:00:00.000Z'],
    ]);
  });

  it('refuses a cadence without a band from 0 for every class, or with a band twice', () => {
    const r = validateCadence({ bands: bands.concat([{ ...bands[0], minPrincipal: '0' } as (typeof bands)[number]]) });
    expect(r.ok ? [] : r.errors.map((e) => e.code)).toEqual(['DUPLICATE_BAND', 'MISSING_ZERO_BAND']);
    const tooLong = validateCadence({ bands: [{ riskClass: 'NORMAL', minPrincipal: '0', visitEveryDays: 0, reviewEveryDays: 731 }] });
    expect(tooLong.ok ? [] : tooLong.errors.map((e) => [e.field, e.code])).toEqual([
      ['bands.0.visitEveryDays', 'TOO_SMALL'],
      ['bands.0.reviewEveryDays', 'TOO_BIG'],
    ]);
  });

  it('takes a visit outcome of today or before, needs a note for OTHER, lists each concern once', () => {
    const now = new Date('2026-12-01T10:00:00Z');
    const ok = validateVisitOutcome({ customerMet: true, businessOperating: true, concerns: ['OTHER_DEBTS', 'OTHER_DEBTS'] }, now);
    expect(ok).toEqual({
      ok: true,
      value: { visitedOn: '2026-12-01', customerMet: true, businessOperating: true, fundUseAsDeclared: null, concerns: ['OTHER_DEBTS'], note: null },
    });
    const future = validateVisitOutcome({ customerMet: true, visitedOn: '2026-12-02' }, now);
    expect(future.ok ? [] : future.errors.map((e) => [e.field, e.code])).toEqual([['visitedOn', 'DATE_IN_FUTURE']]);
    const other = validateVisitOutcome({ customerMet: false, concerns: ['OTHER'] }, now);
    expect(other.ok ? [] : other.errors.map((e) => [e.field, e.code])).toEqual([['note', 'REQUIRED']]);
  });
});
