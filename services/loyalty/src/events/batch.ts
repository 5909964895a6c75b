import { type BatchHandlerContext, type DomainEvent, type EventHandler, type EventName, withBatchHandler } from '@crm/events';
import type { Transaction } from 'kysely';
import { accountOfCustomer, earnPoints, earnPointsMany } from '../commands/earn-points.ts';
import { openAccountsOnce } from '../commands/open-account.ts';
import type { DB } from '../db/schema.ts';

/**
 * Splits a batch's events of one type: those of customers with one event in the batch (handled
 * set-based) and the others, in delivery order (handled one by one, each customer's in order).
 * Set-based code sees each account once, so what one event does cannot change what another of
 * the same set-based call computes (a balance, a tier multiplier).
 */
export function splitByCustomer<E>(events: readonly E[], customerOf: (e: E) => string): { single: E[]; repeated: E[] } {
  const count = new Map<string, number>();
  for (const e of events) count.set(customerOf(e), (count.get(customerOf(e)) ?? 0) + 1);
  return { single: events.filter((e) => count.get(customerOf(e)) === 1), repeated: events.filter((e) => (count.get(customerOf(e)) ?? 0) > 1) };
}

/** What an event earns: the member, the earning rule, the amount a proportional rule applies to, the business key it earns once for. */
export interface EarningOfEvent {
  customerId: string;
  ruleCode: string;
  amount: string | null;
  sourceRef: string;
}

/**
 * The handler of an event that earns points by one rule (InstalmentPaid, LoanClosed,
 * SurveyResponded), one decision (`earningOf`) for both forms:
 * - one event: the customer's account (opened if a lending or survey event overtook the
 *   registration), then earnPoints;
 * - a batch (set-based): the accounts opened or read at once, earnPointsMany for the customers
 *   with one such event in the batch; the customers with several get the one-event form, in order.
 */
export function earningHandler<N extends EventName>(earningOf: (event: DomainEvent<N>) => EarningOfEvent | null): EventHandler<DB, N> {
  const one: EventHandler<DB, N> = async (tx, event, { db }) => {
    const earning = earningOf(event);
    if (!earning) return;
    const at = new Date(event.time);
    const account = await accountOfCustomer(tx, earning.customerId, at, db);
    await earnPoints(tx, {
      account,
      ruleCode: earning.ruleCode,
      amount: earning.amount,
      sourceEventId: event.id,
      sourceRef: earning.sourceRef,
      at,
      programme: db,
    });
  };
  return withBatchHandler(one, async (tx, events, context) => {
    const earning = events.flatMap((event) => {
      const e = earningOf(event);
      return e ? [{ event, ...e }] : [];
    });
    const { single, repeated } = splitByCustomer(earning, (e) => e.customerId);
    await earnSetBased(tx, single, context);
    for (const e of repeated) await context.as(e.event, () => one(tx, e.event, context));
  });
}

async function earnSetBased<N extends EventName>(
  tx: Transaction<DB>,
  earning: readonly (EarningOfEvent & { event: DomainEvent<N> })[],
  context: BatchHandlerContext<DB>,
): Promise<void> {
  if (!earning.length) return;
  const as = <T>(index: number, fn: () => Promise<T>) => (earning[index] ? context.as(earning[index].event, fn) : fn());
  const accounts = await openAccountsOnce(
    tx,
    earning.map((e) => ({ customerId: e.customerId, at: new Date(e.event.time) })),
    context.db,
    as,
  );
  await earnPointsMany(
    tx,
    earning.map((e) => {
      const opened = accounts.get(e.customerId);
      if (!opened) throw new Error(`no loyalty account for customer ${e.customerId}`);
      return {
        account: { ...opened.account, fresh: opened.opened },
        ruleCode: e.ruleCode,
        amount: e.amount,
        sourceEventId: e.event.id,
        sourceRef: e.sourceRef,
        at: new Date(e.event.time),
      };
    }),
    context.db,
    as,
  );
}
