import type { PageWindow, Scope } from '@crm/service-kit';
import { decodeCursor } from '@crm/service-kit';
import { type Expression, type ExpressionBuilder, type Insertable, type Kysely, type SqlBool, sql, type Updateable } from 'kysely';
import type { DB } from './schema.ts';
import { branchInScope } from './scope.ts';
import type { ConsultationDueTimeRow, ExpertField, ExpertRow, ExpertTable } from './service-centre.tables.ts';

/**
 * The expert directory (staff, not customer data): a branch's experts are visible within that
 * branch, institution-wide ones (no branch) to everyone; callers across branches see all.
 */
const visible = (scope: Scope) => branchInScope(scope, 'expert.branch_id');

export async function insertExpert(db: Kysely<DB>, row: Insertable<ExpertTable>): Promise<ExpertRow | undefined> {
  return db
    .insertInto('expert')
    .values(row)
    .onConflict((oc) => oc.column('user_id').doNothing())
    .returningAll()
    .executeTakeFirst();
}

export async function findExpertsByIds(db: Kysely<DB>, scope: Scope, ids: readonly string[]): Promise<ExpertRow[]> {
  if (!ids.length) return [];
  return db
    .selectFrom('expert')
    .selectAll()
    .where('id', 'in', [...ids])
    .where(visible(scope))
    .execute();
}

/** An expert the caller may see (undefined otherwise: a branch's expert is unknown elsewhere). */
export async function findVisibleExpert(db: Kysely<DB>, scope: Scope, id: string): Promise<ExpertRow | undefined> {
  return db.selectFrom('expert').selectAll().where('id', '=', id).where(visible(scope)).executeTakeFirst();
}

/** Any expert by id, whatever the caller's branch (a consultation names the expert who was asked). */
export async function findExpertById(db: Kysely<DB>, id: string): Promise<ExpertRow | undefined> {
  return db.selectFrom('expert').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function updateExpert(db: Kysely<DB>, id: string, patch: Updateable<ExpertTable>): Promise<ExpertRow> {
  return db.updateTable('expert').set(patch).where('id', '=', id).returningAll().executeTakeFirstOrThrow();
}

export interface ExpertQuery {
  field?: ExpertField | null;
  branchId?: string | null;
  institutionWide?: boolean | null;
  active?: boolean | null;
}

function matches(scope: Scope, filter: ExpertQuery) {
  return (eb: ExpressionBuilder<DB, 'expert'>) => {
    const conditions: Expression<SqlBool>[] = [visible(scope)];
    if (filter.field) conditions.push(sql<SqlBool>`expert.fields @> ${JSON.stringify([filter.field])}::jsonb`);
    if (filter.branchId) conditions.push(eb('expert.branch_id', '=', filter.branchId));
    if (filter.institutionWide === true) conditions.push(eb('expert.branch_id', 'is', null));
    if (filter.institutionWide === false) conditions.push(eb('expert.branch_id', 'is not', null));
    if (filter.active !== null && filter.active !== undefined) conditions.push(eb('expert.active', '=', filter.active));
    return eb.and(conditions);
  };
}

/** Keyset of the directory: name, then id. */
export const expertCursor = (row: ExpertRow) => [row.name, row.id];

export async function findExperts(db: Kysely<DB>, scope: Scope, filter: ExpertQuery, window: PageWindow): Promise<ExpertRow[]> {
  const after = window.after ? decodeCursor(window.after, 2).map(String) : null;
  return db
    .selectFrom('expert')
    .selectAll()
    .where(matches(scope, filter))
    .$if(after !== null, (q) => q.where((eb) => eb(eb.refTuple('name', 'id'), '>', eb.tuple(after?.[0] ?? '', after?.[1] ?? ''))))
    .orderBy('name')
    .orderBy('id')
    .limit(window.limit)
    .execute();
}

export async function countExperts(db: Kysely<DB>, scope: Scope, filter: ExpertQuery): Promise<number> {
  const row = await db
    .selectFrom('expert')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where(matches(scope, filter))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

export async function findDueTimes(db: Kysely<DB>): Promise<ConsultationDueTimeRow[]> {
  return db.selectFrom('consultation_due_time').selectAll().orderBy('field').execute();
}

export async function findDueHours(db: Kysely<DB>, field: ExpertField): Promise<number | undefined> {
  const row = await db.selectFrom('consultation_due_time').select('due_hours').where('field', '=', field).executeTakeFirst();
  return row?.due_hours;
}

/** Sets a field's due time; returns the previous hours (undefined when the field had none). */
export async function upsertDueHours(db: Kysely<DB>, field: ExpertField, hours: number): Promise<number | undefined> {
  const previous = await db.selectFrom('consultation_due_time').select('due_hours').where('field', '=', field).forUpdate().executeTakeFirst();
  await db
    .insertInto('consultation_due_time')
    .values({ field, due_hours: hours })
    .onConflict((oc) => oc.column('field').doUpdateSet({ due_hours: hours }))
    .execute();
  return previous?.due_hours;
}
