/**
 * The event catalogue: every event type any service emits, with its runtime schema. One file
 * per producing service. Types are versioned (`crm.<producer>.<Name>.v<version>`): a breaking
 * change is a new version, published beside the old one until consumers moved.
 */

import type { z } from 'zod';
import { creditEvents } from './credit.ts';
import { customersEvents } from './customers.ts';
import type { EventDefinition, Producer } from './define.ts';
import { engagementEvents } from './engagement.ts';
import { loyaltyEvents } from './loyalty.ts';
import { stateRecords } from './state.ts';

export {
  creditEvents,
  crisisMeasureKind,
  DELINQUENCY_BUCKETS,
  type DelinquencyBucket,
  delinquencyBucket,
  restructuringKind,
  riskClass,
  riskWarningOutcome,
  warningSeverity,
  warningStatus,
} from './credit.ts';
export { consentPurpose, customerGrade, customerKind, customerStatus, customersEvents, documentCategory, specialCareFlag } from './customers.ts';
export { define, defineState, type EventDefinition, f as eventFields, PRODUCERS, type Producer } from './define.ts';
export {
  churnRiskLevel,
  complaintStatus,
  engagementEvents,
  notificationChannel,
  notificationKind,
  notificationStatus,
  offerKind,
  offerOutcome,
  retentionOutcome,
  visitConcern,
} from './engagement.ts';
export { loyaltyEvents } from './loyalty.ts';
export { stateRecords } from './state.ts';

export const catalogue = { ...customersEvents, ...creditEvents, ...engagementEvents, ...loyaltyEvents, ...stateRecords } as const;

export type Catalogue = typeof catalogue;
export type EventName = keyof Catalogue;
/** An event's data as consumers receive it (after validation and defaults). */
export type EventData<N extends EventName> = z.output<Catalogue[N]['data']>;
/** An event's data as a producer writes it (fields with defaults may be left out). */
export type EventInput<N extends EventName> = z.input<Catalogue[N]['data']>;

const byType = new Map<string, EventDefinition>(Object.values(catalogue).map((d) => [d.type, d]));

export function definitionOfType(type: string): EventDefinition | undefined {
  return byType.get(type);
}

/** `crm.<producer>.v1`, prefixed by a namespace when one is set (isolated test runs). */
export function topicOf(producer: Producer, namespace = ''): string {
  return `${namespace ? `${namespace}.` : ''}crm.${producer}.v1`;
}

/** The compacted state topic of one aggregate: `crm.<producer>.<aggregate>.state.v1`. */
export function stateTopicOf(producer: Producer, aggregate: string, namespace = ''): string {
  return `${namespace ? `${namespace}.` : ''}crm.${producer}.${aggregate}.state.v1`;
}

/** The topic an event of this definition goes to: its producer's topic, or its aggregate's state topic. */
export function topicOfDefinition(def: EventDefinition, namespace = ''): string {
  return def.state ? stateTopicOf(def.producer, def.state.aggregate, namespace) : topicOf(def.producer, namespace);
}

/** The state topics a producer owns (created, compacted, at its start-up). */
export function stateTopicsOf(producer: Producer, namespace = ''): string[] {
  return [
    ...new Set(
      Object.values(catalogue as Record<string, EventDefinition>)
        .filter((d) => d.producer === producer && d.state)
        .map((d) => topicOfDefinition(d, namespace)),
    ),
  ];
}

/** Dead-letter topic of one consumer group. */
export function deadLetterTopicOf(consumer: Producer, namespace = ''): string {
  return `${namespace ? `${namespace}.` : ''}crm.dlq.${consumer}.v1`;
}
