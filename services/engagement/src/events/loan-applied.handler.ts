import type { EventHandler } from '@crm/events';
import { convertLeadsOf } from '../commands/convert-leads.ts';
import type { DB } from '../db/schema.ts';

/** A loan application converts the customer's open NEW_LOAN and TOP_UP leads created before it (the lead records the application). */
export const onLoanApplied: EventHandler<DB, 'LoanApplied'> = async (tx, event) => {
  await convertLeadsOf(tx, event.data.customerId, { kind: 'APPLICATION', applicationId: event.data.loanId }, new Date(event.time));
};
