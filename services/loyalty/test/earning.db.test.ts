import { startTestService, type TestService } from '@crm/service-kit/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { invalidateProgrammeCache } from '../src/db/programme.cache.ts';
import type { DB } from '../src/db/schema.ts';
import { loyaltyService } from '../src/service.ts';
import { given } from './given.ts';

describe('earning from lending behaviour (DB-backed)', () => {
  let svc: TestService<DB>;
  let g: ReturnType<typeof given>;
  beforeAll(async () => {
    svc = await startTestService(loyaltyService, { label: 'loyalty_earning' });
    g = given(svc);
  });
  afterAll(async () => {
    await svc?.stop();
  });

  it('earns on an on-time instalment by rule (1 point per 100 paid, rounded down), exactly once', async () => {
    await g.member('earn-1');
    // 2 549.50 × 0.01 = 25.495 -> 25 points (BRONZE multiplier 1)
    const { message } = await g.instalmentPaid('earn-1', { loanId: 'L1', n: 1, amount: '2549.50', onTime: true });
    await svc.consumer.handle(message); // redelivered
    // Same instalment reported again under another event id: the business key still earns once.
    await g.instalmentPaid('earn-1', { loanId: 'L1', n: 1, amount: '2549.50', onTime: true });
    expect(await g.balance('earn-1')).toBe(125);
    expect((await g.entries('earn-1')).filter((e) => e.rule_code === 'ON_TIME_INSTALMENT')).toEqual([
      { kind: 'EARN', points: 25, rule_code: 'ON_TIME_INSTALMENT', reason: 'Instalment paid on time', actor_id: null },
    ]);
    expect(await g.payloads('earn-1', 'PointsEarned')).toEqual([
      expect.objectContaining({ points: 100, reason: 'WELCOME', balance: 100 }),
      expect.objectContaining({ points: 25, reason: 'ON_TIME_INSTALMENT', balance: 125 }),
    ]);
  });

  it('gives nothing for a late instalment', async () => {
    await g.member('late-1');
    await g.instalmentPaid('late-1', { loanId: 'L2', n: 1, amount: '5000.00', onTime: false });
    expect(await g.balance('late-1')).toBe(100);
    expect(await g.emitted('late-1')).toEqual(['LoyaltyAccountOpened', 'PointsEarned']);
  });

  it('reverses the points of a reversed repayment, once', async () => {
    await g.member('rev-1');
    await g.instalmentPaid('rev-1', { loanId: 'L3', n: 1, amount: '3000.00', onTime: true, repaymentId: 'R-1' });
    await g.instalmentPaid('rev-1', { loanId: 'L3', n: 2, amount: '3000.00', onTime: true, repaymentId: 'R-2' });
    expect(await g.balance('rev-1')).toBe(160);
    const reversal = {
      customerId: 'rev-1',
      loanId: 'L3',
      repaymentId: 'R-2',
      amount: '3000.00',
      currency: 'KES',
      instalmentNumbers: [2],
      reversedAt: '2026-12-12T10:00:00.000Z',
    };
    await g.deliver('RepaymentReversed', 'rev-1', reversal);
    await g.deliver('RepaymentReversed', 'rev-1', reversal); // another event id, same reversal
    expect(await g.balance('rev-1')).toBe(130);
    expect((await g.entries('rev-1')).filter((e) => e.kind === 'REVERSE')).toEqual([
      { kind: 'REVERSE', points: -30, rule_code: 'ON_TIME_INSTALMENT', reason: 'Repayment reversed', actor_id: null },
    ]);
    expect(await g.payloads('rev-1', 'PointsDeducted')).toEqual([
      expect.objectContaining({ customerId: 'rev-1', points: 30, reason: 'REPAYMENT_REVERSED', balance: 130, sourceEventId: expect.any(String) }),
    ]);
  });

  it('earns for a loan repaid in full on time, a repeat loan and a survey; not for a loan repaid late', async () => {
    await g.member('life-1');
    await g.loanDisbursed('life-1', { loanId: 'L4', cycle: 1 });
    expect(await g.balance('life-1')).toBe(100);
    const closed = (loanId: string, repaidOnTimeInFull: boolean) =>
      g.deliver('LoanClosed', 'life-1', { customerId: 'life-1', loanId, closedOn: '2027-11-21', principal: '120000.00', currency: 'KES', repaidOnTimeInFull });
    await closed('L4', true);
    expect(await g.balance('life-1')).toBe(600);
    await closed('L0', false);
    expect(await g.balance('life-1')).toBe(600);
    await g.loanDisbursed('life-1', { loanId: 'L5', cycle: 2 });
    expect(await g.balance('life-1')).toBe(800);
    await g.deliver('SurveyResponded', 'life-1', {
      responseId: 'resp-1',
      surveyId: 'sv-1',
      dispatchId: 'd-1',
      customerId: 'life-1',
      npsScore: 9,
      csatScore: 5,
      trigger: null,
      respondedAt: '2026-11-22T10:00:00.000Z',
    });
    expect(await g.balance('life-1')).toBe(850);
  });

  it('applies the tier multiplier, and upgrades at once when earning crosses a threshold', async () => {
    await g.member('tier-1');
    await g.loanDisbursed('tier-1', { loanId: 'L6', cycle: 2 }); // 200 at BRONZE × 1
    await svc.db.updateTable('earning_rule').set({ points: 800 }).where('code', '=', 'REPEAT_LOAN').execute();
    invalidateProgrammeCache(svc.db); // changed behind upsertEarningRule's back: handlers read rules from the per-process cache
    await g.loanDisbursed('tier-1', { loanId: 'L7', cycle: 3 }); // 800: qualifying 100 + 200 + 800 = 1 100 -> SILVER
    const account = await svc.db.selectFrom('loyalty_account').selectAll().where('customer_id', '=', 'tier-1').executeTakeFirstOrThrow();
    expect(account.tier).toBe('SILVER');
    expect(await g.payloads('tier-1', 'TierChanged')).toEqual([
      expect.objectContaining({ previousTier: 'BRONZE', tier: 'SILVER', direction: 'UP', effectiveOn: '2026-11-21' }),
    ]);
    await svc.db.updateTable('earning_rule').set({ points: 200 }).where('code', '=', 'REPEAT_LOAN').execute();
    invalidateProgrammeCache(svc.db);
    await g.loanDisbursed('tier-1', { loanId: 'L8', cycle: 4 }); // 200 × 1.25 (SILVER) = 250
    expect(await g.balance('tier-1')).toBe(1350);
  });

  it('rewards the referrer once, on the referred customer first loan', async () => {
    const referrer = await g.member('ref-a');
    await g.member('ref-b', { referralCode: referrer.referral_code.toLowerCase() });
    await g.member('ref-c', { referralCode: 'NOSUCHCD' });
    expect(await g.balance('ref-a')).toBe(100);
    await g.loanDisbursed('ref-b', { loanId: 'LB1', cycle: 1 });
    await g.loanDisbursed('ref-b', { loanId: 'LB1', cycle: 1 }); // another event id for the same first loan
    await g.loanDisbursed('ref-c', { loanId: 'LC1', cycle: 1 });
    expect(await g.balance('ref-a')).toBe(400);
    expect(await g.balance('ref-b')).toBe(100);
    expect(await g.payloads('ref-a', 'ReferralRewarded')).toEqual([expect.objectContaining({ referredCustomerId: 'ref-b', points: 300 })]);
    const referral = await svc.db.selectFrom('referral').selectAll().where('referred_customer_id', '=', 'ref-b').executeTakeFirstOrThrow();
    expect(referral.rewarded_at).not.toBeNull();
    const res = await svc.graphql<{ _entities: { loyalty: { referrals: { edges: { node: unknown }[]; pageInfo: { hasNextPage: boolean } } } }[] }>(
      `query($reps: [_Any!]!) { _entities(representations: $reps) { ... on Customer { loyalty { referrals(first: 5) { edges { node { referredCustomer { id } rewardedAt } } pageInfo { hasNextPage } } } } } }`,
      { reps: [{ __typename: 'Customer', id: 'ref-a' }] },
    );
    expect(res.data?._entities[0]?.loyalty.referrals).toEqual({
      edges: [{ node: { referredCustomer: { id: 'ref-b' }, rewardedAt: '2026-11-21T09:00:00.000Z' } }],
      pageInfo: { hasNextPage: false },
    });

    // Pages through referrals with the keyset cursor: newest registration first.
    await g.member('ref-d', { referralCode: referrer.referral_code, at: '2026-11-25T08:00:00.000Z' });
    const page = async (after: string | null) =>
      (
        await svc.graphql<{ _entities: { loyalty: { referrals: { edges: { cursor: string; node: { referredCustomer: { id: string } } }[] } } }[] }>(
          `query($reps: [_Any!]!, $after: String) { _entities(representations: $reps) { ... on Customer { loyalty { referrals(first: 1, after: $after) { edges { cursor node { referredCustomer { id } } } } } } } }`,
          { reps: [{ __typename: 'Customer', id: 'ref-a' }], after },
        )
      ).data?._entities[0]?.loyalty.referrals.edges ?? [];
    const first = await page(null);
    const second = await page(first[0]?.cursor ?? null);
    expect([...first, ...second].map((e) => e.node.referredCustomer.id)).toEqual(['ref-d', 'ref-b']);
  });

  it('opens the account when a lending event overtakes the registration, which then completes it', async () => {
    await g.instalmentPaid('early-1', { loanId: 'L9', n: 1, amount: '1000.00', onTime: true }); // 1 000 × 0.01 = 10
    expect(await g.balance('early-1')).toBe(10);
    expect(await svc.db.selectFrom('event_dead_letter').select('type').execute()).toEqual([]);
    const referrer = await g.member('early-ref');
    const account = await g.member('early-1', { branchId: 'BR-9', birthDate: '1991-03-04', referralCode: referrer.referral_code });
    expect([account.branch_id, await g.balance('early-1')]).toEqual(['BR-9', 110]);
    expect(await g.emitted('early-1')).toEqual(['LoyaltyAccountOpened', 'PointsEarned', 'PointsEarned']);
    const referral = await svc.db.selectFrom('referral').select('referrer_account_id').where('referred_customer_id', '=', 'early-1').executeTakeFirst();
    expect(referral?.referrer_account_id).toBe(referrer.id);
  });
});
