import { createEvent, writeToOutbox } from '@crm/events';
import { requireIdentity, requireRole, type UserError } from '@crm/service-kit';
import type { MutationResolvers } from '../../__generated__/resolvers-types.ts';
import { lockWarning, updateWarning } from '../../db/warning.store.ts';
import { nextWarningStatus } from '../../domain/warnings.ts';

export const updateRiskWarning: MutationResolvers['updateRiskWarning'] = async (_parent, { input }, ctx) => {
  const identity = requireIdentity(ctx);
  requireRole(identity, 'loan_officer', 'branch_manager', 'risk_officer');
  const now = ctx.now();
  const note = input.note?.trim() || null;
  const errors = await ctx.db.transaction().execute(async (tx): Promise<UserError[]> => {
    const w = await lockWarning(tx, input.warningId);
    if (!w) return [{ field: 'warningId', code: 'NOT_FOUND', message: `No warning ${input.warningId}` }];
    const next = nextWarningStatus(w.status, input.action, note);
    if (!next.ok) return next.errors;
    const stamp =
      next.to === 'ACKNOWLEDGED'
        ? { acknowledged_at: now }
        : next.to === 'ACTION_TAKEN'
          ? { action_taken_at: now }
          : next.to === 'RESOLVED'
            ? { resolved_at: now }
            : { escalated_at: now };
    await updateWarning(
      tx,
      w.id,
      { status: next.to, ...stamp, ...(note ? { note } : {}) },
      { from: w.status, to: next.to, by: identity.userId, note, at: now },
    );
    if (next.to === 'ESCALATED') {
      await writeToOutbox(tx, [
        createEvent('RiskWarningEscalated', {
          subject: w.customer_id,
          time: now,
          data: {
            warningId: w.id,
            loanId: w.loan_id,
            customerId: w.customer_id,
            ruleCode: w.rule_code,
            severity: w.severity,
            officerId: w.officer_id,
            escalatedAt: now.toISOString(),
          },
        }),
      ]);
    }
    return [];
  });
  return { warning: errors.length ? null : await ctx.loaders.warning.load(input.warningId), userErrors: errors };
};
