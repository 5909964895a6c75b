import type { UserError } from '@crm/service-kit';
import type { MutationResolvers } from '../../__generated__/resolvers-types.ts';
import { updatePolicy } from '../../db/policy.store.ts';

/** Administrators set the stale-review period and the at-risk window (in days). */
export const updateCustomerPolicy: MutationResolvers['updateCustomerPolicy'] = async (_parent, { input }, ctx) => {
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
  const policy = await updatePolicy(ctx.db, {
    ...(stale !== undefined ? { stale_after_days: stale } : {}),
    ...(window !== undefined ? { at_risk_window_days: window } : {}),
  });
  return { policy, userErrors: [] };
};
