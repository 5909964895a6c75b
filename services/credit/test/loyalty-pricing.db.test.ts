import { createEvent, definitionOfType, type EventInput } from '@crm/events';
import type { Identity } from '@crm/service-kit';
import { staff, startTestService, type TestService } from '@crm/service-kit/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DB } from '../src/db/schema.ts';
import { priceLoan } from '../src/domain/pricing.ts';
import { creditService } from '../src/service.ts';
import { given } from './given.ts';

/** Loyalty pricing (issue 15): credit's replica of the customer's tier discount, applied to the rate of a new loan at application. */

const managerBr2: Identity = { userId: 'bm-2', roles: ['branch_manager'], branchId: 'BR-002' };
const PRICING = `query($id: ID!) { loan(id: $id) { annualRate pricing { baseAnnualRate loyaltyTier tierDiscountBps discountApplied floorRate annualRate }
  schedule { number interest } } }`;
const DISCOUNT = `query($r: [_Any!]!) { _entities(representations: $r) { ... on Customer { id loyaltyRateDiscount { tier rateDiscountBps tierEffectiveOn } } } }`;

describe('domain: priceLoan', () => {
  it('takes the basis points off the rate asked for, floored at the product minimum, never above the base', () => {
    expect(priceLoan({ baseRate: '0.18', tier: 'GOLD', discountBps: 25, floorRate: '0.05' })).toMatchObject({ discountBps: 25 });
    expect(priceLoan({ baseRate: '0.18', tier: 'GOLD', discountBps: 25, floorRate: '0.05' }).rate.toFixed(6)).toBe('0.177500');
    const floored = priceLoan({ baseRate: '0.06', tier: 'PLATINUM', discountBps: 150, floorRate: '0.05' });
    expect([floored.rate.toFixed(6), floored.discount.toFixed(6)]).toEqual(['0.050000', '0.010000']);
    const atFloor = priceLoan({ baseRate: '0.05', tier: 'PLATINUM', discountBps: 150, floorRate: '0.05' });
    expect([atFloor.rate.toFixed(6), atFloor.discount.toFixed(6)]).toEqual(['0.050000', '0.000000']);
    const none = priceLoan({ baseRate: '0.123456', tier: null, discountBps: 0, floorRate: '0' });
    expect([none.rate.toFixed(6), none.discount.toFixed(6)]).toEqual(['0.123456', '0.000000']);
  });
});

