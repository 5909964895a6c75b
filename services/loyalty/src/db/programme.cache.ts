import { settingCache } from '@crm/service-kit';
import type { Kysely } from 'kysely';
import { findSettings } from './account.store.ts';
import type { DB, LoyaltySettingRow, LoyaltyTierRow } from './schema.ts';
import { findTiers } from './tier.store.ts';

/**
 * The programme settings and the tiers, cached per process (per database handle) so a request
 * does not read them again. This process drops them when its own change commands end
 * (updateLoyaltySettings, upsertLoyaltyTier); other instances see a change within the TTL
 * (30 s). Commands and jobs read the tables themselves, in their transaction.
 */
const settings = settingCache<Kysely<DB>, LoyaltySettingRow>(findSettings);
const tiers = settingCache<Kysely<DB>, LoyaltyTierRow[]>(findTiers);

export const cachedSettings = (db: Kysely<DB>): Promise<LoyaltySettingRow> => settings.get(db);
export const cachedTiers = (db: Kysely<DB>): Promise<LoyaltyTierRow[]> => tiers.get(db);

/** Drops the cached settings and tiers of this database (after a change command). */
export function invalidateProgrammeCache(db: Kysely<DB>): void {
  settings.invalidate(db);
  tiers.invalidate(db);
}
