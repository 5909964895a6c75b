import type { Kysely } from 'kysely';
import { checkContactAllowed, findContactRules } from '../db/contact-limit.store.ts';
import type { DB } from '../db/schema.ts';
import { findServiceLevelOf } from '../db/service-level.store.ts';
import type { TaskPlanning } from '../db/service-level.tables.ts';
import { allowedAgainAt, contactOfTaskType, fitDueIntoContactHours, hoursName } from '../domain/contact-limits.ts';
import { raisePriority, shortenDue } from '../domain/service-levels.ts';
import type { TaskPlan } from '../domain/tasks.ts';

/**
 * How a task is shaped when it is created:
 * - `planned` (the default: tasks planned from events and runs): the service level's priority floor,
 *   its share of the lead time, and the contact rules;
 * - `interval`: the same without shortening the due time (a care touch whose interval is the service level itself,
 *   a visit or review of the monitoring cadence);
 * - `manual`: a task created by hand keeps its due time; only the priority floor applies.
 */
export type TaskShaping = 'planned' | 'interval' | 'manual';

/** Visit tasks (and care touches) are home visits for customers whose needs call for them. */
const isVisitOrTouch = (type: string) => type === 'CARE' || type.includes('VISIT');

/**
 * Applies the customer's service level and the contact rules to a task about to be created
 * (`at`: when it is planned). The due time of an outbound contact task moves, when needed, to when
 * its contact limits allow the contact again and into the allowed hours of its purpose; a due time
 * already passed is left alone. Returns the shaped plan and how it was shaped (null when nothing
 * applied: no grade, no needs, no change).
 */
export async function shapeTaskPlan(
  db: Kysely<DB>,
  plan: TaskPlan,
  options: { at: Date; shaping: TaskShaping },
): Promise<{ plan: TaskPlan; planning: TaskPlanning | null }> {
  const { at } = options;
  // a visit or review of the monitoring cadence keeps its interval, as the care touches do
  const shaping: TaskShaping = options.shaping === 'planned' && plan.cadence ? 'interval' : options.shaping;
  const level = await findServiceLevelOf(db, plan.customerId);
  const priority = raisePriority(plan.priority, level.taskPriorityFloor);
  let dueAt = shortenDue(plan.dueAt, at, shaping === 'planned' ? level.taskDuePercent : 100);
  // the share of the lead time kept, as applied (a due time already passed is not shortened)
  const duePercent = dueAt.getTime() !== plan.dueAt.getTime() ? level.taskDuePercent : 100;
  const homeVisit = level.homeVisit && isVisitOrTouch(plan.type);
  const contactRules: TaskPlanning['contactRules'] = [];
  const contact = shaping === 'manual' ? null : contactOfTaskType(plan.type, homeVisit);
  if (contact && dueAt.getTime() > at.getTime()) {
    const rules = await findContactRules(db);
    const decision = await checkContactAllowed(db, { customerId: plan.customerId, ...contact, at }, rules);
    const limits = decision.refusals.filter((r) => r.code === 'CONTACT_LIMIT_REACHED');
    const again = limits.length ? allowedAgainAt(limits) : null;
    if (again && again.getTime() > dueAt.getTime()) {
      dueAt = again;
      contactRules.push(...limits.map((r) => ({ code: r.code, rule: r.rule })));
    }
    const hours = rules.hours.find((h) => h.purpose === contact.purpose);
    if (hours) {
      const fitted = fitDueIntoContactHours(hours, dueAt, again && again.getTime() > at.getTime() ? again : at);
      if (fitted.getTime() !== dueAt.getTime()) {
        dueAt = fitted;
        contactRules.push({ code: 'OUTSIDE_CONTACT_HOURS', rule: hoursName(hours) });
      }
    }
  }
  const changed = priority !== plan.priority || dueAt.getTime() !== plan.dueAt.getTime() || homeVisit;
  const planning: TaskPlanning | null =
    changed || level.grade || level.careNeeds.length
      ? {
          basePriority: plan.priority,
          baseDueAt: plan.dueAt.toISOString(),
          grade: level.grade,
          careNeeds: level.careNeeds,
          duePercent,
          homeVisit,
          contactRules,
        }
      : null;
  return { plan: { ...plan, priority, dueAt }, planning };
}
