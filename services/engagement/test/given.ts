import { catalogue, createEvent, type EventInput, type EventName, topicOf } from '@crm/events';
import type { TestService } from '@crm/service-kit/testing';
import type { DB } from '../src/db/schema.ts';

/** Fixture builders: deliver other services' events as their transports would, and return them. */
export function given(svc: TestService<DB>) {
  async function deliver<N extends EventName>(name: N, subject: string, data: EventInput<N>, options: { id?: string; time?: Date } = {}) {
    const event = createEvent(name, { subject, data, ...options });
    const message = { topic: topicOf(catalogue[name].producer), key: subject, value: JSON.stringify(event) };
    await svc.consumer.handle(message);
    return { event, redeliver: () => svc.consumer.handle(message) };
  }
  return {
    deliver,
    async customer(customerId: string, overrides: Partial<EventInput<'CustomerRegistered'>> = {}) {
      await deliver('CustomerRegistered', customerId, {
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
