import { requireIdentity, requireRole } from '@crm/service-kit';
import { v7 as uuidv7 } from 'uuid';
import type { MutationResolvers } from '../../__generated__/resolvers-types.ts';
import { findLoansByIds } from '../../db/loan.store.ts';
import { findRestructuringIdByIdempotencyKey, findRestructurings, insertRestructuring } from '../../db/restructuring.store.ts';
import { Money } from '../../domain/money.ts';
import { validateRestructuring } from '../../domain/restructuring.ts';

export const requestRestructuring: MutationResolvers['requestRestructuring'] = async (_parent, { input }, ctx) => {
  const identity = requireIdentity(ctx);
  requireRole(identity, 'loan_officer', 'branch_manager');
  if (input.idempotencyKey) {
    const existing = await findRestructuringIdByIdempotencyKey(ctx.db, input.idempotencyKey);
    if (existing) {
      const [r] = await findRestructurings(ctx.db, { ids: [existing] });
      return { restructuring: r ?? null, loan: r ? await ctx.loaders.loan.load(r.loan_id) : null, userErrors: [] };
    }
  }
  const [loan] = await findLoansByIds(ctx.db, [input.loanId]);
  if (!loan) return { restructuring: null, loan: null, userErrors: [{ field: 'loanId', code: 'NOT_FOUND', message: `No loan ${input.loanId}` }] };
  const request = {
    kind: input.kind,
    instalments: input.instalments ?? null,
    newRate: input.newRate ?? null,
    effectiveOn: input.effectiveOn,
    reason: input.reason,
  };
  const errors = validateRestructuring(request, { status: loan.status, annualRate: new Money(loan.annual_rate), disbursedOn: loan.disbursed_on });
  if (errors.length) return { restructuring: null, loan: null, userErrors: errors };
  const id = uuidv7();
  await insertRestructuring(ctx.db, {
    id,
    loan_id: loan.id,
    kind: input.kind,
    instalments: input.kind === 'RATE_REDUCTION' ? null : (input.instalments ?? null),
    new_rate: input.kind === 'RATE_REDUCTION' && input.newRate ? input.newRate.toFixed(6) : null,
    effective_on: input.effectiveOn,
    reason: input.reason.trim(),
    status: 'REQUESTED',
    requested_by: identity.userId,
    requested_at: ctx.now(),
    decided_by: null,
    decided_at: null,
    from_version: loan.schedule_version,
    to_version: null,
    idempotency_key: input.idempotencyKey ?? null,
  });
  const [r] = await findRestructurings(ctx.db, { ids: [id] });
  return { restructuring: r ?? null, loan, userErrors: [] };
};
