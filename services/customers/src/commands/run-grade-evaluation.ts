import { type Identity, type JobRunResult, runCommand, runJobAsCaller, type UserError } from '@crm/service-kit';
import type { CustomersContext } from '../context.ts';

export interface RunCustomersJobResult {
  run: JobRunResult | null;
  userErrors: UserError[];
}

/**
 * Runs a job of customers (`grade-evaluation`) for a business date, today or earlier, on behalf
 * of an administrator (the scheduled run uses today). The job commits page by page on its own
 * connection and is audited as `job:<name>` by the caller and recorded in `job_run`; this command
 * then records the mutation (`action`) with the run's counts.
 */
export async function runCustomersJob(
  ctx: CustomersContext,
  identity: Identity,
  input: { job: string; asOf: string },
  action: 'runGradeEvaluation' | 'runCustomersJob',
): Promise<RunCustomersJobResult> {
  const { run, userErrors } = await runJobAsCaller(ctx, input.job, input.asOf);
  if (!run) return { run, userErrors };
  return runCommand(ctx, { action, entityType: 'Job', entityId: input.job }, async (_tx, audit): Promise<RunCustomersJobResult> => {
    audit.detail({ asOf: input.asOf, ...run.counts });
    if (userErrors.length) return { run, userErrors };
    ctx.logger.info({ job: input.job, asOf: input.asOf, ...run.counts, by: identity.userId }, 'job run by an administrator');
    return { run, userErrors: [] };
  });
}
