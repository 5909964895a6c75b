import { earningHandler } from './batch.ts';

/** An instalment paid on time earns (rule ON_TIME_INSTALMENT, proportional to the amount paid); a late one earns nothing. Set-based for a batch (batch.ts). */
export const onInstalmentPaid = earningHandler<'InstalmentPaid'>(({ data }) =>
  data.onTime
    ? { customerId: data.customerId, ruleCode: 'ON_TIME_INSTALMENT', amount: data.amountPaid, sourceRef: instalmentRef(data.loanId, data.instalmentNumber) }
    : null,
);

/** The business key an instalment earns once for. */
export const instalmentRef = (loanId: string, instalmentNumber: number) => `${loanId}#${instalmentNumber}`;
