import { requireIdentity, requireRole } from '@crm/service-kit';
import type { MutationResolvers } from '../../__generated__/resolvers-types.ts';
import { replaceWatchList } from '../../db/warning.store.ts';

export const setIndustryWatchList: MutationResolvers['setIndustryWatchList'] = async (_parent, { input }, ctx) => {
  const identity = requireIdentity(ctx);
  requireRole(identity, 'risk_officer');
  const industries = [...new Set(input.industries.map((i) => i.trim()).filter(Boolean))].sort();
  await replaceWatchList(ctx.db, industries);
  return { industries, userErrors: [] };
};
