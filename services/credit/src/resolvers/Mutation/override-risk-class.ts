import { emit } from '@crm/events';
import { isoDate, requireIdentity, requireRole, type UserError } from '@crm/service-kit';
import { v7 as uuidv7 } from 'uuid';
import type { MutationResolvers } from '../../__generated__/resolvers-types.ts';
import { insertRiskClassChange, lockLoan, updateLoan } from '../../db/loan.store.ts';

/** An officer's override of the risk class (or its removal), with a reason; every change is recorded. */
export const overrideRiskClass: MutationResolvers['overrideRiskClass'] = async (_parent, { input }, ctx) => {
  const identity = requireIdentity(ctx);
  requireRole(identity, 'risk_officer', 'branch_manager');
  const reason = input.reason.trim();
  const now = ctx.now();
  const asOf = isoDate(now);
  const errors = await ctx.db.transaction().execute(async (tx): Promise<UserError[]> => {
    if (!reason) return [{ field: 'reason', code: 'REQUIRED', message: 'an override needs a reason' }];
    const loan = await lockLoan(tx, input.loanId);
    if (!loan) return [{ field: 'loanId', code: 'NOT_FOUND', message: `No loan ${input.loanId}` }];
    if (loan.status !== 'ACTIVE') return [{ field: 'loanId', code: 'LOAN_NOT_ACTIVE', message: `cannot classify a loan that is ${loan.status}` }];
    const override = input.riskClass ?? null;
    const effective = override ?? loan.computed_risk_class;
    await updateLoan(tx, loan.id, { risk_class_override: override, risk_class_override_reason: override ? reason : null, risk_class: effective });
    await insertRiskClassChange(tx, {
      id: uuidv7(),
      loan_id: loan.id,
      as_of: asOf,
      previous_class: loan.risk_class,
      risk_class: effective,
      reason,
      override: true,
      changed_by: identity.userId,
      changed_at: now,
    });
    if (effective !== loan.risk_class) {
      await emit(tx, 'RiskClassChanged', {
        subject: loan.customer_id,
        data: {
          loanId: loan.id,
          customerId: loan.customer_id,
          previousClass: loan.risk_class,
          riskClass: effective,
          reason,
          override: true,
          changedBy: identity.userId,
          asOf,
        },
      });
    }
    return [];
  });
  return { loan: errors.length ? null : await ctx.loaders.loan.load(input.loanId), userErrors: errors };
};
