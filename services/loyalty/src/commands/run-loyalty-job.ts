import { type JobRunResult, jobNameOf, runCommand, runJobAsCaller, type UserError } from '@crm/service-kit';
import type { LoyaltyContext } from '../context.ts';

/**
 * Runs a loyalty job now for a date (today or earlier) on behalf of an administrator; each job is
 * repeatable for its date. The job commits on its own connection, is audited as `job:<name>` by
 * the caller and recorded in `job_run`; this command then records the mutation with the run's counts.
 */
export async function runLoyaltyJob(
  ctx: LoyaltyContext,
  input: { job: 'POINTS_EXPIRY' | 'TIER_EVALUATION' | 'BIRTHDAY_BONUS'; asOf: string },
): Promise<{ run: JobRunResult | null; userErrors: UserError[] }> {
  const name = jobNameOf(input.job);
  const { run, userErrors } = await runJobAsCaller(ctx, name, input.asOf);
  if (!run) return { run, userErrors };
  return runCommand(ctx, { action: 'runLoyaltyJob', entityType: 'Job', entityId: name }, async (_tx, audit) => {
    audit.detail({ asOf: input.asOf, ...run.counts });
    return { run, userErrors };
  });
}
