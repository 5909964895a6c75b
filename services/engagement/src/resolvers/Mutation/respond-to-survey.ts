import { emit } from '@crm/events';
import { requireIdentity, requireRole, type UserError } from '@crm/service-kit';
import { v7 as uuidv7 } from 'uuid';
import type { MutationResolvers } from '../../__generated__/resolvers-types.ts';
import { findRelationshipManagerId } from '../../db/customer-replica.store.ts';
import { findDispatch, findResponsesOfDispatches, findSurveysByIds, insertResponseOnce } from '../../db/survey.store.ts';
import { isLowScore, validateAnswers } from '../../domain/surveys.ts';
import { serviceRecoveryTask } from '../../domain/tasks.ts';
import { createPlannedTask } from '../../events/create-task.ts';

const alreadyAnswered: UserError = { field: 'dispatchId', code: 'ALREADY_RESPONDED', message: 'This survey dispatch has been answered already' };

/** Records the answers to a dispatch (once); a low score opens a service-recovery task. */
export const respondToSurvey: MutationResolvers['respondToSurvey'] = async (_parent, { input }, ctx) => {
  const identity = requireIdentity(ctx);
  requireRole(identity, 'service_agent', 'loan_officer', 'branch_manager');
  const dispatch = await findDispatch(ctx.db, input.dispatchId);
  if (!dispatch)
    return { response: null, userErrors: [{ field: 'dispatchId', code: 'DISPATCH_NOT_FOUND', message: `No survey dispatch with id ${input.dispatchId}` }] };
  if ((await findResponsesOfDispatches(ctx.db, [dispatch.id])).length) return { response: null, userErrors: [alreadyAnswered] };
  const [survey] = await findSurveysByIds(ctx.db, [dispatch.survey_id]);
  const result = validateAnswers(survey?.questions ?? [], input.answers);
  if (!result.ok) return { response: null, userErrors: result.errors };
  const { answers, npsScore, csatScore } = result.value;
  const now = ctx.now();
  const id = uuidv7();
  const recorded = await ctx.db.transaction().execute(async (tx) => {
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
    if (!inserted) return false;
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
    return true;
  });
  if (!recorded) return { response: null, userErrors: [alreadyAnswered] };
  const [response] = await findResponsesOfDispatches(ctx.db, [dispatch.id]);
  return { response: response ?? null, userErrors: [] };
};
