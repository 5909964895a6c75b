import { settingCache } from '@crm/service-kit';
import type { Kysely } from 'kysely';
import { findGradeThresholds, findPolicy } from './policy.store.ts';
import type { CustomerPolicyRow, DB, GradeThresholdRow } from './schema.ts';

/**
 * The policy and the grade thresholds, cached per process (per database handle) so a request
 * does not read them again. This process drops them when its own change commands end
 * (updateCustomerPolicy, setCustomerGradeThresholds); other instances of the service see a
 * change within the TTL (30 s). Commands and jobs read the tables themselves, in their transaction.
 */
const policy = settingCache<Kysely<DB>, CustomerPolicyRow>(findPolicy);
const thresholds = settingCache<Kysely<DB>, GradeThresholdRow[]>(findGradeThresholds);

export const cachedPolicy = (db: Kysely<DB>): Promise<CustomerPolicyRow> => policy.get(db);

/** Grade floors, highest first. */
export const cachedGradeThresholds = (db: Kysely<DB>): Promise<GradeThresholdRow[]> => thresholds.get(db);

/** Drops the cached policy and thresholds of this database (after a change command). */
export function invalidatePolicyCache(db: Kysely<DB>): void {
  policy.invalidate(db);
  thresholds.invalidate(db);
}
