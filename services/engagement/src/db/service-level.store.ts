import { inScope, type Scope } from '@crm/service-kit';
import { type Kysely, type RawBuilder, sql } from 'kysely';
import { DEFAULT_BRANCH, type EffectiveServiceLevel, effectiveServiceLevel, type ServiceLevel, type ServiceLevelKind } from '../domain/service-levels.ts';
import type { DB } from './schema.ts';
import type { ServiceLevelRow } from './service-level.tables.ts';

const toServiceLevel = (r: ServiceLevelRow): ServiceLevel => ({
  kind: r.kind,
  code: r.code,
  branchId: r.branch_id === DEFAULT_BRANCH ? null : r.branch_id,
  taskPriorityFloor: r.task_priority_floor,
  taskDuePercent: r.task_due_percent,
  complaintSlaPercent: r.complaint_sla_percent,
  worklistPoints: r.worklist_points,
  callbackEveryDays: r.callback_every_days,
  homeVisit: r.home_visit,
});

/** A row with who changed it last. */
export type StoredServiceLevel = ServiceLevel & { updatedBy: string; updatedAt: Date };

/**
 * The rows that can apply in a branch: the institution's defaults and the branch's own (every row
 * of every branch when `branchId` is undefined; only the defaults when null). Bounded: one per
 * grade and need per branch.
 */
export async function findServiceLevels(db: Kysely<DB>, branchId?: string | null): Promise<StoredServiceLevel[]> {
  const rows = await db
    .selectFrom('service_level')
    .selectAll()
    .$if(branchId !== undefined, (q) => q.where('branch_id', 'in', [DEFAULT_BRANCH, branchId ?? DEFAULT_BRANCH]))
    .orderBy('branch_id')
    .orderBy('kind', 'desc')
    .orderBy('code')
    .execute();
  return rows.map((r) => ({ ...toServiceLevel(r), updatedBy: r.updated_by, updatedAt: r.updated_at }));
}

/** Writes one row (a branch's own, or the default), replacing what it held. */
export async function saveServiceLevel(db: Kysely<DB>, level: ServiceLevel, by: string, at: Date): Promise<void> {
  const values = {
    task_priority_floor: level.taskPriorityFloor,
    task_due_percent: level.taskDuePercent,
    complaint_sla_percent: level.complaintSlaPercent,
    worklist_points: level.worklistPoints,
    callback_every_days: level.callbackEveryDays,
    home_visit: level.homeVisit,
    updated_by: by,
    updated_at: at,
  };
  await db
    .insertInto('service_level')
    .values({ branch_id: level.branchId ?? DEFAULT_BRANCH, kind: level.kind, code: level.code, ...values })
    .onConflict((oc) => oc.columns(['branch_id', 'kind', 'code']).doUpdateSet(values))
    .execute();
}

/** One stored row, or undefined (a branch without its own row for this grade or need). */
export async function findServiceLevelRow(
  db: Kysely<DB>,
  key: { branchId: string | null; kind: ServiceLevelKind; code: string },
): Promise<ServiceLevel | undefined> {
  const row = await db
    .selectFrom('service_level')
    .selectAll()
    .where('branch_id', '=', key.branchId ?? DEFAULT_BRANCH)
    .where('kind', '=', key.kind)
    .where('code', '=', key.code)
    .executeTakeFirst();
  return row ? toServiceLevel(row) : undefined;
}

export type CustomerServiceLevel = EffectiveServiceLevel & { branchId: string | null; customerId: string };

/** What one customer gets: their branch, grade and needs as engagement knows them, under the rows of their branch. */
export async function findServiceLevelOf(db: Kysely<DB>, customerId: string): Promise<CustomerServiceLevel> {
  const [of] = await findServiceLevelsOf(db, [customerId]);
  return of ?? { ...effectiveServiceLevel([], { branchId: null, grade: null, careNeeds: [] }), branchId: null, customerId };
}

/** The service level of each customer asked for (two queries whatever their number), customers unknown here neutral. */
export async function findServiceLevelsOf(db: Kysely<DB>, customerIds: readonly string[]): Promise<CustomerServiceLevel[]> {
  if (!customerIds.length) return [];
  const customers = await db
    .selectFrom('customer_replica as r')
    .fullJoin('customer_service_profile as p', 'p.customer_id', 'r.id')
    .select(['r.id', 'p.customer_id', 'r.branch_id', 'p.grade', 'p.care_needs'])
    .where((eb) => eb.or([eb('r.id', 'in', [...customerIds]), eb('p.customer_id', 'in', [...customerIds])]))
    .execute();
  const branches = [...new Set(customers.map((c) => c.branch_id).filter((b): b is string => !!b))];
  const levels = (
    await db
      .selectFrom('service_level')
      .selectAll()
      .where('branch_id', 'in', [DEFAULT_BRANCH, ...branches])
      .execute()
  ).map(toServiceLevel);
  return customerIds.map((customerId) => {
    const c = customers.find((x) => (x.id ?? x.customer_id) === customerId);
    const branchId = c?.branch_id ?? null;
    return { ...effectiveServiceLevel(levels, { branchId, grade: c?.grade ?? null, careNeeds: c?.care_needs ?? [] }), branchId, customerId };
  });
}

/** Service levels of customers for a caller: those outside the caller's scope (or unknown here) are left out. */
export async function findServiceLevelsInScope(db: Kysely<DB>, scope: Scope, customerIds: readonly string[]) {
  const known = await db
    .selectFrom('customer_replica')
    .select(['id', 'branch_id', 'relationship_manager_id'])
    .where('id', 'in', [...customerIds])
    .execute();
  const visible = known.filter((r) => inScope(scope, { branchId: r.branch_id, managerId: r.relationship_manager_id })).map((r) => r.id);
  return findServiceLevelsOf(db, visible);
}

/**
 * The service-level figures the worklist and the call-back run compute in SQL, for the customer
 * whose `customer_service_profile` row has alias `profile` and whose branch is `branchColumn`:
 * the grade's worklist points (VALUE), the highest worklist points of the needs (CARE) and the
 * most frequent call-back of the needs, each need's row being the branch's own, else the
 * default. Same rule as `effectiveServiceLevel` (domain/service-levels.ts); the test
 * service-levels.db.test.ts compares both.
 */
export function serviceLevelSql(
  profile: string,
  branchColumn: string,
): {
  valuePoints: RawBuilder<number>;
  carePoints: RawBuilder<number>;
  callbackEveryDays: RawBuilder<number | null>;
} {
  const branch = sql.ref(branchColumn);
  const needRows = sql`(select distinct on (sl.code) sl.worklist_points, sl.callback_every_days from service_level sl
    where sl.kind = 'CARE' and sl.code = any(${sql.ref(`${profile}.care_needs`)}) and sl.branch_id in (${branch}, ${DEFAULT_BRANCH})
    order by sl.code, sl.branch_id desc)`;
  return {
    valuePoints: sql<number>`coalesce((select sl.worklist_points from service_level sl
      where sl.kind = 'GRADE' and sl.code = ${sql.ref(`${profile}.grade`)} and sl.branch_id in (${branch}, ${DEFAULT_BRANCH})
      order by sl.branch_id desc limit 1), 0)`,
    carePoints: sql<number>`coalesce((select max(n.worklist_points) from ${needRows} n), 0)`,
    callbackEveryDays: sql<number | null>`(select min(n.callback_every_days) from ${needRows} n)`,
  };
}
