import type { CountedConnection } from '@crm/service-kit';
import type { CollateralWithValue } from './collateral.store.ts';
import type {
  CreditReviewRow,
  GuarantorRow,
  InstalmentRow,
  LoanDelinquencyRow,
  LoanRow,
  RepaymentRow,
  RestructuringRow,
  RiskClassChangeRow,
  RiskWarningRow,
} from './schema.ts';

/**
 * The shapes credit's connection resolvers return (the codegen mappers of the connection types).
 * The paging itself (keyset cursors, one windowed statement per nested field, counts on demand) is
 * the kit's: packages/service-kit/src/nested-paging.ts.
 */

/** A connection: a page of rows and its lazy count. */
export type Page<R> = CountedConnection<R>;

export type LoanPage = Page<LoanRow>;
export type InstalmentPage = Page<InstalmentRow>;
export type RepaymentPage = Page<RepaymentRow>;
export type RiskWarningPage = Page<RiskWarningRow>;
export type RiskClassChangePage = Page<RiskClassChangeRow>;
export type CollateralPage = Page<CollateralWithValue>;
export type GuarantorPage = Page<GuarantorRow>;
export type CreditReviewPage = Page<CreditReviewRow>;
export type RestructuringPage = Page<RestructuringRow>;
export type LoanDelinquencyPage = Page<LoanDelinquencyRow>;
