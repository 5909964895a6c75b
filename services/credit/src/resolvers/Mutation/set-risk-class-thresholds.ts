import { requireIdentity, requireRole } from '@crm/service-kit';
import type { MutationResolvers } from '../../__generated__/resolvers-types.ts';
import { findThresholds, replaceThresholds } from '../../db/threshold.store.ts';
import { validateThresholds } from '../../domain/delinquency.ts';

export const setRiskClassThresholds: MutationResolvers['setRiskClassThresholds'] = async (_parent, { input }, ctx) => {
  const identity = requireIdentity(ctx);
  requireRole(identity, 'risk_officer');
  const errors = validateThresholds(input.thresholds);
  if (errors.length) return { thresholds: [], userErrors: errors };
  await replaceThresholds(
    ctx.db,
    input.thresholds.map((t) => ({ risk_class: t.riskClass, min_dpd: t.minDaysPastDue })),
  );
  const rows = await findThresholds(ctx.db);
  return { thresholds: rows.map((r) => ({ riskClass: r.risk_class, minDaysPastDue: r.min_dpd })), userErrors: [] };
};
