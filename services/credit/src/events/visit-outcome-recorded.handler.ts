import type { EventHandler } from '@crm/events';
import { raiseVisitWarnings } from '../commands/raise-visit-warnings.ts';
import type { DB } from '../db/schema.ts';

/** A post-loan visit found funds misused, the business closed or concerns: the early-warning rules it fires are raised on the loan. */
export const onVisitOutcomeRecorded: EventHandler<DB, 'VisitOutcomeRecorded'> = async (tx, event) => {
  const v = event.data;
  await raiseVisitWarnings(tx, {
    loanId: v.loanId,
    taskId: v.taskId,
    visitedOn: v.visitedOn,
    customerMet: v.customerMet,
    businessOperating: v.businessOperating,
    fundUseAsDeclared: v.fundUseAsDeclared,
    concerns: v.concerns,
    raisedAt: new Date(event.time),
  });
};
