import { byIds, type RequestContext, type ServiceContext, type ServiceDeps, serviceContext } from '@crm/service-kit';
import DataLoader from 'dataloader';
import { type CustomerRecord, findCustomersByIds } from './db/customer.store.ts';
import type { DB } from './db/schema.ts';

/** What every customers resolver receives. */
export interface CustomersContext extends ServiceContext<DB> {
  loaders: {
    /** Batches every customer looked up in one request into one query. */
    customer: DataLoader<string, CustomerRecord | null>;
  };
}

export function createContext(base: RequestContext, deps: ServiceDeps<DB>): CustomersContext {
  const { db } = deps;
  return {
    ...serviceContext(base, deps),
    loaders: {
      customer: new DataLoader(async (ids) => byIds(ids, await findCustomersByIds(db, ids))),
    },
  };
}
