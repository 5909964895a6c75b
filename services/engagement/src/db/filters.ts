import type { ChangePosition } from '@crm/service-kit';
import { type SqlBool, sql } from 'kysely';

/**
 * Filters the top-level lists share: the customer's branch and relationship manager as the
 * replica knows them now (engagement's records carry only the customer id).
 */
export const customerInBranch = (customerIdColumn: string, branchId: string) =>
  sql<SqlBool>`exists (select 1 from customer_replica fb where fb.id = ${sql.ref(customerIdColumn)} and fb.branch_id = ${branchId})`;

export const customerOfManager = (customerIdColumn: string, managerId: string) =>
  sql<SqlBool>`exists (select 1 from customer_replica fm where fm.id = ${sql.ref(customerIdColumn)} and fm.relationship_manager_id = ${managerId})`;

/** The start of a UTC day, and the start of the day after (for inclusive `to` dates). */
export const dayStart = (date: string) => new Date(`${date}T00:00:00.000Z`);
export const dayAfter = (date: string) => new Date(dayStart(date).getTime() + 86_400_000);

/**
 * How a top-level list reads one page: in its keyset order after `after`, or (a `changedSince`
 * pull) in change-feed order after `since` (`null`: from the beginning).
 */
export interface ListPage {
  limit: number;
  after: string | null;
  since: ChangePosition | null | undefined;
}
