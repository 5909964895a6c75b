import { catalogue, createEvent, type EventInput, type EventName, topicOf } from '@crm/events';
import type { TestService } from '@crm/service-kit/testing';
import type { DB, TaskPriority, TaskType } from '../src/db/schema.ts';

/** Fixture builders for engagement's DB-backed tests: deliver other services' events as their transports would, write rows, read what engagement wrote. */
export function given(svc: TestService<DB>) {
  async function deliver<N extends EventName>(name: N, subject: string, data: EventInput<N>, options: { id?: string; time?: Date } = {}) {
    const event = createEvent(name, { subject, data, ...options });
    const message = { topic: topicOf(catalogue[name].producer), key: subject, value: JSON.stringify(event) };
    await svc.consumer.handle(message);
    return { event, redeliver: () => svc.consumer.handle(message) };
  }
  /** Delivers CustomerRegistered (BR-001, manager rm-1 unless overridden); returns the event and a redelivery. */
  function registration(customerId: string, overrides: Partial<EventInput<'CustomerRegistered'>> = {}) {
    return deliver('CustomerRegistered', customerId, {
      customerId,
      kind: 'INDIVIDUAL',
      displayName: 'Amina Diallo',
      status: 'ACTIVE',
      branchId: 'BR-001',
      relationshipManagerId: 'rm-1',
      birthDate: '1990-03-15',
      registeredAt: '2026-11-01T08:00:00.000Z',
      ...overrides,
    });
  }
  return {
    deliver,
    registration,
    async customer(customerId: string, overrides: Partial<EventInput<'CustomerRegistered'>> = {}) {
      await registration(customerId, overrides);
      return customerId;
    },
    consent(customerId: string, granted: boolean, changedAt = new Date().toISOString()) {
      return deliver('ConsentChanged', customerId, { customerId, purpose: 'MARKETING_CONTACT', granted, channel: 'BRANCH', changedAt });
    },
    overdue(customerId: string, loanId: string, daysPastDue: number, asOf: string, instalmentNumber = 1) {
      return deliver('InstalmentOverdue', customerId, {
        loanId,
        customerId,
        instalmentNumber,
        dueDate: '2026-10-01',
        daysPastDue,
        amountOverdue: '125.50',
        currency: 'XOF',
        asOf,
      });
    },
    /** An open task written straight to the table (worklist and reassignment fixtures). */
    async openTask(row: { id: string; customerId: string; type: TaskType; title: string; assigneeId: string | null; priority: TaskPriority; dueAt: Date }) {
      await svc.db
        .insertInto('task')
        .values({
          id: row.id,
          customer_id: row.customerId,
          type: row.type,
          title: row.title,
          assignee_id: row.assigneeId,
          priority: row.priority,
          status: 'OPEN',
          due_at: row.dueAt,
          source_event_id: null,
          completed_interaction_id: null,
        })
        .execute();
      return row.id;
    },
    /** Moves a care event's start an hour into the past: the event took place. */
    async careEventTookPlace(eventId: string) {
      await svc.db
        .updateTable('care_event')
        .set({ starts_at: new Date(Date.now() - 3_600_000) })
        .where('id', '=', eventId)
        .execute();
    },
    tasksOf(customerId: string) {
      return svc.db.selectFrom('task').selectAll().where('customer_id', '=', customerId).orderBy('id').execute();
    },
    outboxTypes(key: string) {
      return svc.db
        .selectFrom('event_outbox')
        .select('type')
        .where('key', '=', key)
        .orderBy('seq')
        .execute()
        .then((rows) => rows.map((r) => r.type.replace(/^crm\.engagement\.|\.v1$/g, '')));
    },
  };
}