describe('loyalty pricing of a new loan', () => {
  let svc: TestService<DB>;
  let g: ReturnType<typeof given>;

  async function deliver<N extends 'TierChanged' | 'LoyaltyTierDefined'>(name: N, subject: string, data: EventInput<N>, time: string) {
    const event = createEvent(name, { subject, data, time: new Date(time) });
    const message = { topic: 'crm.loyalty.v1', key: subject, value: JSON.stringify(event) };
    await svc.consumer.handle(message);
    return () => svc.consumer.handle(message);
  }
  const tierChanged = (customerId: string, tier: string, bps: number | undefined, time: string) =>
    deliver(
      'TierChanged',
      customerId,
      {
        accountId: `acc-${customerId}`,
        customerId,
        previousTier: 'BRONZE',
        tier,
        direction: 'UP',
        effectiveOn: time.slice(0, 10),
        ...(bps === undefined ? {} : { rateDiscountBps: bps }),
      },
      time,
    );
  const tierDefined = (tier: string, bps: number, time: string) =>
    deliver(
      'LoyaltyTierDefined',
      tier,
      {
        tier,
        name: tier,
        rank: 3,
        threshold: 5000,
        rateDiscountBps: bps,
        feeWaiversPerYear: 0,
        priorityService: false,
        dedicatedManager: false,
        definedBy: 'admin',
        definedAt: time,
      },
      time,
    );
  const apply = async (customerId: string, annualRate: string) => {
    const applied = await g.apply({ customerId, productCode: 'PRICE-M', principal: '1200.00', annualRate, termCount: 3, purpose: 'Stock' });
    expect(applied.userErrors).toEqual([]);
    return applied.loan?.id ?? '';
  };
  const pricing = async (loanId: string) =>
    (
      await svc.graphql<{
        loan: {
          annualRate: string;
          pricing: {
            baseAnnualRate: string;
            loyaltyTier: string | null;
            tierDiscountBps: number;
            discountApplied: string;
            floorRate: string;
            annualRate: string;
          } | null;
          schedule: { number: number; interest: string }[];
        };
      }>(PRICING, { id: loanId }, staff.officer)
    ).data?.loan;

  beforeAll(async () => {
    svc = await startTestService(creditService, { label: 'credit_loyalty_pricing' });
    g = given(svc);
    await g.customer('lp-gold');
    await g.customer('lp-none');
    await g.product({ code: 'PRICE-M', minRate: '0.05' });
  });
  afterAll(async () => {
    await svc?.stop();
  });

  it("prices the loan with the tier's discount of TierChanged: base, discount, rate; the schedule at the discounted rate", async () => {
    const redeliver = await tierChanged('lp-gold', 'GOLD', 25, '2026-01-05T10:00:00Z');
    await redeliver();
    const loanId = await apply('lp-gold', '0.12');
    const l = await pricing(loanId);
    expect(l?.annualRate).toBe('0.117500');
    expect(l?.pricing).toEqual({
      baseAnnualRate: '0.120000',
      loyaltyTier: 'GOLD',
      tierDiscountBps: 25,
      discountApplied: '0.002500',
      floorRate: '0.050000',
      annualRate: '0.117500',
    });
    // the event carries the price for other teams
    const applied = await svc.db.selectFrom('event_outbox').select(['type', 'event']).where('type', '=', 'crm.credit.LoanApplied.v1').orderBy('seq').execute();
    const data = applied.map((r) => (typeof r.event === 'string' ? JSON.parse(r.event) : r.event).data).find((d: { loanId: string }) => d.loanId === loanId);
    expect(data).toMatchObject({ annualRate: '0.117500', baseAnnualRate: '0.120000', rateDiscount: '0.002500', loyaltyTier: 'GOLD' });
    // disbursed, the schedule charges the discounted rate: 1,200.00 x 0.1175 / 12 = 11.75 for the first month
    await g.approve(loanId);
    expect((await g.disburse(loanId)).userErrors).toEqual([]);
    expect((await pricing(loanId))?.schedule[0]?.interest).toBe('11.75');
  });

  it('an older TierChanged changes nothing; a later LoyaltyTierDefined gives the holders its discount; the floor holds', async () => {
    await tierChanged('lp-gold', 'SILVER', 10, '2026-01-01T10:00:00Z');
    expect((await svc.db.selectFrom('customer_tier_replica').selectAll().where('customer_id', '=', 'lp-gold').executeTakeFirstOrThrow()).tier).toBe('GOLD');
    await tierDefined('GOLD', 500, '2026-01-06T10:00:00Z');
    const view = await svc.graphql<{ _entities: { loyaltyRateDiscount: { tier: string; rateDiscountBps: number; tierEffectiveOn: string } | null }[] }>(
      DISCOUNT,
      { r: [{ __typename: 'Customer', id: 'lp-gold' }] },
      staff.officer,
    );
    expect(view.data?._entities[0]?.loyaltyRateDiscount).toEqual({ tier: 'GOLD', rateDiscountBps: 500, tierEffectiveOn: '2026-01-05' });
    // 0.08 - 0.05 = 0.03 is below the product's 0.05: floored, 0.03 taken off
    const loanId = await apply('lp-gold', '0.08');
    expect((await pricing(loanId))?.pricing).toMatchObject({
      baseAnnualRate: '0.080000',
      tierDiscountBps: 500,
      discountApplied: '0.030000',
      annualRate: '0.050000',
    });
    // a TierChanged stated before the definition keeps the newer definition's discount
    await tierChanged('lp-gold', 'GOLD', 25, '2026-01-05T12:00:00Z');
    expect(
      (await svc.db.selectFrom('customer_tier_replica').select('rate_discount_bps').where('customer_id', '=', 'lp-gold').executeTakeFirstOrThrow())
        .rate_discount_bps,
    ).toBe(500);
    // an older definition changes nothing
    await tierDefined('GOLD', 0, '2026-01-02T10:00:00Z');
    expect((await svc.db.selectFrom('loyalty_tier_replica').selectAll().where('tier', '=', 'GOLD').executeTakeFirstOrThrow()).rate_discount_bps).toBe(500);
  });

  it('a customer without a tier pays the rate asked for; the discount is not shown outside the caller scope', async () => {
    const loanId = await apply('lp-none', '0.12');
    expect((await pricing(loanId))?.pricing).toEqual({
      baseAnnualRate: '0.120000',
      loyaltyTier: null,
      tierDiscountBps: 0,
      discountApplied: '0.000000',
      floorRate: '0.050000',
      annualRate: '0.120000',
    });
    const outside = await svc.graphql<{ _entities: { loyaltyRateDiscount: unknown }[] }>(
      DISCOUNT,
      { r: [{ __typename: 'Customer', id: 'lp-gold' }] },
      managerBr2,
    );
    expect(outside.data?._entities[0]?.loyaltyRateDiscount).toBeNull();
    // events of a TierChanged reach only the replica: no credit event of its own
    const types = (await svc.db.selectFrom('event_outbox').select('type').execute()).map((r) => r.type).filter((t) => !definitionOfType(t)?.state);
    expect(types.filter((t) => t.includes('Tier'))).toEqual([]);
  });
});
