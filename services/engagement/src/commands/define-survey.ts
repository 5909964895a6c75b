import { requireIdentity, runCommand, type UserError } from '@crm/service-kit';
import { v7 as uuidv7 } from 'uuid';
import type { DefineSurveyInput } from '../__generated__/resolvers-types.ts';
import type { EngagementContext } from '../context.ts';
import type { SurveyRow } from '../db/schema.ts';
import { findSurveyIdByIdempotencyKey, insertSurvey } from '../db/survey.store.ts';
import { validateSurveyDefinition } from '../domain/surveys.ts';

export type SurveyResult = { survey: SurveyRow | null; userErrors: UserError[] };

/** Defines a survey (configuration: no customer data). */
export async function defineSurvey(ctx: EngagementContext, input: DefineSurveyInput): Promise<SurveyResult> {
  const identity = requireIdentity(ctx);
  if (input.idempotencyKey) {
    const existing = await findSurveyIdByIdempotencyKey(ctx.db, input.idempotencyKey);
    if (existing) return { survey: await ctx.loaders.survey.load(existing), userErrors: [] };
  }
  const result = validateSurveyDefinition(input);
  const id = uuidv7();
  const done = await runCommand(
    ctx,
    { action: 'defineSurvey', entityType: 'Survey', entityId: id },
    async (tx, audit): Promise<{ userErrors: UserError[] }> => {
      if (!result.ok) return { userErrors: result.errors };
      await insertSurvey(tx, {
        id,
        name: result.value.name,
        trigger: input.trigger ?? null,
        questions: JSON.stringify(result.value.questions),
        created_by: identity.userId,
        created_at: ctx.now(),
        idempotency_key: input.idempotencyKey ?? null,
      });
      audit.changes(null, { name: result.value.name, trigger: input.trigger ?? null, questions: result.value.questions.length });
      return { userErrors: [] };
    },
  );
  if (done.userErrors.length) return { survey: null, userErrors: done.userErrors };
  return { survey: await ctx.loaders.survey.load(id), userErrors: [] };
}
