import type { Logger, RequestContext, ServiceDeps } from '@crm/service-kit';
import DataLoader from 'dataloader';
import type { Kysely } from 'kysely';
import { type CustomerRecord, findCustomersByIds } from './db/customer.store.ts';
import type { DB } from './db/schema.ts';

/** What every customers resolver receives. */
export interface CustomersContext extends RequestContext {
  db: Kysely<DB>;
  logger: Logger;
  now: () => Date;
  loaders: {
    /** Batches every customer looked up in one request into one query. */
    customer: DataLoader<string, CustomerRecord | null>;
  };
}

export function createContext(base: RequestContext, { db, logger }: ServiceDeps<DB>): CustomersContext {
  return {
    ...base,
    db,
    logger,
    now: () => new Date(),
    loaders: {
      customer: new DataLoader(async (ids) => {
        const rows = await findCustomersByIds(db, ids);
        const byId = new Map(rows.map((r) => [r.id, r]));
        return ids.map((id) => byId.get(id) ?? null);
      }),
    },
  };
}
