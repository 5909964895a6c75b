import {
  byIds,
  countLoader,
  groupedBy,
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
import {
  type CollateralWithValue,
  countCollateral,
  countGuarantors,
  countValuations,
  findCollateral,
  findCollateralPages,
  findGuarantorPages,
  findValuationPages,
  type ValuationWithCurrency,
} from './db/collateral.store.ts';
import {
  countDelinquencySnapshots,
  countLoansOfCustomers,
  countRiskClassChanges,
  findDelinquencyPages,
  findLoanPagesOfCustomers,
  findLoansByCustomerIds,
  findLoansByIds,
  findOutstandingPrincipal,
  findRiskClassChangePages,
  findSchedules,
} from './db/loan.store.ts';
import { findProductsByIds } from './db/product.store.ts';
import { countRepaymentsOfLoans, findLatestValueDates, findRepaymentPages } from './db/repayment.store.ts';
import { countRestructuringsOfLoans, findRestructuringPages } from './db/restructuring.store.ts';
import { countReviewsOfLoans, findReviewCadence, findReviewPages, findReviews } from './db/review.store.ts';
import type {
  CreditReviewRow,
  DB,
  GuarantorRow,
  InstalmentRow,
  LoanDelinquencyRow,
  LoanProductRow,
  LoanRow,
  RepaymentRow,
  RestructuringRow,
  RiskClassChangeRow,
  RiskWarningRow,
} from './db/schema.ts';
import { countWarningsOf, findWarningPagesOf, findWarningsByIds, findWarningsOf } from './db/warning.store.ts';
import type { ReviewBand } from './domain/reviews.ts';

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
    outstandingPrincipal: DataLoader<string, string>;
    /** The value date of the loan's latest standing repayment (null without one). */
    latestValueDate: DataLoader<string, string | null>;
    warning: DataLoader<string, RiskWarningRow | null>;
    /** Key `customer:<id>:<openOnly>` (the deprecated Customer.riskWarnings list). */
    warningsOf: DataLoader<string, RiskWarningRow[]>;
    /** Every collateral item of a loan with its valuations (loan-to-value). */
    collateralOf: DataLoader<string, CollateralWithValue[]>;
    /** Every review of a loan (the next review date). */
    reviewsOf: DataLoader<string, CreditReviewRow[]>;
    /** The review cadence (engagement's, replicated), read once per request: key `cadence`. */
    reviewCadence: DataLoader<'cadence', ReviewBand[]>;
    /**
     * Connections (issue 12): one statement per field per request whatever the number of parents
     * (a page per parent through a window function), and one grouped count when totalCount is asked.
     */
    pages: {
      loansOfCustomer: ParentPages<LoanRow>;
      loanCount: DataLoader<string, number>;
      repayments: ParentPages<RepaymentRow>;
      repaymentCount: DataLoader<string, number>;
      riskClassChanges: ParentPages<RiskClassChangeRow>;
      riskClassChangeCount: DataLoader<string, number>;
      /** Per (parent kind, openOnly). */
      warnings: (of: 'customer' | 'loan', openOnly: boolean) => ParentPages<RiskWarningRow>;
      warningCount: (of: 'customer' | 'loan', openOnly: boolean) => DataLoader<string, number>;
      collateral: ParentPages<CollateralWithValue>;
      collateralCount: DataLoader<string, number>;
      /** Collateral.valuations, per collateral item. */
      valuations: ParentPages<ValuationWithCurrency>;
      valuationCount: DataLoader<string, number>;
      guarantors: ParentPages<GuarantorRow>;
      guarantorCount: DataLoader<string, number>;
      reviews: ParentPages<CreditReviewRow>;
      reviewCount: DataLoader<string, number>;
      restructurings: ParentPages<RestructuringRow>;
      restructuringCount: DataLoader<string, number>;
      /** Per date range (`from:to`). */
      delinquency: (from: string | null, to: string | null) => ParentPages<LoanDelinquencyRow>;
      delinquencyCount: (from: string | null, to: string | null) => DataLoader<string, number>;
    };
  };
}

/** The rows of each key in the order asked (service-kit's one grouping helper). */
const group = groupedBy;

