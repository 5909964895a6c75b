import type { JobDefinition } from '@crm/service-kit';
import type { DB } from '../db/schema.ts';
import { gradeEvaluationJob } from './grade-evaluation.job.ts';

/** Scheduled runs of this service. */
export const jobs: JobDefinition<DB>[] = [gradeEvaluationJob];
