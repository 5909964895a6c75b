import { byIds, type RequestContext, type ServiceContext, type ServiceDeps, serviceContext } from '@crm/service-kit';
import DataLoader from 'dataloader';
import { findLoansByCustomerIds, findLoansByIds } from './db/loan.store.ts';
import type { DB, LoanRow } from './db/schema.ts';

/** What every credit resolver receives. */
export interface CreditContext extends ServiceContext<DB> {
  loaders: {
    loan: DataLoader<string, LoanRow | null>;
    /** The loans of each customer asked for in one request, in one query. */
    loansOfCustomer: DataLoader<string, LoanRow[]>;
  };
}

export function createContext(base: RequestContext, deps: ServiceDeps<DB>): CreditContext {
  const { db } = deps;
  return {
    ...serviceContext(base, deps),
    loaders: {
      loan: new DataLoader(async (ids) => byIds(ids, await findLoansByIds(db, ids))),
      loansOfCustomer: new DataLoader(async (customerIds) => {
        const loans = await findLoansByCustomerIds(db, customerIds);
        return customerIds.map((id) => loans.filter((l) => l.customer_id === id));
      }),
    },
  };
}
