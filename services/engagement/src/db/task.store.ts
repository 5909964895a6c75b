import type { ChangePosition, PageWindow, Scope } from '@crm/service-kit';
import { changeColumns, changeFeedFilter, changeOrder, decodeCursor } from '@crm/service-kit';
import { type Expression, type ExpressionBuilder, type Kysely, type SqlBool, sql, type Updateable } from 'kysely';
import { customerInBranch, type ListPage } from './filters.ts';
import type { DB, NewTask, Stamped, TaskPriority, TaskRow, TaskStatus, TaskTable, TaskType } from './schema.ts';
import { assertCustomerInScope, customerInScope } from './scope.ts';

/**
 * Inserts a task unless it exists already: the same event never creates two tasks of a type
 * (unique source event and type), and the same business fact never two tasks (unique dedupe
 * key). Returns false when nothing was inserted. (The inbox already stops redelivered events;
 * this guards the rule itself.)
 */
export async function insertTaskOnce(db: Kysely<DB>, row: NewTask): Promise<boolean> {
  const inserted = await db
    .insertInto('task')
    .values(row)
    .onConflict((oc) => oc.doNothing())
    .returning('id')
    .executeTakeFirst();
  return inserted !== undefined;
}

/** Tasks by id, only those whose customer is in scope (entity references, nested reads). */
export async function findTasksByIds(db: Kysely<DB>, scope: Scope, ids: readonly string[]): Promise<TaskRow[]> {
  if (!ids.length) return [];
  return db
    .selectFrom('task')
    .selectAll()
    .where('id', 'in', [...ids])
    .where(customerInScope(scope, 'task.customer_id'))
    .execute();
}

/** One task by id: undefined when unknown, FORBIDDEN when its customer is outside the scope. */
export async function findTaskInScope(db: Kysely<DB>, scope: Scope, id: string): Promise<TaskRow | undefined> {
  const task = await db.selectFrom('task').selectAll().where('id', '=', id).executeTakeFirst();
  if (task) await assertCustomerInScope(db, scope, task.customer_id, 'task');
  return task;
}

export async function findTaskIdByIdempotencyKey(db: Kysely<DB>, key: string): Promise<string | undefined> {
  const row = await db.selectFrom('task').select('id').where('idempotency_key', '=', key).executeTakeFirst();
  return row?.id;
}

/** Newest tasks of each customer, `limit` per customer, optionally by status, in one query. */
export async function findTasksOfCustomers(
  db: Kysely<DB>,
  scope: Scope,
  customerIds: readonly string[],
  window: PageWindow & { status: TaskStatus[] | null },
): Promise<TaskRow[]> {
  const afterId = window.after ? String(decodeCursor(window.after, 1)[0]) : null;
  const ranked = db
    .selectFrom('task')
    .selectAll()
    .select((eb) =>
      eb.fn
        .agg<string>('row_number')
        .over((ob) => ob.partitionBy('customer_id').orderBy('id', 'desc'))
        .as('rn'),
    )
    .where('customer_id', 'in', [...customerIds])
    .where(customerInScope(scope, 'task.customer_id'))
    .$if(afterId !== null, (q) => q.where('id', '<', afterId ?? ''))
    .$if(!!window.status?.length, (q) => q.where('status', 'in', window.status ?? []));
  const rows = await db.selectFrom(ranked.as('r')).selectAll().where('rn', '<=', String(window.limit)).orderBy('customer_id').orderBy('id', 'desc').execute();
  return rows.map(({ rn: _rn, ...row }) => row);
}

const isOpen = (eb: ExpressionBuilder<DB, 'task'>) => eb('task.status', 'in', ['OPEN', 'IN_PROGRESS']);

export interface TaskQuery {
  assigneeId?: string | null;
  customerId?: string | null;
  branchId?: string | null;
  type?: readonly TaskType[] | null;
  status?: readonly TaskStatus[] | null;
  overdue?: boolean | null;
  dueFrom?: Date | null;
  dueTo?: Date | null;
  createdFrom?: Date | null;
  createdTo?: Date | null;
}

