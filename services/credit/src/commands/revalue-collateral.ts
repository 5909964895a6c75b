import { emit } from '@crm/events';
import { runCommand, type UserError } from '@crm/service-kit';
import { v7 as uuidv7 } from 'uuid';
import type { RevalueCollateralInput } from '../__generated__/resolvers-types.ts';
import type { CreditContext } from '../context.ts';
import { findBusinessDate } from '../db/business-date.store.ts';
import { findCollateral, insertValuation } from '../db/collateral.store.ts';
import { findLoanInScope } from '../db/loan.store.ts';
import { assertLoanInScope, SYSTEM_SCOPE } from '../db/scope.ts';
import { validateValuation } from '../domain/collateral.ts';
import { amountScale, moneyString } from '../domain/money.ts';

/** Records a new valuation of a collateral (the history is kept). Collateral of a loan outside the scope: FORBIDDEN. */
export async function revalueCollateral(ctx: CreditContext, cmd: RevalueCollateralInput): Promise<{ userErrors: UserError[] }> {
  const actorId = ctx.identity?.userId ?? 'unknown';
  const [found] = await findCollateral(ctx.db, SYSTEM_SCOPE, { ids: [cmd.collateralId] });
  if (found) await assertLoanInScope(ctx.db, ctx.scope, found.loan_id);
  return runCommand(ctx, { action: 'revalueCollateral', entityType: 'Collateral', entityId: cmd.collateralId }, async (tx, audit) => {
    const [item] = await findCollateral(tx, ctx.scope, { ids: [cmd.collateralId] });
    if (!item) return { userErrors: [{ field: 'collateralId', code: 'COLLATERAL_NOT_FOUND', message: `No collateral ${cmd.collateralId}` }] };
    // not after the business date (the wall clock's until one is set or closed)
    const today = (await findBusinessDate(tx, ctx.now())).date;
    const errors = validateValuation({ value: cmd.value, valuedOn: cmd.valuedOn, currency: item.currency }, today);
    if (errors.length) return { userErrors: errors };
    const value = moneyString(cmd.value, amountScale(item.currency));
    const valuationId = uuidv7();
    await insertValuation(tx, { id: valuationId, collateral_id: item.id, value, valued_on: cmd.valuedOn, recorded_by: actorId, recorded_at: ctx.now() });
    const previous = item.latest;
    audit.changes({ value: previous?.value ?? null, valuedOn: previous?.valued_on ?? null }, { value, valuedOn: cmd.valuedOn });
    audit.detail({ valuationId });
    const loan = await findLoanInScope(tx, SYSTEM_SCOPE, item.loan_id);
    if (loan) {
      await emit(tx, 'CollateralRevalued', {
        subject: loan.customer_id,
        data: {
          collateralId: item.id,
          loanId: loan.id,
          customerId: loan.customer_id,
          previousValue: previous?.value ?? null,
          value,
          currency: item.currency,
          valuedOn: cmd.valuedOn,
        },
      });
    }
    return { userErrors: [] };
  });
}
