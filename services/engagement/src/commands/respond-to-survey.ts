import { emit } from '@crm/events';
import { runCommand, type UserError } from '@crm/service-kit';
import { v7 as uuidv7 } from 'uuid';
import type { RespondToSurveyInput } from '../__generated__/resolvers-types.ts';
import type { EngagementContext } from '../context.ts';
import { findRelationshipManagerId } from '../db/customer-replica.store.ts';
import type { SurveyResponseRow } from '../db/schema.ts';
import { findDispatchInScope, findResponsesOfDispatches, findSurveysByIds, insertResponseOnce } from '../db/survey.store.ts';
import { isLowScore, validateAnswers } from '../domain/surveys.ts';
import { serviceRecoveryTask } from '../domain/tasks.ts';
import { createPlannedTask } from './create-planned-task.ts';

const alreadyAnswered: UserError = { field: 'dispatchId', code: 'ALREADY_RESPONDED', message: 'This survey dispatch has been answered already' };

export type SurveyResponseResult = { response: SurveyResponseRow | null; userErrors: UserError[] };

/** Records the answers to a dispatch of a customer in the caller's scope (once); a low score opens a service-recovery task. Emits SurveyResponded. */
export async function respondToSurvey(ctx: EngagementContext, input: RespondToSurveyInput): Promise<SurveyResponseResult> {
  // Scope first, outside the transaction: a refusal is audited as FORBIDDEN by the access layer.
  const dispatch = await findDispatchInScope(ctx.db, ctx.scope, input.dispatchId);
  const id = uuidv7();
  const done = await runCommand(
    ctx,
    { action: 'respondToSurvey', entityType: 'SurveyResponse', entityId: id },
    async (tx, audit): Promise<{ userErrors: UserError[] }> => {
      if (!dispatch) return { userErrors: [{ field: 'dispatchId', code: 'DISPATCH_NOT_FOUND', message: `No survey dispatch with id ${input.dispatchId}` }] };
      if ((await findResponsesOfDispatches(tx, ctx.scope, [dispatch.id])).length) return { userErrors: [alreadyAnswered] };
      const [survey] = await findSurveysByIds(tx, [dispatch.survey_id]);
      const result = validateAnswers(survey?.questions ?? [], input.answers);
      if (!result.ok) return { userErrors: result.errors };
      const { answers, npsScore, csatScore } = result.value;
      const now = ctx.now();
      const inserted = await insertResponseOnce(tx, {
        id,
        dispatch_id: dispatch.id,
        survey_id: dispatch.survey_id,
        customer_id: dispatch.customer_id,
        nps_score: npsScore,
        csat_score: csatScore,
        answers: JSON.stringify(answers),
        branch_id: dispatch.branch_id,
        officer_id: dispatch.officer_id,
        responded_at: now,
      });
      if (!inserted) return { userErrors: [alreadyAnswered] };
      const event = await emit(tx, 'SurveyResponded', {
        subject: dispatch.customer_id,
        time: now,
        data: {
          responseId: id,
          surveyId: dispatch.survey_id,
          dispatchId: dispatch.id,
          customerId: dispatch.customer_id,
          npsScore,
          csatScore,
          trigger: dispatch.trigger,
          respondedAt: now.toISOString(),
        },
      });
      if (isLowScore({ npsScore, csatScore })) {
        const assigneeId = (await findRelationshipManagerId(tx, dispatch.customer_id)) ?? dispatch.officer_id;
        await createPlannedTask(tx, serviceRecoveryTask({ customerId: dispatch.customer_id, responseId: id, npsScore, csatScore, assigneeId, at: now }), {
          sourceEventId: event.id,
        });
      }
      // free-text answers stay out of the audit record: the scores are kept
      audit.changes(null, { dispatchId: dispatch.id, customerId: dispatch.customer_id, npsScore, csatScore });
      return { userErrors: [] };
    },
  );
  if (done.userErrors.length || !dispatch) return { response: null, userErrors: done.userErrors };
  const [response] = await findResponsesOfDispatches(ctx.db, ctx.scope, [dispatch.id]);
  return { response: response ?? null, userErrors: [] };
}
