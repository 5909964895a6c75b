import { type CloudEvent, createEvent, type EventInput, type EventName } from '@crm/events';
import { startTestService, type TestService } from '@crm/service-kit/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DB } from '../src/db/schema.ts';
import { loyaltyService } from '../src/service.ts';

/**
 * Events at broker speed (issue 17): loyalty handles a batch of CustomerRegistered, InstalmentPaid,
 * LoanClosed and SurveyResponded set-based (src/events/batch.ts). Oracle: the same events handled
 * one at a time by the one-event handlers, on a second service. A seeded scenario mixes new and
 * known customers, accounts opened by an instalment before the registration, referrals, tier
 * upgrades, business keys that already earned, late instalments, customers with several events in
 * a batch, other event types between them and duplicates; every account, ledger entry, referral
 * and emitted event (with its correlation id) must come out the same.
 *
 * The referrers earn only from the referral reward (LoanDisbursed, one at a time in both): events
 * of different customers may be applied in another order inside a batch (only each customer's
 * order is kept), so a referrer that also earned from its own events in the same batch could see
 * its events in another order than in the oracle, which is allowed but not comparable.
 */
const TOPIC: Record<string, string> = { customers: 'crm.customers.v1', credit: 'crm.credit.v1', engagement: 'crm.engagement.v1' };

/** Park-Miller: the same scenario on every run. */
function random(seed: number) {
  let s = seed;
  const next = () => {
    s = (s * 16807) % 2147483647;
    return (s - 1) / 2147483646;
  };
  return { next, pick: <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)] as T, int: (n: number) => Math.floor(next() * n) };
}

type Event = CloudEvent & { subject: string };

/** The scenario's events; referral codes differ per service (random), hence `codeOf`. */
function scenario(seed: number, codeOf: (customerId: string) => string): { setup: Event[]; batch: Event[] } {
  const r = random(seed);
  let n = 0;
  const at = (day: number, minute = 0) => new Date(Date.UTC(2026, 10, 20 + day, 8, minute)).toISOString();
  const ev = <N extends EventName>(name: N, customerId: string, data: EventInput<N>, time: string): Event =>
    createEvent(name, { id: `s${seed}-ev-${++n}`, subject: customerId, data, time: new Date(time) }) as Event;
  const registered = (customerId: string, day: number, referralCode: string | null = null) =>
    ev(
      'CustomerRegistered',
      customerId,
      {
        customerId,
        kind: 'INDIVIDUAL',
        displayName: `Member ${customerId}`,
        status: 'ACTIVE',
        branchId: `BR-${r.int(3)}`,
        relationshipManagerId: r.next() < 0.5 ? `rm-${r.int(4)}` : null,
        birthDate: r.next() < 0.5 ? '1990-05-17' : null,
        registeredAt: at(day),
        referralCode,
      },
      at(day, r.int(50)),
    );
  const paid = (customerId: string, loan: string, number: number, amount: string, onTime: boolean, day: number) =>
    ev(
      'InstalmentPaid',
      customerId,
      {
        customerId,
        loanId: loan,
        instalmentNumber: number,
        dueDate: at(day).slice(0, 10),
        paidOn: at(day).slice(0, 10),
        amountPaid: amount,
        currency: 'KES',
        onTime,
        daysLate: onTime ? 0 : 9,
        repaymentId: `rep-${loan}-${number}-${n}`,
        interestPaid: null,
      },
      at(day, r.int(50)),
    );
  const p = `s${seed}`;
  const referrers = [`${p}-ref-1`, `${p}-ref-2`];
  const known = [`${p}-known-1`, `${p}-known-2`, `${p}-known-3`, `${p}-known-4`];
  const early = `${p}-early`;
  const setup = [
    ...referrers.map((c) => registered(c, 0)),
    ...known.map((c) => registered(c, 0)),
    paid(known[0] as string, `${p}-L-old`, 1, '2500.00', true, 1),
    // Opened by an instalment: its registration (in the batch) completes it.
    paid(early, `${p}-L-early`, 1, '1000.00', true, 1),
  ];
  const fresh = Array.from({ length: 24 }, (_, i) => `${p}-new-${i}`);
  const strangers = Array.from({ length: 4 }, (_, i) => `${p}-stranger-${i}`);
  const batch: Event[] = [registered(early, 2)];
  const amounts = ['2549.50', '10000.00', '150000.00', '700000.00', '99.00'];
  for (const [i, c] of fresh.entries()) {
    const code = i % 5 === 0 ? codeOf(r.pick(referrers)) : i % 7 === 0 ? 'NO-SUCH-CODE' : null;
    batch.push(registered(c, 2, code ? (i % 2 ? code.toLowerCase() : code) : null));
  }
  const members = [...known, ...fresh, ...strangers, early];
  for (let k = 0; k < 90; k++) {
    const c = r.pick(members);
    const roll = r.next();
    const day = 3 + r.int(5);
    if (roll < 0.55) batch.push(paid(c, `${p}-L-${r.int(3)}`, 1 + r.int(3), r.pick(amounts), r.next() < 0.8, day));
    else if (roll < 0.6)
      batch.push(paid(known[0] as string, `${p}-L-old`, 1, '2500.00', true, day)); // earned before: no second time
    else if (roll < 0.68)
      batch.push(
        ev(
          'LoanClosed',
          c,
          {
            customerId: c,
            loanId: `${p}-L-${r.int(3)}`,
            closedOn: at(day).slice(0, 10),
            principal: '1000.00',
            currency: 'KES',
            repaidOnTimeInFull: r.next() < 0.7,
          },
          at(day),
        ),
      );
    else if (roll < 0.76)
      batch.push(
        ev(
          'SurveyResponded',
          c,
          {
            responseId: `${p}-resp-${r.int(30)}`,
            surveyId: 'sv',
            dispatchId: `d-${k}`,
            customerId: c,
            npsScore: 9,
            csatScore: null,
            trigger: null,
            respondedAt: at(day),
          },
          at(day),
        ),
      );
    else if (roll < 0.84)
      batch.push(
        ev(
          'CustomerProfileUpdated',
          c,
          { customerId: c, changes: [{ field: 'branchId', oldValue: null, newValue: `BR-${r.int(9)}` }], updatedBy: 'officer-1', updatedAt: at(day) },
          at(day),
        ),
      );
    else if (roll < 0.9) {
      const referred = fresh[5 * r.int(5)] as string;
      batch.push(
        ev(
          'LoanDisbursed',
          referred,
          {
            customerId: referred,
            loanId: `${p}-L-first`,
            productCode: 'SME-12',
            principal: '1000.00',
            currency: 'KES',
            disbursedOn: at(day).slice(0, 10),
            firstDueDate: at(day + 30).slice(0, 10),
            instalmentCount: 12,
            officerId: null,
            loanCycle: 1,
          },
          at(day),
        ),
      );
    } else if (batch.length) batch.push(r.pick(batch)); // a duplicate
  }
  return { setup, batch };
}

