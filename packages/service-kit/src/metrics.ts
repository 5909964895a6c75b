import { Counter, collectDefaultMetrics, Gauge, Histogram, register } from 'prom-client';

/**
 * One registry per process. In embedded mode the four services share the process, so every
 * metric carries a `service` label.
 */
export const registry = register;
collectDefaultMetrics({ register: registry });

export const graphqlOperations = new Counter({
  name: 'crm_graphql_operations_total',
  help: 'GraphQL operations executed, by service, operation name and outcome',
  labelNames: ['service', 'operation', 'outcome'] as const,
  registers: [registry],
});

export const graphqlDuration = new Histogram({
  name: 'crm_graphql_operation_duration_seconds',
  help: 'GraphQL operation duration',
  labelNames: ['service', 'operation'] as const,
  buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
  registers: [registry],
});

// Event metrics (published, consumed, dead-lettered) are defined in @crm/events on the same registry.

export const jobRuns = new Counter({
  name: 'crm_job_runs_total',
  help: 'Job runs, by service, job and outcome (SUCCEEDED, SKIPPED, FAILED)',
  labelNames: ['service', 'job', 'outcome'] as const,
  registers: [registry],
});

export const jobDuration = new Histogram({
  name: 'crm_job_run_duration_seconds',
  help: 'Duration of job runs that did their work, by service and job',
  labelNames: ['service', 'job'] as const,
  buckets: [0.1, 0.5, 1, 5, 15, 60, 300, 900, 3600],
  registers: [registry],
});

export const jobLastBusinessDate = new Gauge({
  name: 'crm_job_last_success_business_date_seconds',
  help: 'Business date (as-of, midnight UTC, as Unix seconds) of the latest successful run of each job; read from job_run at start',
  labelNames: ['service', 'job'] as const,
  registers: [registry],
});

export const readinessCheck = new Gauge({
  name: 'crm_readiness_check_up',
  help: 'Result of each readiness check at the last /readyz probe (1 up, 0 down), by service and check',
  labelNames: ['service', 'check'] as const,
  registers: [registry],
});
