import type { MutationResolvers } from '../../__generated__/resolvers-types.ts';
import { addGuarantor as addGuarantorCommand } from '../../commands/add-guarantor.ts';
import { findGuarantors } from '../../db/collateral.store.ts';

/** Adds a guarantor to a loan. */
export const addGuarantor: MutationResolvers['addGuarantor'] = async (_parent, { input }, ctx) => {
  const { guarantorId, userErrors } = await addGuarantorCommand(ctx, input);
  if (!guarantorId) return { guarantor: null, userErrors };
  const guarantor = (await findGuarantors(ctx.db, ctx.scope, [input.loanId])).find((g) => g.id === guarantorId) ?? null;
  return { guarantor, userErrors: [] };
};
