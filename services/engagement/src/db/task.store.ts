import type { ChangePosition, PageWindow, Parented, Scope, SortKey } from '@crm/service-kit';
import { changeColumns, changeFeedFilter, changeOrder, countsOf, decodeCursor, windowPages } from '@crm/service-kit';
import type { Expression, ExpressionBuilder, Kysely, SqlBool, Updateable } from 'kysely';
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

/** The priority a task was stored with (after the service level's floor). */
export async function findTaskPriority(db: Kysely<DB>, id: string): Promise<TaskPriority> {
  const row = await db.selectFrom('task').select('priority').where('id', '=', id).executeTakeFirstOrThrow();
  return row.priority;
}

export async function findTaskIdByIdempotencyKey(db: Kysely<DB>, key: string): Promise<string | undefined> {
  const row = await db.selectFrom('task').select('id').where('idempotency_key', '=', key).executeTakeFirst();
  return row?.id;
}

/** The tasks of many customers (in scope; of these statuses when given), with the customer as `_parent`. */
const tasksOfCustomers = (db: Kysely<DB>, scope: Scope, customerIds: readonly string[], status: readonly TaskStatus[] | null) =>
  db
    .selectFrom('task')
    .selectAll()
    .select('customer_id as _parent')
    .where('customer_id', 'in', [...customerIds])
    .where(customerInScope(scope, 'task.customer_id'))
    .$if(!!status?.length, (q) => q.where('status', 'in', [...(status ?? [])]));

/** Per-customer order: newest first by id (UUIDv7: creation order; unique, so no ties). */
const TASK_ORDER: readonly SortKey[] = [{ ref: 'id', type: 'text' }];

/** `Customer.tasks`: one page per customer (optionally by status) after a cursor, in one statement (a window function). */
export async function findTasksOfCustomers(
  db: Kysely<DB>,
  scope: Scope,
  customerIds: readonly string[],
  window: PageWindow & { status: readonly TaskStatus[] | null },
): Promise<Parented<TaskRow>[]> {
  if (!customerIds.length) return [];
  return windowPages<TaskRow>(db, tasksOfCustomers(db, scope, customerIds, window.status), TASK_ORDER, 'desc', window);
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
): Promise<Map<string, number>> {
  if (!customerIds.length) return new Map();
  return countsOf(db, tasksOfCustomers(db, scope, customerIds, status));
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
