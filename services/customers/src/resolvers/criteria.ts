import { addDaysTo, isoDate } from '@crm/service-kit';
import type { CustomersContext } from '../context.ts';
import type { CustomerCriteria, CustomerFilter } from '../db/customer.store.ts';
import { validateSegmentRule } from '../domain/segment-rule.ts';

/** Resolves what a customer filter needs: today, the stale cut-off and the segment's rule. */
export async function customerCriteria(filter: CustomerFilter, ctx: CustomersContext): Promise<CustomerCriteria> {
  const now = ctx.now();
  const policy = await ctx.loaders.policy();
  const criteria: CustomerCriteria = { ...filter, today: isoDate(now), staleBefore: addDaysTo(now, -policy.stale_after_days) };
  if (filter.segmentId) {
    const segment = await ctx.loaders.segment.load(filter.segmentId);
    const rule = segment ? validateSegmentRule(segment.rule) : null;
    criteria.segmentRule = rule?.ok ? rule.value : null;
  }
  return criteria;
}
