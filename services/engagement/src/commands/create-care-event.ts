import { findIdempotentReplay, requireIdentity, runCommand, type UserError } from '@crm/service-kit';
import { v7 as uuidv7 } from 'uuid';
import type { CreateCareEventInput } from '../__generated__/resolvers-types.ts';
import type { EngagementContext } from '../context.ts';
import { findCareEvent, findCareEventIdByIdempotencyKey, insertCareEvent } from '../db/care.store.ts';
import { assertBranchInScope } from '../db/scope.ts';
import { validateCareEvent } from '../domain/care.ts';
import type { CareEventResult } from './invite-to-care-event.ts';
import { replayed } from './replayed.ts';

/** Plans a customer event (education talk, appreciation day) for a branch in the caller's scope, or for every branch. */
export async function createCareEvent(ctx: EngagementContext, input: CreateCareEventInput): Promise<CareEventResult> {
  const identity = requireIdentity(ctx);
  const now = ctx.now();
  const result = validateCareEvent(input, now);
  // Scope first, outside the transaction: a refusal is audited as FORBIDDEN by the access layer.
  if (result.ok) assertBranchInScope(ctx.scope, result.value.branchId, 'event');
  const done = await runCommand(
    ctx,
    { action: 'createCareEvent', entityType: 'CareEvent' },
    async (tx, audit): Promise<{ id: string | null; userErrors: UserError[] }> => {
      const replay = await findIdempotentReplay(tx, 'care_event', input.idempotencyKey, (key) => findCareEventIdByIdempotencyKey(tx, key));
      if (replay) return replayed(audit, replay);
      if (!result.ok) return { id: null, userErrors: result.errors };
      const e = result.value;
      const id = uuidv7();
      audit.entity(id);
      await insertCareEvent(tx, {
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
      audit.changes(null, { title: e.title, kind: e.kind, branchId: e.branchId, startsAt: e.startsAt, capacity: e.capacity });
      return { id, userErrors: [] };
    },
  );
  if (!done.id) return { event: null, userErrors: done.userErrors };
  return { event: (await findCareEvent(ctx.db, ctx.scope, done.id)) ?? null, userErrors: [] };
}
