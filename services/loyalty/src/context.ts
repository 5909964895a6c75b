import { byIds, createPagedLoader, type RequestContext, type ServiceContext, type ServiceDeps, serviceContext } from '@crm/service-kit';
import DataLoader from 'dataloader';
import { type AccountWithBalance, findAccountsByCustomerIds, findAccountsByIds, findEntriesOfAccounts } from './db/account.store.ts';
import type { DB, PointsEntryRow } from './db/schema.ts';

/** What every loyalty resolver receives. */
export interface LoyaltyContext extends ServiceContext<DB> {
  loaders: {
    account: DataLoader<string, AccountWithBalance | null>;
    accountOfCustomer: DataLoader<string, AccountWithBalance | null>;
    entriesOfAccount: ReturnType<typeof createPagedLoader<PointsEntryRow>>;
  };
}

export function createContext(base: RequestContext, deps: ServiceDeps<DB>): LoyaltyContext {
  const { db } = deps;
  return {
    ...serviceContext(base, deps),
    loaders: {
      account: new DataLoader(async (ids) => byIds(ids, await findAccountsByIds(db, ids))),
      accountOfCustomer: new DataLoader(async (customerIds) => {
        const byCustomer = new Map((await findAccountsByCustomerIds(db, customerIds)).map((a) => [a.customer_id, a]));
        return customerIds.map((id) => byCustomer.get(id) ?? null);
      }),
      entriesOfAccount: createPagedLoader(
        (ids, window) => findEntriesOfAccounts(db, ids, window),
        (e) => e.account_id,
      ),
    },
  };
}
