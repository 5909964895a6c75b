import { runCommand, type UserError } from '@crm/service-kit';
import type { CustomersContext } from '../context.ts';
import { invalidatePolicyCache } from '../db/policy.cache.ts';
import { findPolicy, updatePolicy } from '../db/policy.store.ts';
import type { CustomerPolicyRow } from '../db/schema.ts';

export interface UpdateCustomerPolicy {
  staleAfterDays?: number | null;
  atRiskWindowDays?: number | null;
}

/** Sets the stale-review period and the at-risk window (in days); a field left out keeps its value. */
export function updateCustomerPolicy(
  ctx: CustomersContext,
  input: UpdateCustomerPolicy,
): Promise<{ policy: CustomerPolicyRow | null; userErrors: UserError[] }> {
  // The cached policy and thresholds are dropped once the change committed (or failed).
  return runCommand(ctx, { action: 'updateCustomerPolicy', entityType: 'CustomerPolicy', entityId: 'policy' }, async (tx, audit) => {
    const errors: UserError[] = [];
    const days = (field: 'staleAfterDays' | 'atRiskWindowDays', min: number) => {
      const v = input[field];
      if (v === null || v === undefined) return undefined;
      if (v < min || v > 3650) errors.push({ field, message: `must be between ${min} and 3650 days`, code: 'OUT_OF_RANGE' });
      return v;
    };
    const stale = days('staleAfterDays', 1);
    const window = days('atRiskWindowDays', 0);
    if (errors.length) return { policy: null, userErrors: errors };
    const before = await findPolicy(tx);
    const policy = await updatePolicy(tx, {
      ...(stale !== undefined ? { stale_after_days: stale } : {}),
      ...(window !== undefined ? { at_risk_window_days: window } : {}),
    });
    audit.changes(
      { staleAfterDays: before.stale_after_days, atRiskWindowDays: before.at_risk_window_days },
      { staleAfterDays: policy.stale_after_days, atRiskWindowDays: policy.at_risk_window_days },
    );
    return { policy, userErrors: [] };
  }).finally(() => invalidatePolicyCache(ctx.db));
}
