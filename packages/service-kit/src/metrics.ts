import { Counter, collectDefaultMetrics, Histogram, register } from 'prom-client';

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
