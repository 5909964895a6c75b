import { requireIdentity, requireRole } from '@crm/service-kit';
import { v7 as uuidv7 } from 'uuid';
import type { MutationResolvers } from '../../__generated__/resolvers-types.ts';
import { findGuarantors, insertGuarantor } from '../../db/collateral.store.ts';
import { findLoansByIds } from '../../db/loan.store.ts';
import { amountMessages, checkAmount, minorUnits, moneyString } from '../../domain/money.ts';

export const addGuarantor: MutationResolvers['addGuarantor'] = async (_parent, { input }, ctx) => {
  const identity = requireIdentity(ctx);
  requireRole(identity, 'loan_officer', 'branch_manager');
  const [loan] = await findLoansByIds(ctx.db, [input.loanId]);
  if (!loan) return { guarantor: null, userErrors: [{ field: 'loanId', code: 'NOT_FOUND', message: `No loan ${input.loanId}` }] };
  const errors = [];
  const problem = checkAmount(input.guaranteedAmount, minorUnits(loan.currency) ?? 2);
  if (problem) errors.push({ field: 'guaranteedAmount', code: problem, message: amountMessages[problem] });
  if (!input.name.trim()) errors.push({ field: 'name', code: 'REQUIRED', message: 'must not be blank' });
  if (input.guarantorCustomerId === loan.customer_id)
    errors.push({ field: 'guarantorCustomerId', code: 'SELF_GUARANTEE', message: 'a borrower cannot guarantee their own loan' });
  if (errors.length) return { guarantor: null, userErrors: errors };
  const id = uuidv7();
  await insertGuarantor(ctx.db, {
    id,
    loan_id: loan.id,
    name: input.name.trim(),
    guarantor_customer_id: input.guarantorCustomerId ?? null,
    relationship: input.relationship?.trim() || null,
    guaranteed_amount: moneyString(input.guaranteedAmount),
  });
  const guarantor = (await findGuarantors(ctx.db, [loan.id])).find((g) => g.id === id) ?? null;
  return { guarantor, userErrors: [] };
};
