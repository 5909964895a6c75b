import { runCommand, type UserError } from '@crm/service-kit';
import type { SetRiskClassThresholdsInput } from '../__generated__/resolvers-types.ts';
import type { CreditContext } from '../context.ts';
import { findThresholds, replaceThresholds } from '../db/threshold.store.ts';
import { validateThresholds } from '../domain/delinquency.ts';

/** Replaces the DPD thresholds of the risk classes, all together. */
export async function setRiskClassThresholds(ctx: CreditContext, cmd: SetRiskClassThresholdsInput): Promise<{ userErrors: UserError[] }> {
  return runCommand(ctx, { action: 'setRiskClassThresholds', entityType: 'RiskClassThresholds', entityId: 'risk_class_threshold' }, async (tx, audit) => {
    const errors = validateThresholds(cmd.thresholds);
    if (errors.length) return { userErrors: errors };
    const before = await findThresholds(tx);
    const rows = cmd.thresholds.map((t) => ({ risk_class: t.riskClass, min_dpd: t.minDaysPastDue }));
    await replaceThresholds(tx, rows);
    audit.changes(Object.fromEntries(before.map((r) => [r.risk_class, r.min_dpd])), Object.fromEntries(rows.map((r) => [r.risk_class, r.min_dpd])));
    return { userErrors: [] };
  });
}
