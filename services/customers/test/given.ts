import { createEvent, type DomainEvent, definitionOfType, type EventInput, type EventName, topicOf } from '@crm/events';
import type { Identity } from '@crm/service-kit';
import { staff, type TestService } from '@crm/service-kit/testing';
import type { DB } from '../src/db/schema.ts';

export const branchManager: Identity = { userId: 'bm-1', roles: ['branch_manager'], branchId: 'BR-001' };

const REGISTER = /* GraphQL */ `
  mutation Register($input: RegisterCustomerInput!) {
    registerCustomer(input: $input) { customer { id } userErrors { field code message } }
  }
`;

let counter = 0;

/** Fixture builders: create customers through the API and return their ids. */
export function given(svc: TestService<DB>) {
  return {
    async customer(overrides: Record<string, unknown> = {}): Promise<string> {
      counter++;
      const input = {
        kind: 'INDIVIDUAL',
        branchId: 'BR-001',
        relationshipManagerId: 'officer-7',
        individual: { firstName: `Given${counter}`, lastName: 'Customer', birthDate: '1980-05-05', occupation: 'Trader' },
        contact: { address: { region: 'Centre', city: 'Yaoundé' } },
        ...overrides,
      };
      // Branch-bound callers register into their own branch only: the same officer, posted at the customer's branch.
      const registrar: Identity = { ...staff.officer, branchId: String(input.branchId) };
      const res = await svc.graphql<{ registerCustomer: { customer: { id: string } | null; userErrors: unknown[] } }>(REGISTER, { input }, registrar);
      const id = res.data?.registerCustomer.customer?.id;
      if (!id) throw new Error(`fixture registration failed: ${JSON.stringify(res)}`);
      return id;
    },
  };
}

/** Outbox events of one customer, oldest first: [type, data]. */
export async function eventsOf(svc: TestService<DB>, customerId: string, type?: string) {
  const rows = await svc.db
    .selectFrom('event_outbox')
    .select(['type', 'event'])
    .where('key', '=', customerId)
    .$if(type !== undefined, (q) => q.where('type', '=', `crm.customers.${type}.v1`))
    .orderBy('seq')
    .execute();
  return rows.map((r) => {
    const event = typeof r.event === 'string' ? JSON.parse(r.event) : r.event;
    return { type: r.type.replace(/^crm\.customers\.(.*)\.v1$/, '$1'), data: event.data };
  });
}

/** Row counts of the tables a mutation may write, to prove a refusal wrote nothing. */
export async function counts(svc: TestService<DB>) {
  const n = async (
    table: 'customer_change' | 'event_outbox' | 'financial_snapshot' | 'consent_record' | 'segment' | 'customer_document' | 'manager_assignment',
  ) => {
    const row = await svc.db
      .selectFrom(table)
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .executeTakeFirstOrThrow();
    return Number(row.n);
  };
  return {
    changes: await n('customer_change'),
    outbox: await n('event_outbox'),
    snapshots: await n('financial_snapshot'),
    consents: await n('consent_record'),
    segments: await n('segment'),
    documents: await n('customer_document'),
    assignments: await n('manager_assignment'),
  };
}

/** Delivers another service's event to the consumer as the broker would; returns it (to deliver it again). */
export async function deliver<N extends EventName>(svc: TestService<DB>, name: N, customerId: string, data: EventInput<N>): Promise<DomainEvent<N>> {
  const event = createEvent(name, { subject: customerId, data });
  await send(svc, event);
  return event;
}

/** Hands an event to the consumer as the broker would (the same event again for a redelivery). */
export async function send(svc: TestService<DB>, event: DomainEvent<EventName>): Promise<void> {
  const producer = definitionOfType(event.type)?.producer;
  if (!producer) throw new Error(`not in the catalogue: ${event.type}`);
  await svc.consumer.handle({ topic: topicOf(producer), key: event.subject, value: JSON.stringify(event) });
}
