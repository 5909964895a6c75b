import { requireIdentity, requireRole } from '@crm/service-kit';
import { v7 as uuidv7 } from 'uuid';
import type { MutationResolvers } from '../../__generated__/resolvers-types.ts';
import { findSurveyIdByIdempotencyKey, insertSurvey } from '../../db/survey.store.ts';
import { validateSurveyDefinition } from '../../domain/surveys.ts';

export const defineSurvey: MutationResolvers['defineSurvey'] = async (_parent, { input }, ctx) => {
  const identity = requireIdentity(ctx);
  requireRole(identity, 'branch_manager', 'service_agent', 'analyst');
  if (input.idempotencyKey) {
    const existing = await findSurveyIdByIdempotencyKey(ctx.db, input.idempotencyKey);
    if (existing) return { survey: await ctx.loaders.survey.load(existing), userErrors: [] };
  }
  const result = validateSurveyDefinition(input);
  if (!result.ok) return { survey: null, userErrors: result.errors };
  const id = uuidv7();
  await insertSurvey(ctx.db, {
    id,
    name: result.value.name,
    trigger: input.trigger ?? null,
    questions: JSON.stringify(result.value.questions),
    created_by: identity.userId,
    created_at: ctx.now(),
    idempotency_key: input.idempotencyKey ?? null,
  });
  return { survey: await ctx.loaders.survey.load(id), userErrors: [] };
};
