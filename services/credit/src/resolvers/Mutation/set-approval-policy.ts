import type { MutationResolvers } from '../../__generated__/resolvers-types.ts';
import { setApprovalPolicy as setApprovalPolicyCommand } from '../../commands/set-approval-policy.ts';
import { findApprovalPolicy } from '../../db/approval-policy.store.ts';

/** Sets a currency's approval limits (administrators). */
export const setApprovalPolicy: MutationResolvers['setApprovalPolicy'] = async (_parent, { input }, ctx) => {
  const { userErrors } = await setApprovalPolicyCommand(ctx, input);
  if (userErrors.length) return { policy: null, userErrors };
  return { policy: (await findApprovalPolicy(ctx.db, input.currency.trim())) ?? null, userErrors: [] };
};
