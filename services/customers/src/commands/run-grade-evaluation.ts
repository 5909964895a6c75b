import { type Identity, runCommand, type UserError } from '@crm/service-kit';
import type { CustomersContext } from '../context.ts';

export type RunGradeEvaluationResult = { counts: Record<string, number>; userErrors: [] } | { counts: null; userErrors: UserError[] };

/**
 * Runs the grade evaluation for a business date on behalf of an administrator (the scheduled run
 * uses today; a later date simulates the passing of at-risk windows). The job commits page by
 * page on its own connection and is audited as `job:grade-evaluation` by the caller; this command
 * then records the mutation with the run's counts.
 */
export async function runGradeEvaluation(ctx: CustomersContext, identity: Identity, input: { asOf: string }): Promise<RunGradeEvaluationResult> {
  const counts = await ctx.jobs.run('grade-evaluation', input.asOf, ctx.audit.actor);
  return runCommand(
    ctx,
    { action: 'runGradeEvaluation', entityType: 'Job', entityId: 'grade-evaluation' },
    async (_tx, audit): Promise<RunGradeEvaluationResult> => {
      audit.detail({ asOf: input.asOf, ...counts });
      if (counts.skipped) return { counts: null, userErrors: [{ field: null, message: 'A grade evaluation is already running', code: 'JOB_ALREADY_RUNNING' }] };
      ctx.logger.info({ asOf: input.asOf, ...counts, by: identity.userId }, 'grade evaluation run by an administrator');
      return { counts, userErrors: [] };
    },
  );
}
