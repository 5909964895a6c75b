import { emit } from '@crm/events';
import { type Identity, runCommand, type UserError } from '@crm/service-kit';
import { v7 as uuidv7 } from 'uuid';
import type { CustomersContext } from '../context.ts';
import { findCurrentConsents, insertConsent } from '../db/consent.store.ts';
import { lockCustomer, updateCustomer } from '../db/customer.store.ts';
import type { ConsentPurpose, ConsentRecordRow, ContactChannel } from '../db/schema.ts';
import { customerNotFound } from './errors.ts';

export interface SetCustomerConsent {
  customerId: string;
  purpose: ConsentPurpose;
  granted: boolean;
  channel: ContactChannel;
}

/**
 * Records the customer's answer for one purpose. Repeating the current answer records nothing
 * and emits nothing (the consent did not change); the result is the standing answer.
 */
export function setCustomerConsent(
  ctx: CustomersContext,
  identity: Identity,
  input: SetCustomerConsent,
): Promise<{ userErrors: UserError[]; row: ConsentRecordRow | null }> {
  return runCommand(ctx, { action: 'setCustomerConsent', entityType: 'Customer', entityId: input.customerId }, async (tx, audit) => {
    const now = ctx.now();
    const customer = await lockCustomer(tx, ctx.scope, input.customerId);
    if (!customer) return { userErrors: [customerNotFound()], row: null };
    const current = (await findCurrentConsents(tx, ctx.scope, [customer.id])).find((c) => c.purpose === input.purpose);
    if (current && current.granted === input.granted) return { userErrors: [], row: current };
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
    audit.change({ field: `consent.${input.purpose}`, before: current?.granted ?? null, after: input.granted });
    audit.detail({ channel: input.channel });
    return { userErrors: [], row };
  });
}
