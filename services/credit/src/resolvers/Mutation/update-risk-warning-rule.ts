import { requireIdentity, requireRole } from '@crm/service-kit';
import type { MutationResolvers } from '../../__generated__/resolvers-types.ts';
import { updateRule } from '../../db/warning.store.ts';

export const updateRiskWarningRule: MutationResolvers['updateRiskWarningRule'] = async (_parent, { input }, ctx) => {
  const identity = requireIdentity(ctx);
  requireRole(identity, 'risk_officer');
  if (input.threshold?.lt(0)) {
    return { rule: null, userErrors: [{ field: 'threshold', code: 'NOT_POSITIVE', message: 'must not be negative' }] };
  }
  const rule = await updateRule(ctx.db, input.code, {
    ...(input.threshold ? { threshold: input.threshold.toFixed() } : {}),
    ...(input.severity ? { severity: input.severity } : {}),
    ...(input.active === null || input.active === undefined ? {} : { active: input.active }),
  });
  if (!rule) return { rule: null, userErrors: [{ field: 'code', code: 'NOT_FOUND', message: `No rule ${input.code}` }] };
  return { rule, userErrors: [] };
};
