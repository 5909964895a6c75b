import { Counter, Gauge, register } from 'prom-client';

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

export const outboxLag = new Gauge({
  name: 'crm_outbox_lag_seconds',
  help: 'Age of the oldest outbox row not yet published, by service (0 when none waits); sampled by the relay at most every 15 s',
  labelNames: ['service'] as const,
  registers: [register],
});

export const consumerLag = new Gauge({
  name: 'crm_consumer_lag_messages',
  help: "Messages on a topic not yet consumed by a service's consumer group (Kafka: end offsets minus committed offsets); sampled at most every 15 s",
  labelNames: ['service', 'topic'] as const,
  registers: [register],
});