const message = (e: Event) => {
  const producer = e.source.split('/').at(-1) ?? '';
  return { topic: TOPIC[producer] ?? '', key: e.subject, value: JSON.stringify(e) };
};

/** Everything loyalty holds and emitted about these customers, without its own random ids. */
async function picture(svc: TestService<DB>, customers: readonly string[]) {
  const db = svc.db;
  const accounts = await db
    .selectFrom('loyalty_account')
    .select(['id', 'customer_id', 'tier', 'tier_since', 'downgrade_on', 'branch_id', 'relationship_manager_id', 'birth_date', 'opened_at'])
    .where('customer_id', 'in', [...customers])
    .orderBy('customer_id')
    .execute();
  const customerOfAccount = new Map(accounts.map((a) => [a.id, a.customer_id]));
  const entries = await db
    .selectFrom('points_entry')
    .select(['id', 'account_id', 'kind', 'points', 'reason', 'source_id', 'source_ref', 'rule_code', 'created_at', 'expires_at'])
    .where('account_id', 'in', [...customerOfAccount.keys()])
    .execute();
  const sourceOfEntry = new Map(entries.map((e) => [e.id, e.source_id]));
  const referrals = await db
    .selectFrom('referral')
    .selectAll()
    .where('referred_customer_id', 'in', [...customers])
    .orderBy('referred_customer_id')
    .execute();
  const outbox = await db
    .selectFrom('event_outbox')
    .select(['key', 'type', 'event'])
    .where('key', 'in', [...customers])
    .orderBy('seq')
    .execute();
  const states = await db.selectFrom('event_outbox').select(['key', 'event']).where('type', '=', 'crm.loyalty.LoyaltyAccountState.v1').orderBy('seq').execute();
  const json = (v: unknown) =>
    (typeof v === 'string' ? JSON.parse(v) : v) as { data: Record<string, unknown>; correlationid?: string; time: string; type: string };
  const lastState = new Map<string, Record<string, unknown>>();
  for (const s of states) {
    const { accountId: _a, openedAt: _o, ...data } = json(s.event).data;
    const customer = customerOfAccount.get(s.key);
    if (customer) lastState.set(customer, data);
  }
  return {
    accounts: accounts.map(({ id: _id, ...a }) => a),
    entries: entries
      .map(({ id: _id, account_id, ...e }) => ({ customer: customerOfAccount.get(account_id), ...e }))
      .sort((a, b) => `${a.customer} ${a.source_id} ${a.kind}`.localeCompare(`${b.customer} ${b.source_id} ${b.kind}`)),
    referrals: referrals.map(({ referrer_account_id, reward_entry_id, referral_code: _code, ...f }) => ({
      ...f,
      referrer: customerOfAccount.get(referrer_account_id),
      rewardSource: reward_entry_id ? sourceOfEntry.get(reward_entry_id) : null,
    })),
    // Per customer, in the order written (the order across customers may differ: see above).
    events: [...outbox]
      .sort((x, y) => x.key.localeCompare(y.key))
      .map((o) => {
        const e = json(o.event);
        const { accountId: _a, entryId: _e, ...data } = e.data;
        return { key: o.key, type: o.type, correlationid: e.correlationid, ...(o.type.endsWith('LoyaltyAccountOpened.v1') ? {} : { time: e.time }), data };
      }),
    states: [...lastState.entries()].sort(([a], [b]) => a.localeCompare(b)),
  };
}

