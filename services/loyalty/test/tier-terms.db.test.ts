import { staff, startTestService, type TestService } from '@crm/service-kit/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DB } from '../src/db/schema.ts';
import { loyaltyService } from '../src/service.ts';
import { given } from './given.ts';

/**
 * A tier's rate discount reaches credit (issue 15, loyalty pricing): LoyaltyTierDefined when a
 * tier's terms change, and TierChanged carries the new tier's discount at the change.
 */
describe('tier terms as events', () => {
  let svc: TestService<DB>;
  let g: ReturnType<typeof given>;
  beforeAll(async () => {
    svc = await startTestService(loyaltyService, { label: 'loyalty_tier_terms' });
    g = given(svc);
  });
  afterAll(async () => {
    await svc?.stop();
  });

  it('emits LoyaltyTierDefined with the terms, and TierChanged with the rate discount of the new tier', async () => {
    await g.member('tt-1', { at: '2026-11-22T08:00:00.000Z' }); // 100 welcome points
    const res = await svc.graphql<{ upsertLoyaltyTier: { userErrors: unknown[] } }>(
      `mutation($input: UpsertLoyaltyTierInput!) { upsertLoyaltyTier(input: $input) { userErrors { field code } } }`,
      {
        input: {
          code: 'SILVER',
          name: 'Silver',
          rank: 2,
          threshold: 100,
          multiplier: '1.25',
          rateDiscountBps: 150,
          feeWaiversPerYear: 1,
          priorityService: false,
          dedicatedManager: false,
          birthdayGift: true,
        },
      },
      staff.admin,
    );
    expect(res.data?.upsertLoyaltyTier.userErrors).toEqual([]);
    expect(await g.payloads('SILVER', 'LoyaltyTierDefined')).toEqual([
      expect.objectContaining({ tier: 'SILVER', rank: 2, threshold: 100, rateDiscountBps: 150, definedBy: staff.admin.userId }),
    ]);
    await svc.jobs.run('tier-evaluation', '2026-11-23');
    expect(await g.payloads('tt-1', 'TierChanged')).toEqual([expect.objectContaining({ tier: 'SILVER', direction: 'UP', rateDiscountBps: 150 })]);
    // a refused change emits nothing
    const bad = await svc.graphql<{ upsertLoyaltyTier: { userErrors: { code: string }[] } }>(
      `mutation($input: UpsertLoyaltyTierInput!) { upsertLoyaltyTier(input: $input) { userErrors { field code } } }`,
      {
        input: {
          code: 'GOLD',
          name: 'Gold',
          rank: 2,
          threshold: 6000,
          multiplier: '1.5',
          rateDiscountBps: 25,
          feeWaiversPerYear: 2,
          priorityService: true,
          dedicatedManager: false,
          birthdayGift: true,
        },
      },
      staff.admin,
    );
    expect(bad.data?.upsertLoyaltyTier.userErrors.map((e) => e.code)).toEqual(['DUPLICATE_RANK']);
    expect(await g.payloads('GOLD', 'LoyaltyTierDefined')).toEqual([]);
  });
});
