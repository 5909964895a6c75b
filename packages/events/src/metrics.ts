import { Counter, register } from 'prom-client';

export const eventsPublished = new Counter({
  name: 'crm_events_published_total',
  help: 'Events published from the outbox, by service and type',
  labelNames: ['service', 'type'] as const,
  registers: [register],
});

export const eventsConsumed = new Counter({
  name: 'crm_events_consumed_total',
  help: 'Events received by consumers, by service, type and outcome (handled, duplicate, ignored, retried, dead_lettered)',
  labelNames: ['service', 'type', 'outcome'] as const,
  registers: [register],
});
