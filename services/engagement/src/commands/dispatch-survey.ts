import { emitMany } from '@crm/events';
import { requireIdentity, runCommand, type UserError } from '@crm/service-kit';
import { v7 as uuidv7 } from 'uuid';
import type { DispatchSurveyInput } from '../__generated__/resolvers-types.ts';
import type { EngagementContext } from '../context.ts';
import { findCustomerReplicas, findCustomerReplicasBy } from '../db/customer-replica.store.ts';
import type { SurveyDispatchRow } from '../db/schema.ts';
import { findDispatchesBySourceKeys, findSurveysByIds, insertDispatches } from '../db/survey.store.ts';
import { checkAudienceSize, checkSurveyAudience, missingIds } from '../domain/audience.ts';

export type DispatchSurveyResult = { dispatches: SurveyDispatchRow[]; userErrors: UserError[] };

/**
 * Sends a survey to an audience engagement can name from its own replica, within the caller's
 * scope: explicit customer ids (FORBIDDEN when one is outside it), a branch, or a relationship
 * manager's customers (only those in scope). Customers' rule-based segments are not replicated here.
 */
export async function dispatchSurvey(ctx: EngagementContext, input: DispatchSurveyInput): Promise<DispatchSurveyResult> {
  const identity = requireIdentity(ctx);
  const audience = checkSurveyAudience(input);
  const listed = input.customerIds ?? [];
  // Scope first, outside the transaction: a refusal is audited as FORBIDDEN by the access layer.
  const customers = audience
    ? []
    : listed.length
      ? await findCustomerReplicas(ctx.db, ctx.scope, [...new Set(listed)])
      : await findCustomerReplicasBy(ctx.db, ctx.scope, input);
  return runCommand(ctx, { action: 'dispatchSurvey', entityType: 'Survey', entityId: input.surveyId }, async (tx, audit): Promise<DispatchSurveyResult> => {
    if (audience) return { dispatches: [], userErrors: [audience] };
    const [survey] = await findSurveysByIds(tx, [input.surveyId]);
    if (!survey?.active)
      return { dispatches: [], userErrors: [{ field: 'surveyId', code: 'SURVEY_NOT_FOUND', message: `No active survey with id ${input.surveyId}` }] };
    const errors = [
      ...missingIds('customerIds', listed, new Set(customers.map((c) => c.id)), 'CUSTOMER_NOT_FOUND', (id) => `No customer with id ${id}`),
      ...[checkAudienceSize(customers.length)].filter((e) => e !== null),
    ];
    if (errors.length) return { dispatches: [], userErrors: errors };
    const batch = input.idempotencyKey ?? uuidv7();
    const now = ctx.now();
    const rows = customers.map((c) => ({
      id: uuidv7(),
      survey_id: survey.id,
      customer_id: c.id,
      trigger: null,
      source_key: `MANUAL:${survey.id}:${batch}:${c.id}`,
      branch_id: c.branch_id,
      officer_id: c.relationship_manager_id,
      dispatched_by: identity.userId,
      dispatched_at: now,
    }));
    const fresh = await insertDispatches(tx, rows);
    audit.detail({ dispatched: fresh.length, audience: rows.length });
    // Only the dispatches this call created (a repeated idempotency key creates none).
    await emitMany(
      tx,
      fresh.map((d) => ({
        name: 'SurveyDispatched' as const,
        subject: d.customer_id,
        data: {
          dispatchId: d.id,
          surveyId: d.survey_id,
          customerId: d.customer_id,
          trigger: d.trigger,
          dispatchedBy: d.dispatched_by,
          dispatchedAt: d.dispatched_at.toISOString(),
        },
      })),
      now,
    );
    return {
      dispatches: await findDispatchesBySourceKeys(
        tx,
        rows.map((r) => r.source_key),
      ),
      userErrors: [],
    };
  });
}