/** One value per argument key, made on first use (a loader per argument value). */
function perKey<V>(make: (...args: string[]) => V): (...args: (string | boolean | null)[]) => V {
  const made = new Map<string, V>();
  return (...args) => {
    const key = JSON.stringify(args);
    let value = made.get(key);
    if (value === undefined) {
      value = make(...args.map((a) => (a === null ? '' : String(a))));
      made.set(key, value);
    }
    return value;
  };
}

export function createContext(base: RequestContext, deps: ServiceDeps<DB>): CreditContext {
  const { db } = deps;
  const scope: Scope = base.identity ? scopeOf(base.identity) : { kind: 'branch', branchId: null, managerId: null };
  return {
    ...serviceContext(base, deps),
    scope,
    loaders: {
      loan: new DataLoader(async (ids) => byIds(ids, await findLoansByIds(db, scope, ids))),
      product: new DataLoader(async (ids) => byIds(ids, await findProductsByIds(db, ids))),
      pages: {
        loansOfCustomer: parentPagesLoader((ids, w) => findLoanPagesOfCustomers(db, scope, ids, w)),
        loanCount: countLoader((ids) => countLoansOfCustomers(db, scope, ids)),
        repayments: parentPagesLoader((ids, w) => findRepaymentPages(db, scope, ids, w)),
        repaymentCount: countLoader((ids) => countRepaymentsOfLoans(db, scope, ids)),
        riskClassChanges: parentPagesLoader((ids, w) => findRiskClassChangePages(db, ids, w)),
        riskClassChangeCount: countLoader((ids) => countRiskClassChanges(db, ids)),
        warnings: perKey((of, open) =>
          parentPagesLoader((ids, w) => findWarningPagesOf(db, scope, of === 'loan' ? 'loan' : 'customer', ids, open === 'true', w)),
        ),
        warningCount: perKey((of, open) => countLoader((ids) => countWarningsOf(db, scope, of === 'loan' ? 'loan' : 'customer', ids, open === 'true'))),
        collateral: parentPagesLoader((ids, w) => findCollateralPages(db, scope, ids, w)),
        collateralCount: countLoader((ids) => countCollateral(db, scope, ids)),
        valuations: parentPagesLoader((ids, w) => findValuationPages(db, scope, ids, w)),
        valuationCount: countLoader((ids) => countValuations(db, scope, ids)),
        guarantors: parentPagesLoader((ids, w) => findGuarantorPages(db, scope, ids, w)),
        guarantorCount: countLoader((ids) => countGuarantors(db, scope, ids)),
        reviews: parentPagesLoader((ids, w) => findReviewPages(db, scope, ids, w)),
        reviewCount: countLoader((ids) => countReviewsOfLoans(db, scope, ids)),
        restructurings: parentPagesLoader((ids, w) => findRestructuringPages(db, scope, ids, w)),
        restructuringCount: countLoader((ids) => countRestructuringsOfLoans(db, scope, ids)),
        delinquency: perKey((from, to) => parentPagesLoader((ids, w) => findDelinquencyPages(db, ids, { from: from || null, to: to || null }, w))),
        delinquencyCount: perKey((from, to) => countLoader((ids) => countDelinquencySnapshots(db, ids, { from: from || null, to: to || null }))),
      },
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
      outstandingPrincipal: new DataLoader(async (loanIds) => {
        const map = await findOutstandingPrincipal(db, loanIds);
        return loanIds.map((id) => map.get(id) ?? '0');
      }),
      latestValueDate: new DataLoader(async (loanIds) => {
        const map = await findLatestValueDates(db, loanIds);
        return loanIds.map((id) => map.get(id) ?? null);
      }),
      collateralOf: new DataLoader(async (loanIds) => group(loanIds, await findCollateral(db, scope, { loanIds }), (c) => c.loan_id)),
      reviewsOf: new DataLoader(async (loanIds) => group(loanIds, await findReviews(db, scope, { loanIds }), (r) => r.loan_id)),
      reviewCadence: new DataLoader(async (keys) => {
        const bands = await findReviewCadence(db);
        return keys.map(() => bands);
      }),
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
