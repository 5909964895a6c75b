import {
  type ChangePosition,
  type ChangeStamped,
  type CountedConnection,
  changeColumns,
  changeFeedFilter,
  changeOrder,
  dateText,
  decodeCursor,
  inScopeSql,
  type Scope,
} from '@crm/service-kit';
import type { ExpressionBuilder, Kysely } from 'kysely';
import type { CustomerGradeChangeRow, DB, Grade } from './schema.ts';

export interface GradeChangeFilter {
  customerId?: string | null;
  /** The branch the customer was in when the grade changed. */
  branchId?: string | null;
  /** The relationship manager the customer had when the grade changed. */
  relationshipManagerId?: string | null;
  fromGrade?: Grade[] | null;
  toGrade?: Grade[] | null;
  /** Effective on or after this date. */
  effectiveFrom?: string | null;
  /** Effective on or before this date. */
  effectiveTo?: string | null;
}

/** A grade change as the list returns it; the stamp only in a `changedSince` pull. */
export type GradeChangeRecord = CustomerGradeChangeRow & Partial<ChangeStamped>;

/** Keyset of a grade change in the list's order (effective date, then id: ties on the date are broken by id). */
export const gradeChangeCursor = (row: CustomerGradeChangeRow) => [dateText(row.effective_on), row.id];

function matches(filter: GradeChangeFilter, scope: Scope) {
  return (eb: ExpressionBuilder<DB, 'customer_grade_change'>) => {
    const conditions = [
      // Scope follows the customer now (like every record hanging off a customer).
      eb.exists(
        eb
          .selectFrom('customer')
          .select('customer.id')
          .whereRef('customer.id', '=', 'customer_grade_change.customer_id')
          .where(inScopeSql(scope, 'customer.branch_id', 'customer.relationship_manager_id')),
      ),
    ];
    if (filter.customerId) conditions.push(eb('customer_grade_change.customer_id', '=', filter.customerId));
    if (filter.branchId) conditions.push(eb('customer_grade_change.branch_id', '=', filter.branchId));
    if (filter.relationshipManagerId) conditions.push(eb('customer_grade_change.relationship_manager_id', '=', filter.relationshipManagerId));
    if (filter.fromGrade?.length) conditions.push(eb('customer_grade_change.from_grade', 'in', filter.fromGrade));
    if (filter.toGrade?.length) conditions.push(eb('customer_grade_change.to_grade', 'in', filter.toGrade));
    if (filter.effectiveFrom) conditions.push(eb('customer_grade_change.effective_on', '>=', filter.effectiveFrom));
    if (filter.effectiveTo) conditions.push(eb('customer_grade_change.effective_on', '<=', filter.effectiveTo));
    return eb.and(conditions);
  };
}

/**
 * One page of grade changes: in (effective date, id) order after a keyset cursor, or, with
 * `since` (a `changedSince` pull), in change-feed order after that position.
 */
export async function listGradeChanges(
  db: Kysely<DB>,
  scope: Scope,
  filter: GradeChangeFilter,
  page: { limit: number; after: string | null; since: ChangePosition | null | undefined },
): Promise<GradeChangeRecord[]> {
  const base = db.selectFrom('customer_grade_change').selectAll('customer_grade_change').where(matches(filter, scope));
  if (page.since !== undefined) {
    return base
      .select(changeColumns('customer_grade_change'))
      .where(changeFeedFilter('customer_grade_change', page.since))
      .orderBy(changeOrder('customer_grade_change'))
      .limit(page.limit)
      .execute();
  }
  const after = page.after ? decodeCursor(page.after, 2).map(String) : null;
  return base
    .$if(after !== null, (q) =>
      q.where((eb) =>
        eb.or([
          eb('customer_grade_change.effective_on', '>', after?.[0] ?? ''),
          eb.and([eb('customer_grade_change.effective_on', '=', after?.[0] ?? ''), eb('customer_grade_change.id', '>', after?.[1] ?? '')]),
        ]),
      ),
    )
    .orderBy('customer_grade_change.effective_on')
    .orderBy('customer_grade_change.id')
    .limit(page.limit)
    .execute();
}

export async function countGradeChanges(db: Kysely<DB>, scope: Scope, filter: GradeChangeFilter): Promise<number> {
  const row = await db
    .selectFrom('customer_grade_change')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where(matches(filter, scope))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** `customerGradeChanges`: a page and its lazy count. */
export type GradeChangePage = CountedConnection<GradeChangeRecord>;
