/**
 * Rapid per-customer changes with a broker flap: each customer's branch changes six times in a
 * row while the broker is stopped and started. Every consumer handles every change exactly once,
 * in the order the customers service committed them (per customer), and ends on the last value.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { awaitRegistrations, broker, exactlyOnce, registerCustomer, report, runLoad, type Stack, sleep, startStack, until } from './harness.ts';

const consumers = ['credit', 'engagement', 'loyalty'] as const;
const CUSTOMERS = 30;
const CHANGES = 6;
const RECOVERY_MS = 90_000;
const UPDATE = `mutation($input: UpdateCustomerProfileInput!) { updateCustomerProfile(input: $input) { customer { id } changes { field } userErrors { code message } } }`;
const replicaQuery = {
  credit: 'select id, branch_id from customer_replica where id = any($1)',
  engagement: 'select id, branch_id from customer_replica where id = any($1)',
  loyalty: 'select customer_id as id, branch_id from loyalty_account where customer_id = any($1)',
};

describe('per-customer ordering through a broker flap', () => {
  let stack: Stack;
  let ids: string[] = [];

  beforeAll(async () => {
    stack = await startStack();
    const outcome = await runLoad(CUSTOMERS, 6, (i) => registerCustomer(stack, 'BR-O0', i));
    ids = outcome.ok;
    const { effects } = await awaitRegistrations(stack, ids, 60_000, 0);
    expect(effects).toEqual(exactlyOnce(CUSTOMERS));
  });

  afterAll(async () => {
    await stack?.close();
  });

  it('applies every change once, in order per customer, and ends on the last value', async () => {
    let brokerBackAt = 0;
    const flap = (async () => {
      await sleep(1_000);
      await broker.stop();
      await sleep(3_000);
      await broker.start();
      brokerBackAt = Date.now();
    })();
    let next = 0;
    const failures: unknown[] = [];
    let okCount = 0;
    await Promise.all(
      Array.from({ length: 6 }, async () => {
        for (let c = next++; c < ids.length; c = next++) {
          for (let k = 1; k <= CHANGES; k++) {
            const res = await stack.graphql<{ updateCustomerProfile: { changes: unknown[]; userErrors: unknown[] } }>(UPDATE, {
              input: { customerId: ids[c], branchId: `BR-O${k}` },
            });
            if (res.errors?.length || res.data?.updateCustomerProfile.userErrors.length || res.data?.updateCustomerProfile.changes.length !== 1) {
              failures.push(res.errors ?? res.data);
            } else okCount++;
            await sleep(150);
          }
        }
      }),
    );
    await flap;
    expect(failures).toEqual([]);
    expect(okCount).toBe(CUSTOMERS * CHANGES);

    // the customers service's own record of what it emitted, in commit order per customer
    const { rows: emitted } = await stack
      .db('customers')
      .query<{ id: string; key: string; seq: string }>(
        `select id, key, seq from event_outbox where type like '%CustomerProfileUpdated%' and key = any($1) order by seq`,
        [ids],
      );
    expect(emitted).toHaveLength(CUSTOMERS * CHANGES);
    const eventIds = emitted.map((e) => e.id);

    const handled = await until(async () => {
      const counts = await Promise.all(consumers.map((s) => stack.count(s, 'select count(*) as n from event_inbox where event_id = any($1)', [eventIds])));
      return counts.every((n) => n === eventIds.length) ? counts : undefined;
    }, RECOVERY_MS * 2);
    const recoveryMs = Date.now() - brokerBackAt;
    await sleep(2_000);

    const seqOf = new Map(emitted.map((e) => [e.id, Number(e.seq)]));
    const keyOf = new Map(emitted.map((e) => [e.id, e.key]));
    const result: Record<string, unknown> = {};
    for (const s of consumers) {
      const { rows } = await stack
        .db(s)
        .query<{ event_id: string }>('select event_id from event_inbox where event_id = any($1) order by handled_at, event_id', [eventIds]);
      // per customer, the inbox's handling order must follow the outbox's sequence
      const last = new Map<string, number>();
      let outOfOrder = 0;
      for (const r of rows) {
        const key = keyOf.get(r.event_id) as string;
        const seq = seqOf.get(r.event_id) as number;
        if ((last.get(key) ?? -1) > seq) outOfOrder++;
        last.set(key, seq);
      }
      const { rows: replicas } = await stack.db(s).query<{ id: string; branch_id: string }>(replicaQuery[s], [ids]);
      const onLastValue = replicas.filter((r) => r.branch_id === `BR-O${CHANGES}`).length;
      result[s] = { handled: rows.length, outOfOrder, onLastValue };
      expect({ handled: rows.length, outOfOrder, onLastValue }).toEqual({ handled: eventIds.length, outOfOrder: 0, onLastValue: CUSTOMERS });
    }
    report('ordering with broker flap', { changes: okCount, ...result, recoveryMs, handled });
    expect(recoveryMs).toBeLessThan(RECOVERY_MS);
  });
});
