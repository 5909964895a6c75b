import { requireIdentity, requireRole, type UserError } from '@crm/service-kit';
import { v7 as uuidv7 } from 'uuid';
import type { MutationResolvers } from '../../__generated__/resolvers-types.ts';
import { findCustomerReplicas, findCustomerReplicasBy } from '../../db/customer-replica.store.ts';
import { findDispatchesBySourceKeys, findSurveysByIds, insertDispatches } from '../../db/survey.store.ts';

/** At most this many customers per dispatch call. */
const MAX_AUDIENCE = 10_000;

/**
 * Sends a survey to an audience engagement can name from its own replica: explicit customer ids,
 * a branch, or a relationship manager's customers (customers' rule-based segments are not
 * replicated here).
 */
export const dispatchSurvey: MutationResolvers['dispatchSurvey'] = async (_parent, { input }, ctx) => {
  const identity = requireIdentity(ctx);
  requireRole(identity, 'branch_manager', 'service_agent', 'loan_officer');
  const audiences = [input.customerIds?.length ? 1 : 0, input.branchId ? 1 : 0, input.relationshipManagerId ? 1 : 0].reduce((a, b) => a + b, 0);
  if (audiences !== 1) {
    return {
      dispatches: [],
      userErrors: [{ field: 'customerIds', code: 'ONE_AUDIENCE_REQUIRED', message: 'Give exactly one of customerIds, branchId, relationshipManagerId' }],
    };
  }
  const [survey] = await findSurveysByIds(ctx.db, [input.surveyId]);
  if (!survey?.active)
    return { dispatches: [], userErrors: [{ field: 'surveyId', code: 'SURVEY_NOT_FOUND', message: `No active survey with id ${input.surveyId}` }] };

  const ids = [...new Set(input.customerIds ?? [])];
  const customers = input.customerIds?.length ? await findCustomerReplicas(ctx.db, ids) : await findCustomerReplicasBy(ctx.db, input);
  if (input.customerIds?.length) {
    const known = new Set(customers.map((c) => c.id));
    const errors: UserError[] = (input.customerIds ?? []).flatMap((id, i) =>
      known.has(id) ? [] : [{ field: `customerIds.${i}`, code: 'CUSTOMER_NOT_FOUND', message: `No customer with id ${id}` }],
    );
    if (errors.length) return { dispatches: [], userErrors: errors };
  }
  if (customers.length > MAX_AUDIENCE) {
    return { dispatches: [], userErrors: [{ field: 'customerIds', code: 'AUDIENCE_TOO_LARGE', message: `At most ${MAX_AUDIENCE} customers per dispatch` }] };
  }
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
  await insertDispatches(ctx.db, rows);
  return {
    dispatches: await findDispatchesBySourceKeys(
      ctx.db,
      rows.map((r) => r.source_key),
    ),
    userErrors: [],
  };
};
