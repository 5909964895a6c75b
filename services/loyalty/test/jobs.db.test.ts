import { startTestService, type TestService } from '@crm/service-kit/testing';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { invalidateProgrammeCache } from '../src/db/programme.cache.ts';
import type { DB } from '../src/db/schema.ts';
import { loyaltyService } from '../src/service.ts';
import { given } from './given.ts';

const ADJUST = `mutation($input: AdjustPointsInput!) { adjustPoints(input: $input) { userErrors { code } } }`;
const RUN = `mutation($input: RunLoyaltyJobInput!) { runLoyaltyJob(input: $input) { run { job asOf affected } counts { name value } userErrors { field code } } }`;

describe('scheduled runs: expiry, tier evaluation, birthday bonus (DB-backed)', () => {
  let svc: TestService<DB>;
  let g: ReturnType<typeof given>;
  beforeAll(async () => {
    svc = await startTestService(loyaltyService, { label: 'loyalty_jobs' });
    g = given(svc);
  });
  /** Tier and pending downgrade date (as YYYY-MM-DD text on both engines). */
  const tierOf = async (accountId: string) => {
    const row = await svc.db
      .selectFrom('loyalty_account')
      .select(['tier', sql<string | null>`downgrade_on::text`.as('downgrade_on')])
      .where('id', '=', accountId)
      .executeTakeFirstOrThrow();
    return [row.tier, row.downgrade_on];
  };
  afterAll(async () => {
    await svc?.stop();
  });

  it('warns before points expire, then expires the oldest lots first, repeatably', async () => {
    await g.member('exp-1', { at: '2026-11-20T08:00:00.000Z' }); // 100, expiring 2028-11-20
    await g.instalmentPaid('exp-1', { loanId: 'LX', n: 1, amount: '2500.00', onTime: true, at: '2027-01-10T09:00:00.000Z' }); // 25, expiring 2029-01-10
    await svc.graphql(ADJUST, { input: { customerId: 'exp-1', points: -30, reason: 'Correction' } }); // consumes the oldest lot: 70 left of it
    expect(await g.balance('exp-1')).toBe(95);

    // 30 days of warning: on 2028-10-25 the 70 points expiring 2028-11-20 are announced, once.
    expect(await svc.jobs.run('points-expiry', '2028-10-20')).toMatchObject({ warned: 0, accountsExpired: 0 });
    expect(await svc.jobs.run('points-expiry', '2028-10-25')).toMatchObject({ warned: 1 });
    expect(await svc.jobs.run('points-expiry', '2028-10-25')).toMatchObject({ warned: 0 });
    expect(await svc.jobs.run('points-expiry', '2028-10-26')).toMatchObject({ warned: 0 });
    expect(await g.payloads('exp-1', 'PointsExpiring')).toEqual([expect.objectContaining({ points: 70, expiresOn: '2028-11-20' })]);

    expect(await svc.jobs.run('points-expiry', '2028-11-19')).toMatchObject({ accountsExpired: 0 });
    expect(await svc.jobs.run('points-expiry', '2028-11-20')).toMatchObject({ accountsExpired: 1, pointsExpired: 70 });
    expect(await svc.jobs.run('points-expiry', '2028-11-20')).toMatchObject({ accountsExpired: 0, pointsExpired: 0 });
    expect(await g.balance('exp-1')).toBe(25);
    expect(await g.payloads('exp-1', 'PointsExpired')).toEqual([expect.objectContaining({ points: 70, balance: 25, asOf: '2028-11-20' })]);

    // The 25 of the instalment go on 2029-01-10, through the administrators' mutation: not before that day.
    type Run = {
      runLoyaltyJob: { run: { job: string; asOf: string; affected: number } | null; counts: { name: string; value: number }[]; userErrors: unknown[] };
    };
    const early = await svc.graphql<Run>(RUN, { input: { job: 'POINTS_EXPIRY', asOf: '2029-01-10' } });
    expect(early.data?.runLoyaltyJob).toEqual({ run: null, counts: [], userErrors: [{ field: 'asOf', code: 'DATE_IN_FUTURE' }] });
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2029-01-10T12:00:00Z'));
    const res = await svc.graphql<Run>(RUN, { input: { job: 'POINTS_EXPIRY', asOf: '2029-01-10' } }).finally(() => vi.useRealTimers());
    expect(res.data?.runLoyaltyJob.counts).toContainEqual({ name: 'pointsExpired', value: 25 });
    expect(res.data?.runLoyaltyJob.run).toEqual({ job: 'POINTS_EXPIRY', asOf: '2029-01-10', affected: 1 });
    expect(await g.balance('exp-1')).toBe(0);
    const RUNS = `{ loyaltyJobRuns(job: POINTS_EXPIRY, first: 2) { edges { node { asOf affected counts { name value } } } } }`;
    const runs = await svc.graphql<{ loyaltyJobRuns: { edges: { node: { asOf: string; affected: number } }[] } }>(RUNS);
    expect(runs.data?.loyaltyJobRuns.edges.map((e) => [e.node.asOf, e.node.affected])).toEqual([
      ['2029-01-10', 1],
      ['2028-11-20', 0],
    ]);
  });

  it('warns before a downgrade, keeps the tier through the grace period, then downgrades', async () => {
    const account = await g.member('tier-g', { at: '2026-01-05T08:00:00.000Z' });
    // A GOLD member whose qualifying points (100 welcome, earned 2026-01-05) fall short of every tier above BRONZE.
    await svc.db.updateTable('loyalty_account').set({ tier: 'GOLD' }).where('id', '=', account.id).execute();
    await svc.jobs.run('tier-evaluation', '2026-11-23');
    expect(await g.payloads('tier-g', 'TierDowngradeWarning')).toEqual([
      expect.objectContaining({ tier: 'GOLD', projectedTier: 'BRONZE', effectiveOn: '2026-12-23' }),
    ]);
    await svc.jobs.run('tier-evaluation', '2026-11-23');
    await svc.jobs.run('tier-evaluation', '2026-12-22');
    expect(await tierOf(account.id)).toEqual(['GOLD', '2026-12-23']);
    expect(await g.payloads('tier-g', 'TierDowngradeWarning')).toHaveLength(1);

    await svc.jobs.run('tier-evaluation', '2026-12-23');
    expect(await tierOf(account.id)).toEqual(['BRONZE', null]);
    expect(await g.payloads('tier-g', 'TierChanged')).toEqual([
      expect.objectContaining({ previousTier: 'GOLD', tier: 'BRONZE', direction: 'DOWN', effectiveOn: '2026-12-23' }),
    ]);
  });

  it('cancels a pending downgrade when the member requalifies in the grace period', async () => {
    const account = await g.member('tier-r', { at: '2026-11-01T08:00:00.000Z' });
    await svc.db.updateTable('loyalty_account').set({ tier: 'SILVER' }).where('id', '=', account.id).execute();
    await svc.jobs.run('tier-evaluation', '2026-11-02');
    await svc.db.updateTable('earning_rule').set({ points: 1000 }).where('code', '=', 'REPEAT_LOAN').execute();
    invalidateProgrammeCache(svc.db); // handlers read the rules from the per-process cache
    await g.loanDisbursed('tier-r', { loanId: 'LR', cycle: 2, at: '2026-11-10T09:00:00.000Z' }); // 1 000 × 1.25 = 1 250
    await svc.db.updateTable('earning_rule').set({ points: 200 }).where('code', '=', 'REPEAT_LOAN').execute();
    invalidateProgrammeCache(svc.db); // handlers read the rules from the per-process cache
    await svc.jobs.run('tier-evaluation', '2026-11-11');
    await svc.jobs.run('tier-evaluation', '2026-12-15');
    expect(await tierOf(account.id)).toEqual(['SILVER', null]);
    expect(await g.payloads('tier-r', 'TierChanged')).toEqual([]);
  });

  it('exposes tier, progress and benefits on Customer.loyalty', async () => {
    await g.member('view-1');
    await svc.db.updateTable('loyalty_account').set({ tier: 'GOLD', downgrade_on: '2027-01-01' }).where('customer_id', '=', 'view-1').execute();
    const res = await svc.graphql<{ _entities: { loyalty: unknown }[] }>(
      `query($reps: [_Any!]!) { _entities(representations: $reps) { ... on Customer { loyalty { tier pointsBalance
        tierProgress { qualifyingPoints nextTier pointsToNextTier downgradeOn qualifiedTier }
        benefits { rateDiscountBps feeWaiversPerYear priorityService dedicatedManager birthdayGift } } } } }`,
      { reps: [{ __typename: 'Customer', id: 'view-1' }] },
    );
    expect(res.data?._entities[0]?.loyalty).toEqual({
      tier: 'GOLD',
      pointsBalance: 100,
      tierProgress: { qualifyingPoints: 100, nextTier: 'PLATINUM', pointsToNextTier: 14900, downgradeOn: '2027-01-01', qualifiedTier: 'BRONZE' },
      benefits: { rateDiscountBps: 25, feeWaiversPerYear: 2, priorityService: true, dedicatedManager: false, birthdayGift: true },
    });
  });

  it('credits the birthday bonus once a year, with the tier multiplier', async () => {
    await g.member('bday-1', { birthDate: '1990-12-05' });
    await g.member('bday-2', { birthDate: '1990-12-06' });
    await svc.db.updateTable('loyalty_account').set({ tier: 'PLATINUM' }).where('customer_id', '=', 'bday-1').execute();
    expect(await svc.jobs.run('birthday-bonus', '2026-12-05')).toEqual({ credited: 1 });
    expect(await svc.jobs.run('birthday-bonus', '2026-12-05')).toEqual({ credited: 0 });
    expect(await g.balance('bday-1')).toBe(300); // 100 welcome + 100 × 2 (PLATINUM)
    expect(await g.balance('bday-2')).toBe(100);
  });

  it('upgrades at the evaluation when a lowered threshold is reached, and only once', async () => {
    const account = await g.member('up-1', { at: '2026-11-22T08:00:00.000Z' }); // 100 qualifying points
    const res = await svc.graphql<{ upsertLoyaltyTier: { userErrors: unknown[] } }>(
      `mutation($input: UpsertLoyaltyTierInput!) { upsertLoyaltyTier(input: $input) { userErrors { field code } } }`,
      {
        input: {
          code: 'SILVER',
          name: 'Silver',
          rank: 2,
          threshold: 100,
          multiplier: '1.25',
          rateDiscountBps: 10,
          feeWaiversPerYear: 1,
          priorityService: false,
          dedicatedManager: false,
          birthdayGift: true,
        },
      },
    );
    expect(res.data?.upsertLoyaltyTier.userErrors).toEqual([]);
    await svc.jobs.run('tier-evaluation', '2026-11-23');
    await svc.jobs.run('tier-evaluation', '2026-11-23');
    expect(await tierOf(account.id)).toEqual(['SILVER', null]);
    expect(await g.payloads('up-1', 'TierChanged')).toEqual([
      expect.objectContaining({ previousTier: 'BRONZE', tier: 'SILVER', direction: 'UP', effectiveOn: '2026-11-23' }),
    ]);
  });

  it('takes a reversed earning out of its own lot, not out of the oldest one', async () => {
    await g.member('exp-rev', { at: '2026-11-20T08:00:00.000Z' }); // 100, expiring 2028-11-20
    await g.instalmentPaid('exp-rev', { loanId: 'LRV', n: 1, amount: '2500.00', onTime: true, at: '2027-01-10T09:00:00.000Z' }); // 25, expiring 2029-01-10
    await g.deliver('RepaymentReversed', 'exp-rev', {
      customerId: 'exp-rev',
      loanId: 'LRV',
      repaymentId: 'rep-LRV-1',
      amount: '2500.00',
      currency: 'KES',
      instalmentNumbers: [1],
      reversedAt: '2027-01-11T09:00:00.000Z',
    });
    expect(await g.balance('exp-rev')).toBe(100);
    // The welcome lot expires whole: the 25 taken back were the instalment's, not the welcome's.
    await svc.jobs.run('points-expiry', '2028-11-20');
    expect(await g.balance('exp-rev')).toBe(0);
    expect(await g.payloads('exp-rev', 'PointsExpired')).toEqual([expect.objectContaining({ points: 100, balance: 0 })]);
  });
});
