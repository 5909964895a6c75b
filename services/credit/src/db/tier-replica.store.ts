import type { Scope } from '@crm/service-kit';
import { type Kysely, sql } from 'kysely';
import type { CustomerTierReplicaRow } from './crisis.schema.ts';
import type { DB } from './schema.ts';
import { customerInScope } from './scope.ts';

/**
 * Credit's replica of loyalty tiers (loyalty pricing): each customer's tier with its rate discount
 * in basis points, and each tier's discount as loyalty last defined it. Later facts win (by the time
 * loyalty stated them), so a redelivered or older event changes nothing.
 */

/**
 * A customer's tier changed (TierChanged at `at`): the tier and its discount (the event's, unless
 * loyalty redefined the tier's discount after the event, then that one). Older than what the replica
 * holds: nothing.
 */
export async function recordCustomerTier(
  db: Kysely<DB>,
  t: { customerId: string; tier: string; rateDiscountBps: number | null; effectiveOn: string; at: Date },
): Promise<void> {
  const defined = await db.selectFrom('loyalty_tier_replica').selectAll().where('tier', '=', t.tier).executeTakeFirst();
  const useDefinition = defined && (t.rateDiscountBps === null || defined.defined_at.getTime() > t.at.getTime());
  const bps = useDefinition ? defined.rate_discount_bps : (t.rateDiscountBps ?? 0);
  const discountAsOf = useDefinition ? defined.defined_at : t.at;
  await db
    .insertInto('customer_tier_replica')
    .values({
      customer_id: t.customerId,
      tier: t.tier,
      rate_discount_bps: bps,
      tier_effective_on: t.effectiveOn,
      tier_as_of: t.at,
      discount_as_of: discountAsOf,
    })
    .onConflict((oc) =>
      oc
        .column('customer_id')
        .doUpdateSet((eb) => ({
          tier: eb.ref('excluded.tier'),
          rate_discount_bps: eb.ref('excluded.rate_discount_bps'),
          tier_effective_on: eb.ref('excluded.tier_effective_on'),
          tier_as_of: eb.ref('excluded.tier_as_of'),
          discount_as_of: eb.ref('excluded.discount_as_of'),
        }))
        .where('customer_tier_replica.tier_as_of', '<=', t.at),
    )
    .execute();
}

/**
 * A tier's terms were (re)defined (LoyaltyTierDefined at `at`): the tier's discount, and the
 * discount of every customer holding it whose discount is older, in one statement each.
 */
export async function recordTierDefinition(db: Kysely<DB>, t: { tier: string; rateDiscountBps: number; at: Date }): Promise<number> {
  await db
    .insertInto('loyalty_tier_replica')
    .values({ tier: t.tier, rate_discount_bps: t.rateDiscountBps, defined_at: t.at })
    .onConflict((oc) =>
      oc
        .column('tier')
        .doUpdateSet((eb) => ({ rate_discount_bps: eb.ref('excluded.rate_discount_bps'), defined_at: eb.ref('excluded.defined_at') }))
        .where('loyalty_tier_replica.defined_at', '<=', t.at),
    )
    .execute();
  const updated = await db
    .updateTable('customer_tier_replica')
    .set({ rate_discount_bps: t.rateDiscountBps, discount_as_of: t.at })
    .where('tier', '=', t.tier)
    .where('discount_as_of', '<', t.at)
    .executeTakeFirst();
  return Number(updated.numUpdatedRows);
}

/** The tiers and discounts credit knows for these customers in scope (none for a customer without a tier event). */
export async function findCustomerTiers(db: Kysely<DB>, scope: Scope, customerIds: readonly string[]): Promise<CustomerTierReplicaRow[]> {
  if (!customerIds.length) return [];
  return db
    .selectFrom('customer_tier_replica')
    .select(['customer_id', 'tier', 'rate_discount_bps', 'tier_as_of', 'discount_as_of'])
    .select(sql<string>`to_char(tier_effective_on, 'YYYY-MM-DD')`.as('tier_effective_on'))
    .where('customer_id', 'in', [...customerIds])
    .where(customerInScope(scope, 'customer_tier_replica.customer_id'))
    .execute();
}
