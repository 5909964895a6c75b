import { earningHandler } from './batch.ts';

/** A loan repaid in full and on time earns (rule LOAN_REPAID_ON_TIME). Set-based for a batch (batch.ts). */
export const onLoanClosed = earningHandler<'LoanClosed'>(({ data }) =>
  data.repaidOnTimeInFull ? { customerId: data.customerId, ruleCode: 'LOAN_REPAID_ON_TIME', amount: null, sourceRef: `loan:${data.loanId}` } : null,
);
