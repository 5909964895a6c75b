import type { Logger, RequestContext, ServiceDeps } from '@crm/service-kit';
import DataLoader from 'dataloader';
import type { Kysely } from 'kysely';
import { findLoansByCustomerIds, findLoansByIds } from './db/loan.store.ts';
import type { DB, LoanRow } from './db/schema.ts';

/** What every credit resolver receives. */
export interface CreditContext extends RequestContext {
  db: Kysely<DB>;
  logger: Logger;
  now: () => Date;
  loaders: {
    loan: DataLoader<string, LoanRow | null>;
    /** The loans of each customer asked for in one request, in one query. */
    loansOfCustomer: DataLoader<string, LoanRow[]>;
  };
}

export function createContext(base: RequestContext, { db, logger }: ServiceDeps<DB>): CreditContext {
  return {
    ...base,
    db,
    logger,
    now: () => new Date(),
    loaders: {
      loan: new DataLoader(async (ids) => {
        const byId = new Map((await findLoansByIds(db, ids)).map((l) => [l.id, l]));
        return ids.map((id) => byId.get(id) ?? null);
      }),
      loansOfCustomer: new DataLoader(async (customerIds) => {
        const loans = await findLoansByCustomerIds(db, customerIds);
        return customerIds.map((id) => loans.filter((l) => l.customer_id === id));
      }),
    },
  };
}
