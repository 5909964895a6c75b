import { emit } from '@crm/events';
import { isoDate, requireIdentity, runCommand, type UserError } from '@crm/service-kit';
import type { EngagementContext } from '../context.ts';
import { findOfferCustomer, lockOfferInScope, recordOfferOutcome as recordOutcome } from '../db/offer.store.ts';
import type { OfferRow } from '../db/offer.tables.ts';
import { assertCustomerInScope } from '../db/scope.ts';
import type { OfferOutcome } from '../domain/offers.ts';

/**
 * Records what the customer said to an open offer: ACCEPTED, DECLINED or NOT_NOW (the rule then
 * cools down for its cooldown days before offering again). Once: an offer no longer open is
 * OFFER_NOT_OPEN (OUTCOME_ALREADY_RECORDED when it was answered). Outside the caller's scope:
 * FORBIDDEN, nothing written. Emits OfferOutcomeRecorded.
 */
export async function recordOfferOutcome(
  ctx: EngagementContext,
  input: { offerId: string; outcome: OfferOutcome },
): Promise<{ offer: OfferRow | null; userErrors: UserError[] }> {
  const identity = requireIdentity(ctx);
  const customerId = await findOfferCustomer(ctx.db, input.offerId);
  if (customerId) await assertCustomerInScope(ctx.db, ctx.scope, customerId, 'offer');
  return runCommand(ctx, { action: 'recordOfferOutcome', entityType: 'Offer', entityId: input.offerId }, async (tx, audit) => {
    const offer = await lockOfferInScope(tx, ctx.scope, input.offerId);
    if (!offer) return { offer: null, userErrors: [{ field: 'offerId', code: 'OFFER_NOT_FOUND', message: `No offer with id ${input.offerId}` }] };
    if (offer.status !== 'OPEN') {
      const answered = offer.status !== 'WITHDRAWN';
      return {
        offer: null,
        userErrors: [
          answered
            ? { field: 'outcome', code: 'OUTCOME_ALREADY_RECORDED', message: `the customer's answer ${offer.status} was recorded already` }
            : { field: 'offerId', code: 'OFFER_NOT_OPEN', message: `the offer was withdrawn (${offer.withdrawn_reason ?? 'no reason'})` },
        ],
      };
    }
    const now = ctx.now();
    const after = await recordOutcome(tx, offer.id, { status: input.outcome, by: identity.userId, at: now, on: isoDate(now) });
    if (!after) return { offer: null, userErrors: [{ field: 'offerId', code: 'OFFER_NOT_OPEN', message: 'the offer changed meanwhile; read it again' }] };
    await emit(tx, 'OfferOutcomeRecorded', {
      subject: offer.customer_id,
      time: now,
      data: {
        offerId: offer.id,
        customerId: offer.customer_id,
        ruleCode: offer.rule_code,
        kind: offer.kind,
        outcome: input.outcome,
        recordedBy: identity.userId,
        recordedAt: now.toISOString(),
      },
    });
    audit.changes({ status: offer.status }, { status: after.status, outcomeRecordedBy: identity.userId });
    return { offer: after, userErrors: [] };
  });
}
