import { runCommand } from '@crm/service-kit';
import type { LoyaltyContext } from '../context.ts';

export const JOB_NAMES = { POINTS_EXPIRY: 'points-expiry', TIER_EVALUATION: 'tier-evaluation', BIRTHDAY_BONUS: 'birthday-bonus' } as const;

/**
 * Runs a loyalty job now for a date on behalf of an administrator; each job is repeatable for its
 * date. The job commits on its own connection and is audited as `job:<name>` by the caller; this
 * command then records the mutation with the run's counts.
 */
export async function runLoyaltyJob(
  ctx: LoyaltyContext,
  input: { job: keyof typeof JOB_NAMES; asOf: string },
): Promise<{ counts: Record<string, number>; userErrors: [] }> {
  const name = JOB_NAMES[input.job];
  const counts = await ctx.jobs.run(name, input.asOf, ctx.audit.actor);
  return runCommand(ctx, { action: 'runLoyaltyJob', entityType: 'Job', entityId: name }, async (_tx, audit) => {
    audit.detail({ asOf: input.asOf, ...counts });
    return { counts, userErrors: [] as [] };
  });
}