function matches(scope: Scope, filter: TaskQuery, now: Date) {
  return (eb: ExpressionBuilder<DB, 'task'>) => {
    const conditions: Expression<SqlBool>[] = [customerInScope(scope, 'task.customer_id')];
    if (filter.assigneeId) conditions.push(eb('task.assignee_id', '=', filter.assigneeId));
    if (filter.customerId) conditions.push(eb('task.customer_id', '=', filter.customerId));
    if (filter.branchId) conditions.push(customerInBranch('task.customer_id', filter.branchId));
    if (filter.type?.length) conditions.push(eb('task.type', 'in', [...filter.type]));
    if (filter.status?.length) conditions.push(eb('task.status', 'in', [...filter.status]));
    if (filter.overdue === true) conditions.push(eb.and([isOpen(eb), eb('task.due_at', '<', now)]));
    if (filter.overdue === false) conditions.push(eb.or([eb.not(isOpen(eb)), eb('task.due_at', '>=', now)]));
    if (filter.dueFrom) conditions.push(eb('task.due_at', '>=', filter.dueFrom));
    if (filter.dueTo) conditions.push(eb('task.due_at', '<', filter.dueTo));
    if (filter.createdFrom) conditions.push(eb('task.created_at', '>=', filter.createdFrom));
    if (filter.createdTo) conditions.push(eb('task.created_at', '<', filter.createdTo));
    return eb.and(conditions);
  };
}

/** Tasks matching a filter: newest first (keyset on id), or with `since` in change-feed order after it. */
export async function findTasks(db: Kysely<DB>, scope: Scope, filter: TaskQuery, page: ListPage, now: Date): Promise<Stamped<TaskRow>[]> {
  const base = db
    .selectFrom('task')
    .selectAll('task')
    .where(matches(scope, filter, now));
  if (page.since !== undefined) {
    return base.select(changeColumns('task')).where(changeFeedFilter('task', page.since)).orderBy(changeOrder('task')).limit(page.limit).execute();
  }
  const afterId = page.after ? String(decodeCursor(page.after, 1)[0]) : null;
  return base
    .$if(afterId !== null, (q) => q.where('task.id', '<', afterId ?? ''))
    .orderBy('task.id', 'desc')
    .limit(page.limit)
    .execute();
}

