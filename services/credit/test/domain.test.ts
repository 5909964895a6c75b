import { describe, expect, it } from 'vitest';
import { allocateRepayment, instalmentPaidTotals, type OpenInstalment } from '../src/domain/allocation.ts';
import { bucketOf, instalmentDaysPastDue, loanDaysPastDue, penaltyDue, riskClassOf, validateThresholds } from '../src/domain/delinquency.ts';
import { Money } from '../src/domain/money.ts';
import { restructureSchedule, type ScheduledInstalment } from '../src/domain/restructuring.ts';
import { nextReviewDue, reviewIntervalDays } from '../src/domain/reviews.ts';
import { firedSnapshotRules } from '../src/domain/snapshot-rules.ts';
import { escalationCutoff, nextWarningStatus } from '../src/domain/warnings.ts';

const m = (v: string) => new Money(v);
const inst = (number: number, dueDate: string, principal: string, interest: string, over: Partial<OpenInstalment> = {}): OpenInstalment => ({
  number,
  dueDate,
  principal: m(principal),
  interest: m(interest),
  penalty: m('0'),
  principalPaid: m('0'),
  interestPaid: m('0'),
  penaltyPaid: m('0'),
  ...over,
});

describe('allocation: penalty, then interest, then principal, oldest instalment first', () => {
  const open = [
    inst(1, '2026-01-10', '100.00', '10.00', { penalty: m('2.50') }),
    inst(2, '2026-02-10', '100.00', '9.00', { penalty: m('1.00') }),
    inst(3, '2026-03-10', '100.00', '8.00'),
    inst(4, '2026-04-10', '100.00', '7.00'),
  ];
  it('settles the oldest instalment entirely before touching the next', () => {
    const r = allocateRepayment(open, m('120.00'), '2026-02-15', 'REFUSE');
    if (!r.ok) throw new Error(r.message);
    // 1: 2.50 + 10.00 + 100.00 = 112.50 settled; 2: penalty 1.00, interest 6.50 of 9.00.
    expect(r.value.lines.map((l) => [l.number, l.penalty.toFixed(2), l.interest.toFixed(2), l.principal.toFixed(2), l.settles])).toEqual([
      [1, '2.50', '10.00', '100.00', true],
      [2, '1.00', '6.50', '0.00', false],
    ]);
    expect(r.value.penalty.plus(r.value.interest).plus(r.value.principal).toFixed(2)).toBe('120.00');
  });
  it('covers the next instalment not yet due, and refuses more under REFUSE', () => {
    // Due by 15 Feb: 1 and 2 (222.50) + the next, 3 (108.00) = 330.50.
    expect(allocateRepayment(open, m('330.50'), '2026-02-15', 'REFUSE').ok).toBe(true);
    expect(allocateRepayment(open, m('330.51'), '2026-02-15', 'REFUSE')).toMatchObject({ ok: false, code: 'OVERPAYMENT_REFUSED' });
  });
  it('books a prepayment on the next instalment (the schedule after it is re-amortised), and never takes more principal than is owed', () => {
    const r = allocateRepayment(open, m('430.50'), '2026-02-15', 'REDUCE_LAST_INSTALMENTS');
    if (!r.ok) throw new Error(r.message);
    expect(r.value.prepaid.toFixed(2)).toBe('100.00');
    expect(r.value.prepaidOn).toBe(3);
    expect(r.value.lines.at(-1)).toMatchObject({ number: 3, settles: true });
    expect(r.value.lines.at(-1)?.principal.toFixed(2)).toBe('200.00');
    expect(r.value.lines.every((l) => l.interestWaived.isZero())).toBe(true);
    expect(allocateRepayment(open, m('430.51'), '2026-02-15', 'REDUCE_LAST_INSTALMENTS')).toMatchObject({ ok: false, code: 'EXCEEDS_BALANCE' });
  });
  it('totals what an instalment received by part, earlier repayments included', () => {
    // Instalment 2 had penalty 1.00 and interest 6.50 from an earlier payment; 10.00 more pays
    // the other 2.50 of interest and 7.50 of principal: interest 6.50 + 2.50 = 9.00, penalty 1.00.
    const partly = inst(2, '2026-02-10', '100.00', '9.00', { penalty: m('1.00'), penaltyPaid: m('1.00'), interestPaid: m('6.50') });
    const r = allocateRepayment([partly], m('10.00'), '2026-02-15', 'REFUSE');
    if (!r.ok) throw new Error(r.message);
    const [line] = r.value.lines;
    if (!line) throw new Error('no allocation line');
    const t = instalmentPaidTotals(partly, line);
    expect([t.penalty.toFixed(2), t.interest.toFixed(2), t.principal.toFixed(2), t.total.toFixed(2)]).toEqual(['1.00', '9.00', '7.50', '17.50']);
  });
});

