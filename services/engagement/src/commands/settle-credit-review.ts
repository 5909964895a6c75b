import { emit } from '@crm/events';
import type { Kysely } from 'kysely';
import { completeTaskBySystem, findOpenReviewWork, recordLastMonitoring } from '../db/monitoring.store.ts';
import type { DB } from '../db/schema.ts';

/**
 * Credit recorded a review of a loan (CreditReviewRecorded), in the handler's transaction: the
 * next review counts from its date, and the loan's open planned review with the escalations of
 * an overdue one are done, completed by the reviewer (TaskCompleted each). A redelivery finds
 * nothing open and changes nothing.
 */
export async function settleCreditReview(
  tx: Kysely<DB>,
  input: { loanId: string; reviewedOn: string; reviewerId: string; at: Date },
): Promise<{ completed: number }> {
  await recordLastMonitoring(tx, input.loanId, 'REVIEW', input.reviewedOn);
  let completed = 0;
  for (const open of await findOpenReviewWork(tx, input.loanId)) {
    const task = await completeTaskBySystem(tx, open.id, input.reviewerId, input.at);
    if (!task) continue;
    await emit(tx, 'TaskCompleted', {
      subject: task.customer_id,
      time: input.at,
      data: {
        taskId: task.id,
        customerId: task.customer_id,
        type: task.type,
        completedBy: input.reviewerId,
        interactionId: null,
        completedAt: input.at.toISOString(),
      },
    });
    completed++;
  }
  return { completed };
}
