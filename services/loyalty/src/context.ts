import {
  addMonthsTo,
  byIds,
  byKey,
  countLoader,
  findReplicatedBusinessDate,
  type ParentPages,
  parentPagesLoader,
  type RequestContext,
  type Scope,
  type ServiceContext,
  type ServiceDeps,
  scopeOf,
  serviceContext,
} from '@crm/service-kit';
import DataLoader from 'dataloader';
import { type AccountWithBalance, countEntriesOfAccounts, findAccountsByCustomerIds, findAccountsByIds, findEntriesOfAccounts } from './db/account.store.ts';
import { cachedSettings, cachedTiers } from './db/programme.cache.ts';
import { countReferralsOfAccounts, findReferralsOfAccounts, type ReferralRow } from './db/referral.store.ts';
import { countRedemptionsOfAccounts, findRedemptionsByIds, findRedemptionsOfAccounts, findRewardsByIds } from './db/reward.store.ts';
import type { DB, LoyaltySettingRow, LoyaltyTierRow, PointsEntryRow, RedemptionRow, RewardRow } from './db/schema.ts';
import { qualifyingPoints } from './db/tier.store.ts';

/** What every loyalty resolver receives. */
export interface LoyaltyContext extends ServiceContext<DB> {
  /** Which members the caller may see and act on (nobody without an identity). */
  scope: Scope;
  /** The loaders of member data apply `scope`: out-of-scope members are simply not found. */
  loaders: {
    account: DataLoader<string, AccountWithBalance | null>;
    accountOfCustomer: DataLoader<string, AccountWithBalance | null>;
    entriesOfAccount: ParentPages<PointsEntryRow>;
    /** `totalCount` of the nested connections: one grouped count per field per request. */
    entryCount: DataLoader<string, number>;
    redemptionCount: DataLoader<string, number>;
    referralCount: DataLoader<string, number>;
    /** Qualifying points over the rolling window ending now, per account. */
    qualifyingPoints: DataLoader<string, number>;
    reward: DataLoader<string, RewardRow | null>;
    redemption: DataLoader<string, RedemptionRow | null>;
    redemptionsOfAccount: ParentPages<RedemptionRow>;
    referralsOfAccount: ParentPages<ReferralRow>;
    /** The programme's tiers and settings, read once per request. */
    tiers: () => Promise<LoyaltyTierRow[]>;
    settings: () => Promise<LoyaltySettingRow>;
  };
}

function once<T>(load: () => Promise<T>): () => Promise<T> {
  let promise: Promise<T> | undefined;
  return () => {
    promise ??= load();
    return promise;
  };
}

export function createContext(base: RequestContext, deps: ServiceDeps<DB>): LoyaltyContext {
  const { db } = deps;
  const ctx = serviceContext(base, deps);
  // Settings and tiers are cached per process (db/programme.cache.ts); once() keeps one answer per request.
  const settings = once(() => cachedSettings(db));
  const scope: Scope = base.identity ? scopeOf(base.identity) : { kind: 'branch', branchId: null, managerId: null };
  return {
    ...ctx,
    businessDate: () => findReplicatedBusinessDate(db),
    scope,
    loaders: {
      account: new DataLoader(async (ids) => byIds(ids, await findAccountsByIds(db, scope, ids))),
      accountOfCustomer: new DataLoader(async (customerIds) =>
        byKey(customerIds, await findAccountsByCustomerIds(db, scope, customerIds), (a) => a.customer_id),
      ),
      entriesOfAccount: parentPagesLoader((ids, window) => findEntriesOfAccounts(db, scope, ids, window)),
      entryCount: countLoader((ids) => countEntriesOfAccounts(db, scope, ids)),
      redemptionCount: countLoader((ids) => countRedemptionsOfAccounts(db, scope, ids)),
      referralCount: countLoader((ids) => countReferralsOfAccounts(db, scope, ids)),
      qualifyingPoints: new DataLoader(async (ids) => {
        const now = ctx.now();
        const { tier_window_months } = await settings();
        const points = await qualifyingPoints(db, ids, addMonthsTo(now, -tier_window_months), now);
        return ids.map((id) => points.get(id) ?? 0);
      }),
      reward: new DataLoader(async (ids) => byIds(ids, await findRewardsByIds(db, ids))),
      redemption: new DataLoader(async (ids) => byIds(ids, await findRedemptionsByIds(db, scope, ids))),
      referralsOfAccount: parentPagesLoader((ids, window) => findReferralsOfAccounts(db, scope, ids, window)),
      redemptionsOfAccount: parentPagesLoader((ids, window) => findRedemptionsOfAccounts(db, scope, ids, window)),
      tiers: once(() => cachedTiers(db)),
      settings,
    },
  };
}
