import { earningHandler } from './batch.ts';

/** A completed survey earns (rule SURVEY_COMPLETED), once per response. Set-based for a batch (batch.ts). */
export const onSurveyResponded = earningHandler<'SurveyResponded'>(({ data }) => ({
  customerId: data.customerId,
  ruleCode: 'SURVEY_COMPLETED',
  amount: null,
  sourceRef: `survey-response:${data.responseId}`,
}));
