import { isoDate, requireIdentity, requireRole } from '@crm/service-kit';
import { v7 as uuidv7 } from 'uuid';
import type { MutationResolvers } from '../../__generated__/resolvers-types.ts';
import { findCollateral, insertValuation } from '../../db/collateral.store.ts';
import { validateValuation } from '../../domain/collateral.ts';
import { moneyString } from '../../domain/money.ts';

export const revalueCollateral: MutationResolvers['revalueCollateral'] = async (_parent, { input }, ctx) => {
  const identity = requireIdentity(ctx);
  requireRole(identity, 'loan_officer', 'branch_manager', 'risk_officer');
  const [item] = await findCollateral(ctx.db, { ids: [input.collateralId] });
  if (!item) return { collateral: null, userErrors: [{ field: 'collateralId', code: 'NOT_FOUND', message: `No collateral ${input.collateralId}` }] };
  const errors = validateValuation({ value: input.value, valuedOn: input.valuedOn, currency: item.currency }, isoDate(ctx.now()));
  if (errors.length) return { collateral: null, userErrors: errors };
  await insertValuation(ctx.db, {
    id: uuidv7(),
    collateral_id: item.id,
    value: moneyString(input.value),
    valued_on: input.valuedOn,
    recorded_by: identity.userId,
    recorded_at: ctx.now(),
  });
  return { collateral: (await findCollateral(ctx.db, { ids: [item.id] }))[0] ?? null, userErrors: [] };
};