describe('delinquency rules', () => {
  it('counts days past due from the oldest unpaid instalment, 0 on the due date and once paid', () => {
    const schedule = [
      { dueDate: '2026-01-31', unpaid: '0.00' },
      { dueDate: '2026-02-28', unpaid: '10.00' },
      { dueDate: '2026-03-31', unpaid: '100.00' },
    ];
    expect(['2026-02-28', '2026-03-01', '2026-03-31', '2026-04-01'].map((d) => loanDaysPastDue(schedule, d))).toEqual([0, 1, 31, 32]);
    expect(instalmentDaysPastDue({ dueDate: '2026-01-31', unpaid: '0.00' }, '2026-04-01')).toBe(0);
    expect(loanDaysPastDue([], '2026-04-01')).toBe(0);
  });
  it('charges penalty after the grace days, rounded half up at the currency minor unit', () => {
    // 1000 * 0.365 * (10 - 3) / 365 = 7
    expect(penaltyDue({ unpaid: '1000.00', penaltyRate: '0.365', dpd: 10, graceDays: 3, currency: 'USD' })).toBe('7.00');
    expect(penaltyDue({ unpaid: '1000.00', penaltyRate: '0.365', dpd: 3, graceDays: 3, currency: 'USD' })).toBe('0.00');
    // 12345 * 0.2 * 5 / 365 = 33.8219... XOF has no decimals, written with 2
    expect(penaltyDue({ unpaid: '12345', penaltyRate: '0.2', dpd: 5, graceDays: 0, currency: 'XOF' })).toBe('34.00');
    // 100.5 * 0.365 * 1 / 365 = 0.1005 -> 0.101 in KWD (3 decimals, half up)
    expect(penaltyDue({ unpaid: '100.500', penaltyRate: '0.365', dpd: 1, graceDays: 0, currency: 'KWD' })).toBe('0.101');
  });
  it('buckets DPD at the bounds', () => {
    expect([0, 1, 30, 31, 60, 61, 90, 91, 400].map(bucketOf)).toEqual([
      'CURRENT',
      'DPD_1_30',
      'DPD_1_30',
      'DPD_31_60',
      'DPD_31_60',
      'DPD_61_90',
      'DPD_61_90',
      'DPD_90_PLUS',
      'DPD_90_PLUS',
    ]);
  });
  it('classifies by a threshold table and validates a new one', () => {
    const t = [
      { riskClass: 'NORMAL' as const, minDpd: 0 },
      { riskClass: 'SPECIAL_MENTION' as const, minDpd: 8 },
      { riskClass: 'SUBSTANDARD' as const, minDpd: 31 },
      { riskClass: 'DOUBTFUL' as const, minDpd: 61 },
      { riskClass: 'LOSS' as const, minDpd: 91 },
    ];
    expect([0, 7, 8, 31, 90, 91].map((d) => riskClassOf(d, t))).toEqual(['NORMAL', 'NORMAL', 'SPECIAL_MENTION', 'SUBSTANDARD', 'DOUBTFUL', 'LOSS']);
    expect(validateThresholds(t.map((x) => ({ riskClass: x.riskClass, minDaysPastDue: x.minDpd })))).toEqual([]);
    expect(validateThresholds([{ riskClass: 'NORMAL', minDaysPastDue: 0 }])[0]?.code).toBe('INCOMPLETE');
    expect(validateThresholds(t.map((x) => ({ riskClass: x.riskClass, minDaysPastDue: x.riskClass === 'DOUBTFUL' ? 20 : x.minDpd })))[0]?.code).toBe(
      'NOT_INCREASING',
    );
  });
  it('takes the review interval of the loan class band with the highest minimum principal not above the principal', () => {
    // the cadence as migration 0045 seeds it (engagement's table until someone edits it)
    const bands = [
      { riskClass: 'NORMAL', minPrincipal: '0', reviewEveryDays: 365 },
      { riskClass: 'NORMAL', minPrincipal: '1000000', reviewEveryDays: 180 },
      { riskClass: 'SPECIAL_MENTION', minPrincipal: '0', reviewEveryDays: 90 },
      { riskClass: 'DOUBTFUL', minPrincipal: '0', reviewEveryDays: 30 },
    ];
    expect([
      reviewIntervalDays(bands, '500', 'DOUBTFUL'),
      reviewIntervalDays(bands, '5000000', 'SPECIAL_MENTION'),
      reviewIntervalDays(bands, '1000000', 'NORMAL'),
      reviewIntervalDays(bands, '999999.99', 'NORMAL'),
      reviewIntervalDays(bands, '500', 'LOSS'),
    ]).toEqual([30, 90, 180, 365, null]);
    expect(nextReviewDue(bands, '2026-01-31', '1000000.00', 'NORMAL')).toBe('2026-07-30');
  });
});

