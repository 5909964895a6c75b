import { z } from 'zod';

/**
 * The event catalogue: every event type any service emits, with its runtime schema.
 * Types are versioned (`crm.<producer>.<Name>.v<version>`); a breaking change is a new version.
 * Each producer publishes to one topic, keyed by customer id.
 */
export const PRODUCERS = ['customers', 'credit', 'engagement', 'loyalty'] as const;
export type Producer = (typeof PRODUCERS)[number];

export interface EventDefinition<P extends Producer = Producer, N extends string = string, S extends z.ZodType = z.ZodType> {
  producer: P;
  name: N;
  version: number;
  type: string;
  description: string;
  data: S;
}

function define<P extends Producer, N extends string, S extends z.ZodType>(
  producer: P,
  name: N,
  description: string,
  data: S,
  version = 1,
): EventDefinition<P, N, S> {
  return { producer, name, version, type: `crm.${producer}.${name}.v${version}`, description, data };
}

const id = z.string().min(1);
const instant = z.iso.datetime({ offset: true });
const date = z.iso.date();
const customerKind = z.enum(['INDIVIDUAL', 'ENTERPRISE']);

export const catalogue = {
  CustomerRegistered: define(
    'customers',
    'CustomerRegistered',
    'A customer (individual or enterprise) was registered.',
    z.object({
      customerId: id,
      kind: customerKind,
      displayName: z.string().min(1),
      status: z.enum(['PROSPECT', 'ACTIVE', 'DORMANT', 'CHURNED']),
      branchId: id,
      relationshipManagerId: id.nullable(),
      birthDate: date.nullable(),
      registeredAt: instant,
    }),
  ),
  InteractionLogged: define(
    'engagement',
    'InteractionLogged',
    'A contact with a customer was recorded.',
    z.object({
      interactionId: id,
      customerId: id,
      channel: z.string(),
      direction: z.enum(['INBOUND', 'OUTBOUND']),
      purpose: z.string(),
      staffId: id,
      occurredAt: instant,
    }),
  ),
  TaskCreated: define(
    'engagement',
    'TaskCreated',
    'A task was created for a staff member, by hand or in reaction to an event.',
    z.object({
      taskId: id,
      customerId: id,
      type: z.string(),
      assigneeId: id.nullable(),
      priority: z.enum(['LOW', 'NORMAL', 'HIGH', 'URGENT']),
      dueAt: instant,
      sourceEventId: id.nullable(),
    }),
  ),
  LoyaltyAccountOpened: define(
    'loyalty',
    'LoyaltyAccountOpened',
    'A loyalty account was opened for a customer.',
    z.object({ accountId: id, customerId: id, tier: z.string(), openedAt: instant }),
  ),
  PointsEarned: define(
    'loyalty',
    'PointsEarned',
    'Points were credited to a loyalty account.',
    z.object({
      accountId: id,
      customerId: id,
      entryId: id,
      points: z.number().int().positive(),
      reason: z.string(),
      sourceEventId: id,
      balance: z.number().int(),
    }),
  ),
} as const;

export type Catalogue = typeof catalogue;
export type EventName = keyof Catalogue;
export type EventData<N extends EventName> = z.infer<Catalogue[N]['data']>;

const byType = new Map<string, EventDefinition>(Object.values(catalogue).map((d) => [d.type, d]));

export function definitionOfType(type: string): EventDefinition | undefined {
  return byType.get(type);
}

/** `crm.<producer>.v1`, prefixed by a namespace when one is set (isolated test runs). */
export function topicOf(producer: Producer, namespace = ''): string {
  return `${namespace ? `${namespace}.` : ''}crm.${producer}.v1`;
}

/** Dead-letter topic of one consumer group. */
export function deadLetterTopicOf(consumer: Producer, namespace = ''): string {
  return `${namespace ? `${namespace}.` : ''}crm.dlq.${consumer}.v1`;
}
