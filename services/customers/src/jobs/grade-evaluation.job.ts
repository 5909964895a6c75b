import { emitMany, type PendingEvent } from '@crm/events';
import type { JobDefinition } from '@crm/service-kit';
import type { Insertable } from 'kysely';
import { v7 as uuidv7 } from 'uuid';
import { applyGradeStates, countCustomersToGrade, findCustomersToGrade, insertGradeChanges, upsertValueScores } from '../db/grade.store.ts';
import { findGradeThresholds, findPolicy } from '../db/policy.store.ts';
import type { CustomerGradeChangeTable, DB } from '../db/schema.ts';
import { findValueInputs } from '../db/value.store.ts';
import { evaluateGrade, type GradeState } from '../domain/grade.ts';
import { computeValueScore, type ValueScore } from '../domain/value-score.ts';

const PAGE = 500;

export interface GradeEvaluationCounts {
  scored: number;
  initialGrades: number;
  upgrades: number;
  atRiskOpened: number;
  atRiskCancelled: number;
  downgrades: number;
}

/**
 * Scores every customer as of a date and applies the grade rules (upgrade at once, downgrade
 * after the at-risk window). Set-wise: per page of 500 customers, a fixed number of queries
 * (page, four aggregate queries, one upsert of scores, one UPDATE per distinct outcome, one
 * INSERT of events). Repeatable: a rerun for the same date rewrites the same scores and finds
 * nothing left to change.
 */
export const gradeEvaluationJob: JobDefinition<DB> = {
  name: 'grade-evaluation',
  description: 'Value scores of all customers, grades, at-risk windows and downgrades for a business date',
  everyMs: 6 * 60 * 60 * 1000,
  // customers scored are looked at, not changed
  affected: ({ scored: _scored, ...changes }) => Object.values(changes).reduce((s, v) => s + v, 0),
  async run({ db, asOf, now, progress }) {
    const total = await countCustomersToGrade(db, asOf);
    const policy = await findPolicy(db);
    const thresholds = (await findGradeThresholds(db)).map((t) => ({ grade: t.grade, minScore: t.min_score }));
    const counts: GradeEvaluationCounts = { scored: 0, initialGrades: 0, upgrades: 0, atRiskOpened: 0, atRiskCancelled: 0, downgrades: 0 };
    let afterId: string | null = null;
    let seen = 0;
    for (;;) {
      const page = await findCustomersToGrade(db, asOf, afterId, PAGE);
      if (!page.length) break;
      afterId = page[page.length - 1]?.id ?? null;
      const inputs = await findValueInputs(db, page, asOf);
      const scores: { customerId: string; score: ValueScore }[] = [];
      const changes: { customerId: string; next: GradeState }[] = [];
      const events: PendingEvent[] = [];
      const gradeChanges: Insertable<CustomerGradeChangeTable>[] = [];
      for (const customer of page) {
        const i = inputs.get(customer.id);
        if (!i) continue;
        const score = computeValueScore(i, asOf, thresholds);
        scores.push({ customerId: customer.id, score });
        const decision = evaluateGrade(customer.state, score.total, thresholds, asOf, policy.at_risk_window_days);
        if (decision.action === 'NONE') continue;
        changes.push({ customerId: customer.id, next: decision.next });
        const total = score.total.toFixed(2);
        const previous = customer.state.grade;
        const next = decision.next.grade;
        if (next && (decision.action === 'INITIAL' || decision.action === 'UPGRADE' || decision.action === 'DOWNGRADE')) {
          counts[decision.action === 'INITIAL' ? 'initialGrades' : decision.action === 'UPGRADE' ? 'upgrades' : 'downgrades']++;
          gradeChanges.push({
            id: uuidv7(),
            customer_id: customer.id,
            from_grade: previous,
            to_grade: next,
            score: total,
            effective_on: asOf,
            branch_id: customer.branch_id,
            relationship_manager_id: customer.relationship_manager_id,
          });
          events.push({
            name: 'CustomerGradeChanged',
            subject: customer.id,
            data: { customerId: customer.id, previousGrade: previous, grade: next, score: total, effectiveOn: asOf },
          });
        }
        if (decision.action === 'AT_RISK_OPENED' && previous && decision.next.projected && decision.next.atRiskUntil) {
          counts.atRiskOpened++;
          events.push({
            name: 'CustomerGradeAtRisk',
            subject: customer.id,
            data: {
              customerId: customer.id,
              grade: previous,
              projectedGrade: decision.next.projected,
              score: total,
              floor: decision.floor ?? '0',
              windowEndsOn: decision.next.atRiskUntil,
            },
          });
        }
        if (decision.action === 'AT_RISK_CANCELLED') counts.atRiskCancelled++;
      }
      counts.scored += scores.length;
      await db.transaction().execute(async (tx) => {
        await upsertValueScores(tx, scores);
        await applyGradeStates(tx, changes);
        await insertGradeChanges(tx, gradeChanges);
        await emitMany(tx, events, now);
      });
      seen += page.length;
      await progress(seen, Math.max(total, seen));
      if (page.length < PAGE) break;
    }
    return { ...counts };
  },
};
