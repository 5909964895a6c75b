import { requireIdentity, requireRole } from '@crm/service-kit';
import { v7 as uuidv7 } from 'uuid';
import type { MutationResolvers } from '../../__generated__/resolvers-types.ts';
import { findCareEvent, findCareEventIdByIdempotencyKey, insertCareEvent } from '../../db/care.store.ts';
import { validateCareEvent } from '../../domain/care.ts';

export const createCareEvent: MutationResolvers['createCareEvent'] = async (_parent, { input }, ctx) => {
  const identity = requireIdentity(ctx);
  requireRole(identity, 'branch_manager', 'service_agent');
  if (input.idempotencyKey) {
    const existing = await findCareEventIdByIdempotencyKey(ctx.db, input.idempotencyKey);
    if (existing) return { event: (await findCareEvent(ctx.db, existing)) ?? null, userErrors: [] };
  }
  const now = ctx.now();
  const result = validateCareEvent(input, now);
  if (!result.ok) return { event: null, userErrors: result.errors };
  const e = result.value;
  const id = uuidv7();
  await insertCareEvent(ctx.db, {
    id,
    title: e.title,
    kind: e.kind,
    branch_id: e.branchId,
    location: e.location,
    starts_at: e.startsAt,
    capacity: e.capacity,
    created_by: identity.userId,
    created_at: now,
    idempotency_key: input.idempotencyKey ?? null,
  });
  return { event: (await findCareEvent(ctx.db, id)) ?? null, userErrors: [] };
};
