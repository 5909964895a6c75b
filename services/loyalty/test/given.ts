import { createEvent, type EventInput, type EventName } from '@crm/events';
import type { TestService } from '@crm/service-kit/testing';
import type { DB } from '../src/db/schema.ts';

const TOPIC: Record<string, string> = { customers: 'crm.customers.v1', credit: 'crm.credit.v1', engagement: 'crm.engagement.v1' };

/** Fixture builders for loyalty's DB-backed tests: deliver other services' events, read what loyalty wrote. */
export function given(svc: TestService<DB>) {
  async function deliver<N extends EventName>(name: N, customerId: string, data: EventInput<N>, options: { time?: string; id?: string } = {}) {
    const event = createEvent(name, {
      subject: customerId,
      data,
      ...(options.time ? { time: new Date(options.time) } : {}),
      ...(options.id ? { id: options.id } : {}),
    });
    const producer = event.source.split('/').at(-1) ?? '';
    const message = { topic: TOPIC[producer] ?? '', key: customerId, value: JSON.stringify(event) };
    await svc.consumer.handle(message);
    return { event, message };
  }

  return {
    deliver,
    /** A registered customer with an open account (100 welcome points by the default rule). */
    async member(customerId: string, options: { branchId?: string; birthDate?: string; referralCode?: string; at?: string } = {}) {
      const at = options.at ?? '2026-11-20T08:00:00.000Z';
      await deliver(
        'CustomerRegistered',
        customerId,
        {
          customerId,
          kind: 'INDIVIDUAL',
          displayName: `Member ${customerId}`,
          status: 'ACTIVE',
          branchId: options.branchId ?? 'BR-001',
          relationshipManagerId: null,
          birthDate: options.birthDate ?? null,
          registeredAt: at,
          referralCode: options.referralCode ?? null,
        },
        { time: at },
      );
      return svc.db.selectFrom('loyalty_account').selectAll().where('customer_id', '=', customerId).executeTakeFirstOrThrow();
    },
    instalmentPaid(customerId: string, o: { loanId: string; n: number; amount: string; onTime: boolean; at?: string; repaymentId?: string }) {
      const at = o.at ?? '2026-12-10T09:00:00.000Z';
      return deliver(
        'InstalmentPaid',
        customerId,
        {
          customerId,
          loanId: o.loanId,
          instalmentNumber: o.n,
          dueDate: at.slice(0, 10),
          paidOn: at.slice(0, 10),
          amountPaid: o.amount,
          currency: 'KES',
          onTime: o.onTime,
          daysLate: o.onTime ? 0 : 12,
          repaymentId: o.repaymentId ?? `rep-${o.loanId}-${o.n}`,
        },
        { time: at },
      );
    },
    loanDisbursed(customerId: string, o: { loanId: string; cycle: number; at?: string }) {
      const at = o.at ?? '2026-11-21T09:00:00.000Z';
      return deliver(
        'LoanDisbursed',
        customerId,
        {
          customerId,
          loanId: o.loanId,
          productCode: 'SME-12',
          principal: '120000.00',
          currency: 'KES',
          disbursedOn: at.slice(0, 10),
          firstDueDate: '2026-12-21',
          instalmentCount: 12,
          officerId: 'officer-1',
          loanCycle: o.cycle,
        },
        { time: at },
      );
    },
    async balance(customerId: string): Promise<number> {
      const row = await svc.db
        .selectFrom('points_entry as e')
        .innerJoin('loyalty_account as a', 'a.id', 'e.account_id')
        .select((eb) => eb.fn.coalesce(eb.fn.sum<string>('e.points'), eb.lit(0)).as('s'))
        .where('a.customer_id', '=', customerId)
        .executeTakeFirstOrThrow();
      return Number(row.s);
    },
    async entries(customerId: string) {
      return svc.db
        .selectFrom('points_entry as e')
        .innerJoin('loyalty_account as a', 'a.id', 'e.account_id')
        .select(['e.kind', 'e.points', 'e.rule_code', 'e.reason', 'e.actor_id'])
        .where('a.customer_id', '=', customerId)
        .orderBy('e.id')
        .execute();
    },
    /** Event types loyalty wrote to its outbox for a customer, in order. */
    async emitted(customerId: string): Promise<string[]> {
      const rows = await svc.db.selectFrom('event_outbox').select('type').where('key', '=', customerId).orderBy('seq').execute();
      return rows.map((r) => r.type.replace(/^crm\.loyalty\.|\.v1$/g, ''));
    },
    async payloads(customerId: string, type: string): Promise<Record<string, unknown>[]> {
      const rows = await svc.db
        .selectFrom('event_outbox')
        .selectAll()
        .where('key', '=', customerId)
        .where('type', '=', `crm.loyalty.${type}.v1`)
        .orderBy('seq')
        .execute();
      return rows.map((r) => {
        const parsed: unknown = typeof r.event === 'string' ? JSON.parse(r.event) : r.event;
        const data = parsed && typeof parsed === 'object' && 'data' in parsed ? parsed.data : null;
        return data && typeof data === 'object' ? { ...data } : {};
      });
    },
  };
}