describe('loyalty event batches (set-based) against one event at a time', () => {
  let one: TestService<DB>;
  let batched: TestService<DB>;
  beforeAll(async () => {
    one = await startTestService(loyaltyService, { label: 'loyalty_batch_oracle' });
    batched = await startTestService(loyaltyService, { label: 'loyalty_batch_sets' });
  }, 180_000);
  afterAll(async () => {
    await one?.stop();
    await batched?.stop();
  });

  for (const seed of [17, 4242]) {
    it(`seed ${seed}: the same accounts, ledger, referrals and events`, async () => {
      const codes = async (svc: TestService<DB>) =>
        new Map((await svc.db.selectFrom('loyalty_account').select(['customer_id', 'referral_code']).execute()).map((a) => [a.customer_id, a.referral_code]));
      const run = async (svc: TestService<DB>, deliver: (events: Event[]) => Promise<void>) => {
        const { setup } = scenario(seed, () => '');
        for (const e of setup) await svc.consumer.handle(message(e));
        const known = await codes(svc);
        const { batch } = scenario(seed, (c) => known.get(c) ?? '');
        await deliver(batch);
        return batch;
      };
      const batch = await run(one, async (events) => {
        for (const e of events) await one.consumer.handle(message(e));
      });
      await run(batched, async (events) => {
        // Slices of several sizes, and the first slice delivered again (a redelivery).
        const sizes = [40, 7, 1000];
        let from = 0;
        for (const size of sizes) {
          await batched.consumer.handleBatch(events.slice(from, from + size).map(message));
          from += size;
        }
        await batched.consumer.handleBatch(events.slice(0, 40).map(message));
      });
      const customers = [...new Set([...scenario(seed, () => '').setup, ...batch].map((e) => e.subject))];
      const [a, b] = [await picture(one, customers), await picture(batched, customers)];
      expect(b.accounts.length).toBeGreaterThan(25);
      expect(b.entries.filter((e) => e.rule_code === 'ON_TIME_INSTALMENT').length).toBeGreaterThan(10);
      expect(b.events.filter((e) => e.type.endsWith('TierChanged.v1')).length).toBeGreaterThan(0);
      expect(b.referrals.filter((f) => f.rewardSource).length).toBeGreaterThan(0);
      expect(b.accounts).toEqual(a.accounts);
      expect(b.entries).toEqual(a.entries);
      expect(b.referrals).toEqual(a.referrals);
      expect(b.events).toEqual(a.events);
      expect(b.states).toEqual(a.states);
      // No batch fell back to one event at a time: the batch's events were handled in 3 transactions (now() is the transaction's start).
      const handled = await batched.db
        .selectFrom('event_inbox')
        .select('handled_at')
        .distinct()
        .where(
          'event_id',
          'in',
          batch.map((e) => e.id),
        )
        .execute();
      expect(handled.length).toBeLessThanOrEqual(3);
      for (const svc of [one, batched]) {
        expect(await svc.db.selectFrom('event_dead_letter').select('event_id').execute()).toEqual([]);
        const inbox = await svc.db.selectFrom('event_inbox').select('event_id').where('event_id', 'like', `s${seed}-%`).execute();
        expect(inbox.length).toBe(new Set(inbox.map((i) => i.event_id)).size);
      }
    }, 240_000);
  }
});