/** How many tasks match (in a `changedSince` pull: changed after `since`). */
export async function countTasks(db: Kysely<DB>, scope: Scope, filter: TaskQuery, since: ChangePosition | null | undefined, now: Date): Promise<number> {
  const row = await db
    .selectFrom('task')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where(matches(scope, filter, now))
    .$if(since !== undefined, (q) => q.where(changeFeedFilter('task', since ?? null)))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** Tasks per customer, optionally by status (Customer.tasks totalCount), one grouped statement. */
export async function countTasksOfCustomers(
  db: Kysely<DB>,
  scope: Scope,
  customerIds: readonly string[],
  status: readonly TaskStatus[] | null,
): Promise<{ key: string; n: number }[]> {
  if (!customerIds.length) return [];
  const rows = await db
    .selectFrom('task')
    .select((eb) => ['customer_id as key', eb.fn.countAll<string>().as('n')])
    .where('customer_id', 'in', [...customerIds])
    .where(customerInScope(scope, 'task.customer_id'))
    .$if(!!status?.length, (q) => q.where('status', 'in', [...(status ?? [])]))
    .groupBy('customer_id')
    .execute();
  return rows.map((r) => ({ key: r.key, n: Number(r.n) }));
}

/** Open tasks of an assignee in scope (the worklist's totalCount). */
export async function countWorklist(db: Kysely<DB>, scope: Scope, assigneeId: string): Promise<number> {
  const row = await db
    .selectFrom('task')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('assignee_id', '=', assigneeId)
    .where((eb) => isOpen(eb))
    .where(customerInScope(scope, 'task.customer_id'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** A task with its place in the worklist order. */
export type WorklistRow = TaskRow & { overdue_rank: number; priority_rank: number };

/** Keyset of a worklist row: the instant the order was taken at, then the order itself. */
export const worklistCursor = (now: Date) => (r: WorklistRow) => [now.toISOString(), r.overdue_rank, r.priority_rank, r.due_at.toISOString(), r.id];

/**
 * Open tasks of an assignee by urgency: overdue first, then priority (urgent first), then due
 * time, then id; keyset pagination on that order. The cursor carries the instant the first page
 * was taken at, so a task falling overdue between pages does not move under the reader.
 */
export async function findWorklist(
  db: Kysely<DB>,
  scope: Scope,
  assigneeId: string,
  window: PageWindow,
  now: Date,
): Promise<{ rows: WorklistRow[]; now: Date }> {
  let at = now;
  let after: [number, number, Date, string] | null = null;
  if (window.after) {
    const [cursorNow, overdue, priority, dueAt, id] = decodeCursor(window.after, 5);
    at = new Date(String(cursorNow));
    after = [Number(overdue), Number(priority), new Date(String(dueAt)), String(id)];
  }
  const ranked = db
    .selectFrom('task')
    .selectAll()
    .select((eb) => [
      eb.case().when('due_at', '<', at).then(sql.lit(0)).else(sql.lit(1)).end().$castTo<number>().as('overdue_rank'),
      eb
        .case('priority')
        .when('URGENT')
        .then(sql.lit(0))
        .when('HIGH')
        .then(sql.lit(1))
        .when('NORMAL')
        .then(sql.lit(2))
        .else(sql.lit(3))
        .end()
        .$castTo<number>()
        .as('priority_rank'),
    ])
    .where('assignee_id', '=', assigneeId)
    .where((eb) => isOpen(eb))
    .where(customerInScope(scope, 'task.customer_id'));
  const rows = await db
    .selectFrom(ranked.as('w'))
    .selectAll()
    .$if(after !== null, (q) =>
      q.where((eb) =>
        eb(eb.refTuple('overdue_rank', 'priority_rank', 'due_at', 'id'), '>', eb.tuple(after?.[0] ?? 0, after?.[1] ?? 0, after?.[2] ?? at, after?.[3] ?? '')),
      ),
    )
    .orderBy('overdue_rank')
    .orderBy('priority_rank')
    .orderBy('due_at')
    .orderBy('id')
    .limit(window.limit)
    .execute();
  return { rows, now: at };
}

/** Moves a task from one status to another; returns the updated row, or undefined if it was not in `from` any more. */
export async function updateTaskIfStatus(
  db: Kysely<DB>,
  scope: Scope,
  id: string,
  from: TaskStatus,
  patch: Pick<Updateable<TaskTable>, 'started_at' | 'completed_at' | 'completed_by' | 'completed_interaction_id' | 'cancelled_at' | 'cancel_reason'> & {
    status: TaskStatus;
  },
): Promise<TaskRow | undefined> {
  return db
    .updateTable('task')
    .set(patch)
    .where('id', '=', id)
    .where('status', '=', from)
    .where(customerInScope(scope, 'task.customer_id'))
    .returningAll()
    .executeTakeFirst();
}

/**
 * Tasks follow the relationship manager: the customer's open tasks held by the previous manager
 * (or by nobody) go to the new one. Tasks given to someone else on purpose stay with them.
 */
/** Moves the customer's open tasks held by the previous manager (or by nobody) to the new one; returns those moved, with their previous assignee. */
export async function reassignOpenTasks(
  db: Kysely<DB>,
  customerId: string,
  previousManagerId: string | null,
  managerId: string,
): Promise<{ id: string; type: TaskType; previousAssigneeId: string | null }[]> {
  const moving = await db
    .selectFrom('task')
    .select(['id', 'type', 'assignee_id'])
    .where('customer_id', '=', customerId)
    .where((eb) => isOpen(eb))
    .where((eb) => (previousManagerId ? eb.or([eb('assignee_id', 'is', null), eb('assignee_id', '=', previousManagerId)]) : eb('assignee_id', 'is', null)))
    .where('assignee_id', 'is distinct from', managerId)
    .orderBy('id')
    .forUpdate()
    .execute();
  if (!moving.length) return [];
  await db
    .updateTable('task')
    .set({ assignee_id: managerId })
    .where(
      'id',
      'in',
      moving.map((t) => t.id),
    )
    .execute();
  return moving.map((t) => ({ id: t.id, type: t.type, previousAssigneeId: t.assignee_id }));
}

/** Raises the priority of an open task found by its business key; false when there is none. */
export async function raiseOpenTaskPriority(
  db: Kysely<DB>,
  dedupeKey: string,
  priority: TaskPriority,
): Promise<{ id: string; customerId: string; type: string; previousPriority: string } | undefined> {
  const open = await db
    .selectFrom('task')
    .select(['id', 'customer_id', 'type', 'priority'])
    .where('dedupe_key', '=', dedupeKey)
    .where((eb) => isOpen(eb))
    .forUpdate()
    .executeTakeFirst();
  if (!open) return undefined;
  if (open.priority !== priority) await db.updateTable('task').set({ priority }).where('id', '=', open.id).execute();
  return { id: open.id, customerId: open.customer_id, type: open.type, previousPriority: open.priority };
}
