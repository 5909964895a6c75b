import { emit } from '@crm/events';
import { assertInScope, findIdempotentReplay, requireIdentity, runCommand, type UserError } from '@crm/service-kit';
import { v7 as uuidv7 } from 'uuid';
import type { ReceiveEnquiryInput } from '../__generated__/resolvers-types.ts';
import type { EngagementContext } from '../context.ts';
import { findCustomerReplica } from '../db/customer-replica.store.ts';
import { findEnquiryIdByIdempotencyKey, insertEnquiry } from '../db/enquiry.store.ts';
import type { EnquiryRow } from '../db/service-centre.tables.ts';
import { validateNewEnquiry } from '../domain/service-centre.ts';
import { replayed } from './replayed.ts';

export type EnquiryResult = { enquiry: EnquiryRow | null; userErrors: UserError[] };

/**
 * Records an enquiry to the service centre: a customer's in the caller's scope (the enquiry takes the
 * customer's branch), or a prospect's (the branch given, else the caller's; within the caller's scope).
 * Emits EnquiryReceived (subject: the customer, else the enquiry); the question and the prospect's
 * name and phone stay in engagement and out of the audit record.
 */
export async function receiveEnquiry(ctx: EngagementContext, input: ReceiveEnquiryInput): Promise<EnquiryResult> {
  const identity = requireIdentity(ctx);
  const now = ctx.now();
  const result = validateNewEnquiry(input, now);
  // Scope first, outside the transaction: a refusal is audited as FORBIDDEN by the access layer.
  const customer = result.ok && result.value.customerId ? await findCustomerReplica(ctx.db, ctx.scope, result.value.customerId) : undefined;
  const prospectBranch = result.ok && !result.value.customerId ? (result.value.branchId ?? identity.branchId ?? null) : null;
  if (prospectBranch && ctx.scope.kind === 'branch') assertInScope({ ...ctx.scope, managerId: null }, { branchId: prospectBranch }, 'branch');
  const id = uuidv7();
  const done = await runCommand(
    ctx,
    { action: 'receiveEnquiry', entityType: 'Enquiry', entityId: id },
    async (tx, audit): Promise<{ id: string | null; userErrors: UserError[] }> => {
      const replay = await findIdempotentReplay(tx, 'enquiry', input.idempotencyKey, (key) => findEnquiryIdByIdempotencyKey(tx, key));
      if (replay) return replayed(audit, replay);
      if (!result.ok) return { id: null, userErrors: result.errors };
      const e = result.value;
      if (e.customerId && !customer)
        return { id: null, userErrors: [{ field: 'customerId', code: 'CUSTOMER_NOT_FOUND', message: `No customer with id ${e.customerId}` }] };
      const branchId = customer?.branch_id ?? prospectBranch;
      if (!branchId) return { id: null, userErrors: [{ field: 'branchId', code: 'REQUIRED', message: "Give the prospect's branch" }] };
      await insertEnquiry(tx, {
        id,
        customer_id: e.customerId,
        prospect_name: e.prospectName,
        prospect_phone: e.prospectPhone,
        branch_id: branchId,
        channel: e.channel,
        question: e.question,
        status: 'OPEN',
        received_by: identity.userId,
        received_at: e.receivedAt,
        article_id: null,
        answer: null,
        answered_by: null,
        answered_at: null,
        idempotency_key: input.idempotencyKey ?? null,
        updated_at: now,
      });
      await emit(tx, 'EnquiryReceived', {
        subject: e.customerId ?? id,
        time: now,
        data: { enquiryId: id, customerId: e.customerId, branchId, channel: e.channel, receivedBy: identity.userId, receivedAt: e.receivedAt.toISOString() },
      });
      audit.changes(null, { customerId: e.customerId, prospect: e.customerId === null, branchId, channel: e.channel, status: 'OPEN' });
      return { id, userErrors: [] };
    },
  );
  if (!done.id) return { enquiry: null, userErrors: done.userErrors };
  return { enquiry: await ctx.loaders.serviceCentre.enquiry.load(done.id), userErrors: [] };
}