describe('warnings', () => {
  it('follows the workflow and refuses the rest', () => {
    expect(nextWarningStatus('OPEN', 'ACKNOWLEDGE', null)).toEqual({ ok: true, to: 'ACKNOWLEDGED' });
    expect(nextWarningStatus('ESCALATED', 'RESOLVE', 'paid up')).toEqual({ ok: true, to: 'RESOLVED' });
    expect(nextWarningStatus('RESOLVED', 'ACKNOWLEDGE', null)).toMatchObject({ ok: false });
    expect(nextWarningStatus('ACTION_TAKEN', 'ESCALATE', null)).toMatchObject({ ok: false });
  });
  it('escalates up to the end of the as-of date, never past the present', () => {
    expect(escalationCutoff('2026-03-01', new Date('2026-03-05T00:00:00Z')).toISOString()).toBe('2026-03-02T00:00:00.000Z');
    expect(escalationCutoff('2026-03-01', new Date('2026-03-01T12:00:00Z')).toISOString()).toBe('2026-03-01T12:00:00.000Z');
  });
  it('fires income and score rules at their thresholds only', () => {
    const rules = [
      { code: 'INCOME', kind: 'INCOME_DROP' as const, threshold: '0.30' },
      { code: 'SCORE', kind: 'SCORE_DROP' as const, threshold: '50' },
    ];
    const base = { monthlyIncome: '700', previousMonthlyIncome: '1000', asOf: '2026-03-01', externalCreditScore: 600, previousExternalCreditScore: 650 };
    expect(firedSnapshotRules({ ...base, incomeChangeRatio: '-0.3000' }, rules).map((f) => f.code)).toEqual(['INCOME', 'SCORE']);
    expect(firedSnapshotRules({ ...base, incomeChangeRatio: '-0.2999', previousExternalCreditScore: 649 }, rules)).toEqual([]);
  });
});

describe('restructuring', () => {
  const row = (number: number, dueDate: string, paidOn: string | null): ScheduledInstalment => ({
    number,
    dueDate,
    principal: m('100.00'),
    interest: m('3.00'),
    principalPaid: m(paidOn ? '100.00' : '0'),
    interestPaid: m(paidOn ? '3.00' : '0'),
    penalty: m('0'),
    penaltyPaid: m('0'),
    paidOn,
  });
  const terms = {
    annualRate: m('0.12'),
    frequency: 'MONTHLY' as const,
    method: 'EQUAL_PRINCIPAL' as const,
    dayCount: 'THIRTY_360' as const,
    disbursedOn: '2026-01-31',
    scale: 2,
  };
  const current = [row(1, '2026-02-28', '2026-02-27'), row(2, '2026-03-31', null), row(3, '2026-04-30', null)];
  it('defers the open instalments by N periods, keeping month ends', () => {
    const r = restructureSchedule(current, { kind: 'PAYMENT_HOLIDAY', instalments: 2, newRate: null, effectiveOn: '2026-03-15' }, terms);
    if (!r.ok) throw new Error(r.message);
    expect(r.schedule.map((i) => i.dueDate)).toEqual(['2026-02-28', '2026-05-31', '2026-06-30']);
  });
  it('restructures from the version in force: a second holiday moves the instalments on from where the first left them', () => {
    const first = restructureSchedule(current, { kind: 'PAYMENT_HOLIDAY', instalments: 2, newRate: null, effectiveOn: '2026-03-15' }, terms);
    if (!first.ok) throw new Error(first.message);
    const second = restructureSchedule(first.schedule, { kind: 'PAYMENT_HOLIDAY', instalments: 1, newRate: null, effectiveOn: '2026-04-01' }, terms);
    if (!second.ok) throw new Error(second.message);
    expect(second.schedule.map((i) => i.dueDate)).toEqual(['2026-02-28', '2026-06-30', '2026-07-31']);
    const extended = restructureSchedule(first.schedule, { kind: 'TERM_EXTENSION', instalments: 1, newRate: null, effectiveOn: '2026-04-01' }, terms);
    if (!extended.ok) throw new Error(extended.message);
    expect(extended.schedule.map((i) => i.dueDate)).toEqual(['2026-02-28', '2026-05-31', '2026-06-30', '2026-07-31']);
  });
  it('re-amortises the open principal at the new rate: 200 over 2 months at 6 %, equal principal, interest B * 0.06 / 12', () => {
    const r = restructureSchedule(current, { kind: 'RATE_REDUCTION', instalments: null, newRate: m('0.06'), effectiveOn: '2026-03-01' }, terms);
    if (!r.ok) throw new Error(r.message);
    expect(r.schedule.map((i) => [i.number, i.dueDate, i.principal.toFixed(2), i.interest.toFixed(2)])).toEqual([
      [1, '2026-02-28', '100.00', '3.00'],
      [2, '2026-03-31', '100.00', '1.00'],
      [3, '2026-04-30', '100.00', '0.50'],
    ]);
  });
});
