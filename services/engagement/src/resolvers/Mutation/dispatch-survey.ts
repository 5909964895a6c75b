import { requireIdentity, requireRole } from '@crm/service-kit';
import { v7 as uuidv7 } from 'uuid';
import type { MutationResolvers } from '../../__generated__/resolvers-types.ts';
import { findCustomerReplicas, findCustomerReplicasBy } from '../../db/customer-replica.store.ts';
import { findDispatchesBySourceKeys, findSurveysByIds, insertDispatches } from '../../db/survey.store.ts';
import { checkAudienceSize, checkSurveyAudience, missingIds } from '../../domain/audience.ts';

/**
 * Sends a survey to an audience engagement can name from its own replica: explicit customer ids,
 * a branch, or a relationship manager's customers (customers' rule-based segments are not
 * replicated here).
 */
export const dispatchSurvey: MutationResolvers['dispatchSurvey'] = async (_parent, { input }, ctx) => {
  const identity = requireIdentity(ctx);
  requireRole(identity, 'branch_manager', 'service_agent', 'loan_officer');
  const audience = checkSurveyAudience(input);
  if (audience) return { dispatches: [], userErrors: [audience] };
  const [survey] = await findSurveysByIds(ctx.db, [input.surveyId]);
  if (!survey?.active)
    return { dispatches: [], userErrors: [{ field: 'surveyId', code: 'SURVEY_NOT_FOUND', message: `No active survey with id ${input.surveyId}` }] };

  const listed = input.customerIds ?? [];
  const customers = listed.length ? await findCustomerReplicas(ctx.db, [...new Set(listed)]) : await findCustomerReplicasBy(ctx.db, input);
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
  await insertDispatches(ctx.db, rows);
  return {
    dispatches: await findDispatchesBySourceKeys(
      ctx.db,
      rows.map((r) => r.source_key),
    ),
    userErrors: [],
  };
};
