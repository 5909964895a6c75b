import { settingCache } from '@crm/service-kit';
import type { Kysely } from 'kysely';
import { findSettings } from './account.store.ts';
import { findRules } from './rule.store.ts';
import type { DB, EarningRuleRow, LoyaltySettingRow, LoyaltyTierRow } from './schema.ts';
import { findTiers } from './tier.store.ts';

/**
 * The programme settings and the tiers, cached per process (per database handle) so a request
 * does not read them again. This process drops them when its own change commands end
 * (updateLoyaltySettings, upsertLoyaltyTier, upsertEarningRule); other instances see a change
 * within the TTL (30 s). Event handlers read them from here too (once per process, not per
 * event); commands and jobs read the tables themselves, in their transaction.
 */
const settings = settingCache<Kysely<DB>, LoyaltySettingRow>(findSettings);
const tiers = settingCache<Kysely<DB>, LoyaltyTierRow[]>(findTiers);
const rules = settingCache<Kysely<DB>, EarningRuleRow[]>(findRules);

export const cachedSettings = (db: Kysely<DB>, reader?: Kysely<DB>): Promise<LoyaltySettingRow> => settings.get(db, reader);
export const cachedTiers = (db: Kysely<DB>, reader?: Kysely<DB>): Promise<LoyaltyTierRow[]> => tiers.get(db, reader);
/** The earning rules, for event handlers (upsertEarningRule drops them); loaded through `reader` (the handler's transaction) when given. */
export const cachedRules = (db: Kysely<DB>, reader?: Kysely<DB>): Promise<EarningRuleRow[]> => rules.get(db, reader);

/** Drops the cached settings, tiers and rules of this database (after a change command). */
export function invalidateProgrammeCache(db: Kysely<DB>): void {
  settings.invalidate(db);
  tiers.invalidate(db);
  rules.invalidate(db);
}
