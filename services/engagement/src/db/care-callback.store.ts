import { type Kysely, sql } from 'kysely';
import type { DB, TaskStatus } from './schema.ts';
import { serviceLevelSql } from './service-level.store.ts';

/** The dedupe key of a care touch: one per customer and anchor (the instant the previous touch closed, or the needs were recorded). */
export const CARE_CALLBACK_PREFIX = 'CARE_CALLBACK:';
export const careCallbackKey = (customerId: string, anchor: Date) => `${CARE_CALLBACK_PREFIX}${customerId}:${anchor.toISOString()}`;
const keysOf = (customerId: string | null) => `${CARE_CALLBACK_PREFIX}${customerId ?? ''}%`;

/** A customer due a care touch, with what the next one is planned from. */
export interface CareCallbackCandidate {
  customer_id: string;
  relationship_manager_id: string | null;
  care_needs: string[];
  care_at: Date | null;
  /** The most frequent call-back of the customer's needs (service level, branch rows first). */
  every_days: number;
  /** When the latest touch was done or cancelled; null before the first. */
  last_closed: Date | null;
}

/**
 * Customers whose special-care needs call for a regular touch and who have none open, by
 * customer id (keyset `afterId`, `limit` per page), optionally one customer: one statement per
 * page. The call-back interval is computed in SQL from the service-level table
 * (`serviceLevelSql`, the rule of `effectiveServiceLevel`).
 */
export async function findCareCallbacksToPlan(
  db: Kysely<DB>,
  filter: { customerId?: string | null; afterId?: string | null; limit: number },
): Promise<CareCallbackCandidate[]> {
  const every = serviceLevelSql('p', 'r.branch_id').callbackEveryDays;
  const rows = await db
    .selectFrom('customer_service_profile as p')
    .innerJoin('customer_replica as r', 'r.id', 'p.customer_id')
    .select(['p.customer_id', 'r.relationship_manager_id', 'p.care_needs', 'p.care_at'])
    .select(every.as('every_days'))
    .select((eb) =>
      eb
        .selectFrom('task as t')
        .select(sql<Date | null>`max(coalesce(t.completed_at, t.cancelled_at))`.as('closed'))
        .whereRef('t.customer_id', '=', 'p.customer_id')
        .where('t.dedupe_key', 'like', sql<string>`${CARE_CALLBACK_PREFIX} || p.customer_id || ':%'`)
        .where('t.status', 'in', ['DONE', 'CANCELLED'])
        .as('last_closed'),
    )
    .where(sql<boolean>`cardinality(p.care_needs) > 0`)
    .where(every, 'is not', null)
    .where((eb) =>
      eb.not(
        eb.exists(
          eb
            .selectFrom('task as o')
            .select('o.id')
            .whereRef('o.customer_id', '=', 'p.customer_id')
            .where('o.dedupe_key', 'like', sql<string>`${CARE_CALLBACK_PREFIX} || p.customer_id || ':%'`)
            .where('o.status', 'in', ['OPEN', 'IN_PROGRESS']),
        ),
      ),
    )
    .$if(!!filter.customerId, (q) => q.where('p.customer_id', '=', filter.customerId ?? ''))
    .$if(!!filter.afterId, (q) => q.where('p.customer_id', '>', filter.afterId ?? ''))
    .orderBy('p.customer_id')
    .limit(filter.limit)
    .execute();
  return rows.map((r) => ({ ...r, every_days: Number(r.every_days), last_closed: r.last_closed ? new Date(r.last_closed) : null }));
}

/** Cancels a customer's open care touches (their needs call for none any more); returns those cancelled. */
export async function cancelOpenCareCallbacks(
  db: Kysely<DB>,
  customerId: string,
  at: Date,
  reason: string,
): Promise<{ id: string; type: string; previousStatus: TaskStatus }[]> {
  const open = await db
    .selectFrom('task')
    .select(['id', 'type', 'status'])
    .where('customer_id', '=', customerId)
    .where('dedupe_key', 'like', keysOf(customerId))
    .where('status', 'in', ['OPEN', 'IN_PROGRESS'])
    .forUpdate()
    .execute();
  if (!open.length) return [];
  await db
    .updateTable('task')
    .set({ status: 'CANCELLED', cancelled_at: at, cancel_reason: reason })
    .where(
      'id',
      'in',
      open.map((t) => t.id),
    )
    .execute();
  return open.map((t) => ({ id: t.id, type: t.type, previousStatus: t.status }));
}
