import { emit } from '@crm/events';
import { lockIdempotencyKey, runCommand, type UserError } from '@crm/service-kit';
import { v7 as uuidv7 } from 'uuid';
import type { AddCollateralInput } from '../__generated__/resolvers-types.ts';
import type { CreditContext } from '../context.ts';
import { findBusinessDate } from '../db/business-date.store.ts';
import { findCollateralIdByIdempotencyKey, insertCollateral } from '../db/collateral.store.ts';
import { findLoanInScope } from '../db/loan.store.ts';
import { assertLoanInScope } from '../db/scope.ts';
import { validateValuation } from '../domain/collateral.ts';
import { amountScale, moneyString } from '../domain/money.ts';

/** Pledges collateral to a loan with its first valuation (a repeated idempotency key returns the first). Outside the scope: FORBIDDEN. */
export async function addCollateral(ctx: CreditContext, cmd: AddCollateralInput): Promise<{ collateralId: string | null; userErrors: UserError[] }> {
  const actorId = ctx.identity?.userId ?? 'unknown';
  await assertLoanInScope(ctx.db, ctx.scope, cmd.loanId);
  return runCommand(ctx, { action: 'addCollateral', entityType: 'Collateral' }, async (tx, audit) => {
    if (cmd.idempotencyKey) {
      // a second identical request waits for the first to commit, then finds its row
      await lockIdempotencyKey(tx, 'collateral', cmd.idempotencyKey);
      const existing = await findCollateralIdByIdempotencyKey(tx, cmd.idempotencyKey);
      if (existing) {
        audit.entity(existing);
        audit.detail({ replay: true });
        return { collateralId: existing, userErrors: [] };
      }
    }
    const loan = await findLoanInScope(tx, ctx.scope, cmd.loanId);
    if (!loan) return { collateralId: null, userErrors: [{ field: 'loanId', code: 'LOAN_NOT_FOUND', message: `No loan ${cmd.loanId}` }] };
    // not after the business date (the wall clock's until one is set or closed)
    const today = (await findBusinessDate(tx, ctx.now())).date;
    const errors = validateValuation({ value: cmd.value, valuedOn: cmd.valuedOn, currency: loan.currency }, today);
    if (!cmd.type.trim()) errors.push({ field: 'type', code: 'REQUIRED', message: 'must not be blank' });
    if (!cmd.description.trim()) errors.push({ field: 'description', code: 'REQUIRED', message: 'must not be blank' });
    if (loan.status === 'CLOSED' || loan.status === 'WRITTEN_OFF')
      errors.push({ field: 'loanId', code: 'INVALID_LOAN_STATUS', message: `the loan is ${loan.status}` });
    if (errors.length) return { collateralId: null, userErrors: errors };
    const id = uuidv7();
    const value = moneyString(cmd.value, amountScale(loan.currency));
    await insertCollateral(
      tx,
      { id, loan_id: loan.id, type: cmd.type.trim(), description: cmd.description.trim(), idempotency_key: cmd.idempotencyKey ?? null },
      { id: uuidv7(), collateral_id: id, value, valued_on: cmd.valuedOn, recorded_by: actorId, recorded_at: ctx.now() },
    );
    audit.entity(id);
    audit.changes(null, { loanId: loan.id, type: cmd.type.trim(), value, valuedOn: cmd.valuedOn });
    await emit(tx, 'CollateralAdded', {
      subject: loan.customer_id,
      data: {
        collateralId: id,
        loanId: loan.id,
        customerId: loan.customer_id,
        collateralType: cmd.type.trim(),
        value,
        currency: loan.currency,
        valuedOn: cmd.valuedOn,
      },
    });
    return { collateralId: id, userErrors: [] };
  });
}
