import { findIdempotentReplay, requireIdentity, runCommand, type UserError } from '@crm/service-kit';
import { v7 as uuidv7 } from 'uuid';
import type { DefineSurveyInput } from '../__generated__/resolvers-types.ts';
import type { EngagementContext } from '../context.ts';
import type { SurveyRow } from '../db/schema.ts';
import { findSurveyIdByIdempotencyKey, insertSurvey } from '../db/survey.store.ts';
import { validateSurveyDefinition } from '../domain/surveys.ts';
import { replayed } from './replayed.ts';

export type SurveyResult = { survey: SurveyRow | null; userErrors: UserError[] };

/** Defines a survey (configuration: no customer data). */
export async function defineSurvey(ctx: EngagementContext, input: DefineSurveyInput): Promise<SurveyResult> {
  const identity = requireIdentity(ctx);
  const result = validateSurveyDefinition(input);
  const done = await runCommand(
    ctx,
    { action: 'defineSurvey', entityType: 'Survey' },
    async (tx, audit): Promise<{ id: string | null; userErrors: UserError[] }> => {
      // the replay check in the writing transaction: a second identical request waits, then replays
      const replay = await findIdempotentReplay(tx, 'survey', input.idempotencyKey, (key) => findSurveyIdByIdempotencyKey(tx, key));
      if (replay) return replayed(audit, replay);
      if (!result.ok) return { id: null, userErrors: result.errors };
      const id = uuidv7();
      audit.entity(id);
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
      return { id, userErrors: [] };
    },
  );
  if (!done.id) return { survey: null, userErrors: done.userErrors };
  return { survey: await ctx.loaders.survey.load(done.id), userErrors: [] };
}
