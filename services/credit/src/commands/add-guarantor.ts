import { emit } from '@crm/events';
import { runCommand, type UserError } from '@crm/service-kit';
import { v7 as uuidv7 } from 'uuid';
import type { AddGuarantorInput } from '../__generated__/resolvers-types.ts';
import type { CreditContext } from '../context.ts';
import { insertGuarantor } from '../db/collateral.store.ts';
import { findCustomerReplica } from '../db/customer-replica.store.ts';
import { findLoanInScope } from '../db/loan.store.ts';
import { assertLoanInScope, SYSTEM_SCOPE } from '../db/scope.ts';
import { amountMessages, amountScale, checkAmount, minorUnits, moneyString } from '../domain/money.ts';

/** Adds a guarantor to a loan. Outside the caller's scope: FORBIDDEN, nothing is written. */
export async function addGuarantor(ctx: CreditContext, cmd: AddGuarantorInput): Promise<{ guarantorId: string | null; userErrors: UserError[] }> {
  await assertLoanInScope(ctx.db, ctx.scope, cmd.loanId);
  return runCommand(ctx, { action: 'addGuarantor', entityType: 'Loan', entityId: cmd.loanId }, async (tx, audit) => {
    const loan = await findLoanInScope(tx, ctx.scope, cmd.loanId);
    if (!loan) return { guarantorId: null, userErrors: [{ field: 'loanId', code: 'LOAN_NOT_FOUND', message: `No loan ${cmd.loanId}` }] };
    const errors: UserError[] = [];
    const problem = checkAmount(cmd.guaranteedAmount, minorUnits(loan.currency) ?? 2);
    if (problem) errors.push({ field: 'guaranteedAmount', code: problem, message: amountMessages[problem] });
    if (!cmd.name.trim()) errors.push({ field: 'name', code: 'REQUIRED', message: 'must not be blank' });
    if (cmd.guarantorCustomerId === loan.customer_id)
      errors.push({ field: 'guarantorCustomerId', code: 'SELF_GUARANTEE', message: 'a borrower cannot guarantee their own loan' });
    // A guarantor who is a customer must be one credit knows (of any branch: guarantors often bank elsewhere).
    if (cmd.guarantorCustomerId && cmd.guarantorCustomerId !== loan.customer_id && !(await findCustomerReplica(tx, SYSTEM_SCOPE, cmd.guarantorCustomerId)))
      errors.push({ field: 'guarantorCustomerId', code: 'CUSTOMER_NOT_FOUND', message: `No customer ${cmd.guarantorCustomerId}` });
    if (errors.length) return { guarantorId: null, userErrors: errors };
    const id = uuidv7();
    await insertGuarantor(tx, {
      id,
      loan_id: loan.id,
      name: cmd.name.trim(),
      guarantor_customer_id: cmd.guarantorCustomerId ?? null,
      relationship: cmd.relationship?.trim() || null,
      guaranteed_amount: moneyString(cmd.guaranteedAmount, amountScale(loan.currency)),
    });
    // The guarantor's name is personal data: the audit keeps the id and the amount only.
    audit.entity(id, 'Guarantor');
    audit.changes(null, {
      loanId: loan.id,
      guaranteedAmount: moneyString(cmd.guaranteedAmount, amountScale(loan.currency)),
      guarantorCustomerId: cmd.guarantorCustomerId ?? null,
    });
    await emit(tx, 'GuarantorAdded', {
      subject: loan.customer_id,
      data: {
        guarantorId: id,
        loanId: loan.id,
        customerId: loan.customer_id,
        guarantorCustomerId: cmd.guarantorCustomerId ?? null,
        relationship: cmd.relationship?.trim() || null,
        guaranteedAmount: moneyString(cmd.guaranteedAmount, amountScale(loan.currency)),
        currency: loan.currency,
      },
    });
    return { guarantorId: id, userErrors: [] };
  });
}
