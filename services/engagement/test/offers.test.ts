import { describe, expect, it } from 'vitest';
import { matchOfferRule, type OfferFacts, type OfferRule, planOffers, rankOffers, retentionOrigin, validateOfferRule } from '../src/domain/offers.ts';

/** Next-best offer rules (domain/offers.ts): matching with reasons, ranking, the plan of a generation run. */

const facts = (over: Partial<OfferFacts> = {}): OfferFacts => ({
  customerId: 'c-1',
  grade: 'PREMIUM',
  kind: 'INDIVIDUAL',
  tier: 'GOLD',
  churnLevel: 'LOW',
  activeLoans: 1,
  maxDaysPastDue: 0,
  loansRepaidOnTime: 2,
  productsHeld: ['MICRO-M'],
  ...over,
});

const rule = (code: string, priority: number, conditions: OfferRule['conditions'], over: Partial<OfferRule> = {}): OfferRule => ({
  code,
  kind: 'TOP_UP',
  priority,
  conditions,
  validDays: 30,
  cooldownDays: 60,
  active: true,
  ...over,
});

describe('matchOfferRule', () => {
  it('holds when every condition holds, with the customer value of each as the reason', () => {
    expect(matchOfferRule(facts(), { grades: ['VIP', 'PREMIUM'], maxDaysPastDue: 0, minActiveLoans: 1, productsHeld: ['MICRO-M', 'AGRI'] })).toEqual([
      { condition: 'grade in VIP, PREMIUM', value: 'PREMIUM' },
      { condition: 'days past due at most 0', value: '0' },
      { condition: 'active loans at least 1', value: '1' },
      { condition: 'holds MICRO-M, AGRI', value: 'MICRO-M' },
    ]);
  });
  it('fails on any condition that does not hold, and on a missing fact', () => {
    expect(matchOfferRule(facts({ maxDaysPastDue: 3 }), { maxDaysPastDue: 0 })).toBeNull();
    expect(matchOfferRule(facts({ tier: null }), { tiers: ['GOLD'] })).toBeNull();
    expect(matchOfferRule(facts({ churnLevel: null }), { churnLevels: ['HIGH'] })).toBeNull();
    expect(matchOfferRule(facts({ activeLoans: 1 }), { maxActiveLoans: 0 })).toBeNull();
    expect(matchOfferRule(facts({ loansRepaidOnTime: 0 }), { minLoansRepaidOnTime: 1 })).toBeNull();
    expect(matchOfferRule(facts({ kind: 'ENTERPRISE' }), { customerKinds: ['INDIVIDUAL'] })).toBeNull();
    expect(matchOfferRule(facts({ productsHeld: [] }), { productsHeld: ['MICRO-M'] })).toBeNull();
  });
});

describe('rankOffers and planOffers', () => {
  const rules = [
    rule('LOW', 10, { minActiveLoans: 1 }, { kind: 'REWARD' }),
    rule('HIGH', 90, { grades: ['PREMIUM'] }),
    rule('MID_B', 50, { tiers: ['GOLD'] }, { kind: 'RATE_DISCOUNT' }),
    rule('MID_A', 50, { tiers: ['GOLD'] }, { kind: 'RATE_DISCOUNT' }),
    rule('OFF', 99, { grades: ['PREMIUM'] }, { active: false }),
    rule('NO', 80, { grades: ['VIP'] }),
  ];
  it('ranks the rules that hold by priority, then code; inactive rules make nothing', () => {
    expect(rankOffers(facts(), rules).map((r) => `${r.rank}:${r.ruleCode}`)).toEqual(['1:HIGH', '2:MID_A', '3:MID_B', '4:LOW']);
  });
  it('makes what holds and is not open or cooling, re-ranks open ones, withdraws expired and ineligible ones', () => {
    const byCode = new Map(rules.map((r) => [r.code, r]));
    const plan = planOffers(
      rankOffers(facts(), rules),
      [
        { id: 'o-high', ruleCode: 'HIGH', validUntil: '2026-12-31' },
        { id: 'o-no', ruleCode: 'NO', validUntil: '2026-12-31' },
        { id: 'o-low', ruleCode: 'LOW', validUntil: '2026-11-30' },
      ],
      new Set(['MID_B']),
      byCode,
      '2026-12-01',
    );
    expect(plan.make.map((m) => [m.ruleCode, m.rank, m.validUntil])).toEqual([['MID_A', 2, '2026-12-31']]);
    expect(plan.refresh.map((r) => [r.id, r.rank])).toEqual([['o-high', 1]]);
    expect(plan.withdraw).toEqual([
      { id: 'o-no', reason: 'NO_LONGER_ELIGIBLE' },
      { id: 'o-low', reason: 'EXPIRED' },
    ]);
  });
  it('a second run of the same facts makes nothing new', () => {
    const byCode = new Map(rules.map((r) => [r.code, r]));
    const first = planOffers(rankOffers(facts(), rules), [], new Set(), byCode, '2026-12-01');
    const open = first.make.map((m, k) => ({ id: `o-${k}`, ruleCode: m.ruleCode, validUntil: m.validUntil }));
    const second = planOffers(rankOffers(facts(), rules), open, new Set(), byCode, '2026-12-01');
    expect(second.make).toEqual([]);
    expect(second.withdraw).toEqual([]);
  });
});

describe('validateOfferRule and retentionOrigin', () => {
  const valid = { code: 'TOP_UP_X', kind: 'TOP_UP', title: 'Top-up', priority: 50, validDays: 30, cooldownDays: 60, conditions: { minActiveLoans: 1 } };
  it('accepts a sensible rule and refuses each bad part with its field and code', () => {
    expect(validateOfferRule(valid)).toEqual([]);
    const errors = validateOfferRule({
      ...valid,
      code: 'x',
      priority: 0,
      validDays: 400,
      cooldownDays: -1,
      conditions: { minActiveLoans: 2, maxActiveLoans: 1 },
    });
    expect(errors.map((e) => `${e.field}:${e.code}`)).toEqual([
      'code:INVALID_CODE',
      'priority:OUT_OF_RANGE',
      'validDays:OUT_OF_RANGE',
      'cooldownDays:OUT_OF_RANGE',
      'conditions.maxActiveLoans:INVALID_RANGE',
    ]);
    expect(validateOfferRule({ ...valid, conditions: {} }).map((e) => `${e.field}:${e.code}`)).toEqual(['conditions:REQUIRED']);
  });
  it('tells what opened a retention task from its business key', () => {
    expect(retentionOrigin('GRADE_AT_RISK:c-1:2026-12-31')).toBe('GRADE_AT_RISK');
    expect(retentionOrigin('TIER_DOWNGRADE:a-1:2026-12-31')).toBe('TIER_DOWNGRADE');
    expect(retentionOrigin('CHURN_HIGH:c-1:2026-12-01')).toBe('CHURN_HIGH');
    expect(retentionOrigin(null)).toBeNull();
    expect(retentionOrigin('RENEWAL:l-1')).toBeNull();
  });
});
