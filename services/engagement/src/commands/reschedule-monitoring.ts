import { emit } from '@crm/events';
import { endOfDate } from '@crm/service-kit';
import type { Kysely } from 'kysely';
import { applyRiskClass, bandOf, findCadence, findOpenCadenceTasks, moveTaskDue } from '../db/monitoring.store.ts';
import type { DB } from '../db/schema.ts';
import { cadenceFor, everyDays, rescheduledDueOn } from '../domain/monitoring.ts';
import type { RiskClass } from '../domain/types.ts';

/**
 * A loan's risk class changed (RiskClassChanged), in the handler's transaction: engagement's
 * replica takes the new class (an older change never overwrites a newer one), and the loan's open
 * planned visit and review move to the new class's cadence (`rescheduledDueOn`: the last one, or
 * the disbursement, plus the new interval, never before the day of the change), each with
 * TaskRescheduled. A redelivery finds the tasks already there and moves nothing. The next tasks
 * are planned by the monitoring-plan run with the new cadence.
 */
export async function rescheduleMonitoring(
  tx: Kysely<DB>,
  input: { loanId: string; riskClass: RiskClass; changedOn: string; at: Date },
): Promise<{ rescheduled: number }> {
  const loan = await applyRiskClass(tx, input.loanId, input.riskClass, input.at);
  if (!loan?.disbursed_on) return { rescheduled: 0 };
  const band = cadenceFor((await findCadence(tx)).map(bandOf), input.riskClass, loan.principal === null ? null : String(loan.principal));
  if (!band) return { rescheduled: 0 };
  let rescheduled = 0;
  for (const task of await findOpenCadenceTasks(tx, input.loanId)) {
    if (!task.cadence) continue;
    const dueOn = rescheduledDueOn({
      disbursedOn: loan.disbursed_on,
      lastOn: task.cadence === 'VISIT' ? loan.last_visit_on : loan.last_review_on,
      everyDays: everyDays(band, task.cadence),
      changedOn: input.changedOn,
    });
    const dueAt = endOfDate(dueOn);
    if (dueAt.getTime() === task.due_at.getTime()) continue;
    await moveTaskDue(tx, task.id, dueAt);
    await emit(tx, 'TaskRescheduled', {
      subject: task.customer_id,
      time: input.at,
      data: {
        taskId: task.id,
        customerId: task.customer_id,
        type: task.type,
        loanId: task.loan_id,
        previousDueAt: task.due_at.toISOString(),
        dueAt: dueAt.toISOString(),
        reason: 'RISK_CLASS_CHANGED',
        changedAt: input.at.toISOString(),
      },
    });
    rescheduled++;
  }
  return { rescheduled };
}
