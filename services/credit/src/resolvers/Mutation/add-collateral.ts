import { isoDate, requireIdentity, requireRole } from '@crm/service-kit';
import { v7 as uuidv7 } from 'uuid';
import type { MutationResolvers } from '../../__generated__/resolvers-types.ts';
import { findCollateral, findCollateralIdByIdempotencyKey, insertCollateral } from '../../db/collateral.store.ts';
import { findLoansByIds } from '../../db/loan.store.ts';
import { validateValuation } from '../../domain/collateral.ts';
import { moneyString } from '../../domain/money.ts';

export const addCollateral: MutationResolvers['addCollateral'] = async (_parent, { input }, ctx) => {
  const identity = requireIdentity(ctx);
  requireRole(identity, 'loan_officer', 'branch_manager', 'risk_officer');
  if (input.idempotencyKey) {
    const existing = await findCollateralIdByIdempotencyKey(ctx.db, input.idempotencyKey);
    if (existing) return { collateral: (await findCollateral(ctx.db, { ids: [existing] }))[0] ?? null, userErrors: [] };
  }
  const [loan] = await findLoansByIds(ctx.db, [input.loanId]);
  if (!loan) return { collateral: null, userErrors: [{ field: 'loanId', code: 'NOT_FOUND', message: `No loan ${input.loanId}` }] };
  const errors = validateValuation({ value: input.value, valuedOn: input.valuedOn, currency: loan.currency }, isoDate(ctx.now()));
  if (!input.type.trim()) errors.push({ field: 'type', code: 'REQUIRED', message: 'must not be blank' });
  if (!input.description.trim()) errors.push({ field: 'description', code: 'REQUIRED', message: 'must not be blank' });
  if (loan.status === 'CLOSED' || loan.status === 'WRITTEN_OFF')
    errors.push({ field: 'loanId', code: 'INVALID_LOAN_STATUS', message: `the loan is ${loan.status}` });
  if (errors.length) return { collateral: null, userErrors: errors };
  const id = uuidv7();
  await ctx.db
    .transaction()
    .execute((tx) =>
      insertCollateral(
        tx,
        { id, loan_id: loan.id, type: input.type.trim(), description: input.description.trim(), idempotency_key: input.idempotencyKey ?? null },
        { id: uuidv7(), collateral_id: id, value: moneyString(input.value), valued_on: input.valuedOn, recorded_by: identity.userId, recorded_at: ctx.now() },
      ),
    );
  return { collateral: (await findCollateral(ctx.db, { ids: [id] }))[0] ?? null, userErrors: [] };
};
