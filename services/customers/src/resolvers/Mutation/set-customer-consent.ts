import { emit } from '@crm/events';
import { requireIdentity, requireRole } from '@crm/service-kit';
import { v7 as uuidv7 } from 'uuid';
import type { MutationResolvers } from '../../__generated__/resolvers-types.ts';
import { findCurrentConsents, insertConsent, toConsentState } from '../../db/consent.store.ts';
import { lockCustomer, updateCustomer } from '../../db/customer.store.ts';
import type { ConsentRecordRow } from '../../db/schema.ts';
import { customerNotFound } from './errors.ts';

/**
 * Records the customer's answer for one purpose. Repeating the current answer records nothing
 * and emits nothing (the consent did not change); the payload shows the standing answer.
 */
export const setCustomerConsent: MutationResolvers['setCustomerConsent'] = async (_parent, { input }, ctx) => {
  const identity = requireIdentity(ctx);
  requireRole(identity, 'loan_officer', 'branch_manager', 'service_agent');
  const now = ctx.now();
  const result = await ctx.db.transaction().execute(async (tx) => {
    const customer = await lockCustomer(tx, input.customerId);
    if (!customer) return { ok: false as const, error: customerNotFound() };
    const current = (await findCurrentConsents(tx, [customer.id])).find((c) => c.purpose === input.purpose);
    if (current && current.granted === input.granted) return { ok: true as const, row: current };
    const row: ConsentRecordRow = {
      id: uuidv7(),
      customer_id: customer.id,
      purpose: input.purpose,
      granted: input.granted,
      channel: input.channel,
      changed_by: identity.userId,
      changed_at: now,
    };
    await insertConsent(tx, row);
    await updateCustomer(tx, customer.id, { updated_at: now });
    await emit(tx, 'ConsentChanged', {
      subject: customer.id,
      time: now,
      data: { customerId: customer.id, purpose: input.purpose, granted: input.granted, channel: input.channel, changedAt: now.toISOString() },
    });
    return { ok: true as const, row };
  });
  if (!result.ok) return { consent: null, customer: null, userErrors: [result.error] };
  ctx.loaders.customer.clear(input.customerId);
  return { consent: toConsentState(result.row), customer: await ctx.loaders.customer.load(input.customerId), userErrors: [] };
};
