import { byIds, groupedBy, type RequestContext, type Scope, type ServiceContext, type ServiceDeps, scopeOf, serviceContext } from '@crm/service-kit';
import DataLoader from 'dataloader';
import { type CollateralWithValuations, findCollateral, findGuarantors } from './db/collateral.store.ts';
import { findLoansByCustomerIds, findLoansByIds, findOutstandingPrincipal, findRiskClassChanges, findSchedules } from './db/loan.store.ts';
import { findProductsByIds } from './db/product.store.ts';
import { findRepaymentsOfLoans } from './db/repayment.store.ts';
import { findRestructurings } from './db/restructuring.store.ts';
import { findReviews } from './db/review.store.ts';
import type {
  CreditReviewRow,
  DB,
  GuarantorRow,
  InstalmentRow,
  LoanProductRow,
  LoanRow,
  RepaymentRow,
  RestructuringRow,
  RiskClassChangeRow,
  RiskWarningRow,
} from './db/schema.ts';
import { findWarningsByIds, findWarningsOf } from './db/warning.store.ts';

/** What every credit resolver receives. */
export interface CreditContext extends ServiceContext<DB> {
  /** What the caller may see and act on; every loader and store call of customer data takes it. */
  scope: Scope;
  loaders: {
    loan: DataLoader<string, LoanRow | null>;
    product: DataLoader<string, LoanProductRow | null>;
    /** The loans of each customer asked for in one request, in one query. */
    loansOfCustomer: DataLoader<string, LoanRow[]>;
    /** Key `loanId` (current version) or `loanId:version`. */
    schedule: DataLoader<string, InstalmentRow[]>;
    repayments: DataLoader<string, RepaymentRow[]>;
    outstandingPrincipal: DataLoader<string, string>;
    riskClassChanges: DataLoader<string, RiskClassChangeRow[]>;
    warning: DataLoader<string, RiskWarningRow | null>;
    /** Key `customer:<id>:<openOnly>` or `loan:<id>:<openOnly>`. */
    warningsOf: DataLoader<string, RiskWarningRow[]>;
    collateralOf: DataLoader<string, CollateralWithValuations[]>;
    guarantorsOf: DataLoader<string, GuarantorRow[]>;
    reviewsOf: DataLoader<string, CreditReviewRow[]>;
    restructuringsOf: DataLoader<string, RestructuringRow[]>;
  };
}

/** The rows of each key in the order asked (service-kit's one grouping helper). */
const group = groupedBy;

export function createContext(base: RequestContext, deps: ServiceDeps<DB>): CreditContext {
  const { db } = deps;
  const scope: Scope = base.identity ? scopeOf(base.identity) : { kind: 'branch', branchId: null, managerId: null };
  return {
    ...serviceContext(base, deps),
    scope,
    loaders: {
      loan: new DataLoader(async (ids) => byIds(ids, await findLoansByIds(db, scope, ids))),
      product: new DataLoader(async (ids) => byIds(ids, await findProductsByIds(db, ids))),
      loansOfCustomer: new DataLoader(async (customerIds) => group(customerIds, await findLoansByCustomerIds(db, scope, customerIds), (l) => l.customer_id)),
      schedule: new DataLoader(async (keys) => {
        const parsed = keys.map((k) => {
          const [loanId = '', version] = k.split(':');
          return { loanId, version: version === undefined ? null : Number.parseInt(version, 10) };
        });
        const rows = await findSchedules(db, parsed);
        return keys.map((_k, i) => {
          const p = parsed[i];
          if (!p) return [];
          const forLoan = rows.filter((r) => r.loan_id === p.loanId);
          if (p.version !== null) return forLoan.filter((r) => r.version === p.version);
          const top = Math.max(0, ...forLoan.map((r) => r.version));
          return forLoan.filter((r) => r.version === top);
        });
      }),
      repayments: new DataLoader(async (loanIds) => group(loanIds, await findRepaymentsOfLoans(db, loanIds), (r) => r.loan_id)),
      outstandingPrincipal: new DataLoader(async (loanIds) => {
        const map = await findOutstandingPrincipal(db, loanIds);
        return loanIds.map((id) => map.get(id) ?? '0');
      }),
      riskClassChanges: new DataLoader(async (loanIds) => group(loanIds, await findRiskClassChanges(db, loanIds), (r) => r.loan_id)),
      collateralOf: new DataLoader(async (loanIds) => group(loanIds, await findCollateral(db, scope, { loanIds }), (c) => c.loan_id)),
      guarantorsOf: new DataLoader(async (loanIds) => group(loanIds, await findGuarantors(db, scope, loanIds), (g) => g.loan_id)),
      reviewsOf: new DataLoader(async (loanIds) => group(loanIds, await findReviews(db, scope, { loanIds }), (r) => r.loan_id)),
      restructuringsOf: new DataLoader(async (loanIds) => group(loanIds, await findRestructurings(db, scope, { loanIds }), (r) => r.loan_id)),
      warning: new DataLoader(async (ids) => byIds(ids, await findWarningsByIds(db, scope, ids))),
      warningsOf: new DataLoader(async (keys) => {
        const parsed = keys.map((k) => {
          const [kind, id = '', open] = k.split(':');
          return { kind: kind === 'loan' ? ('loan' as const) : ('customer' as const), id, openOnly: open === 'true' };
        });
        const rows = await findWarningsOf(
          db,
          scope,
          parsed.filter((p) => p.kind === 'customer').map((p) => p.id),
          parsed.filter((p) => p.kind === 'loan').map((p) => p.id),
        );
        return parsed.map((p) => rows.filter((r) => (p.kind === 'loan' ? r.loan_id : r.customer_id) === p.id && (!p.openOnly || r.status !== 'RESOLVED')));
      }),
    },
  };
}
