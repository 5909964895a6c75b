import { createEvent, type DomainEvent, type EventName, writeToOutbox } from '@crm/events';
import type { Transaction } from 'kysely';
import { v7 as uuidv7 } from 'uuid';
import { findCoolingOffers, findOpenOffers, insertOffers, type OfferFactRow, rerankOffers, withdrawOffers } from '../db/offer.store.ts';
import type { DB } from '../db/schema.ts';
import { type OfferReason, type OfferRule, planOffers, rankOffers } from '../domain/offers.ts';

/**
 * The next-best offers of one page of customers as of a date, in the caller's transaction (the
 * generation job's): for each customer the rules that hold (domain/offers.ts `rankOffers`; none
 * without marketing consent), then `planOffers` against their open offers and the rules cooling
 * down; new offers (OfferMade), re-ranked open ones, withdrawn ones (OfferWithdrawn), each written
 * for the whole page at once. A rerun for the same date changes nothing.
 */
export async function makeOffers(
  tx: Transaction<DB>,
  facts: readonly OfferFactRow[],
  rules: readonly OfferRule[],
  input: { asOf: string; now: Date },
): Promise<{ made: number; withdrawn: number; reranked: number }> {
  const ids = facts.map((f) => f.customerId);
  const open = await findOpenOffers(tx, ids);
  const cooling = await findCoolingOffers(tx, ids, input.asOf);
  const byRule = new Map(rules.map((r) => [r.code, r]));
  const made: Parameters<typeof insertOffers>[1] = [];
  const reranked: { id: string; rank: number; reasons: { condition: string; value: string }[] }[] = [];
  const withdrawn = { EXPIRED: [] as string[], NO_LONGER_ELIGIBLE: [] as string[] };
  const events: DomainEvent<EventName>[] = [];
  for (const f of facts) {
    const ranked = f.consents ? rankOffers(f, rules) : [];
    const mine = open.filter((o) => o.customer_id === f.customerId);
    const plan = planOffers(
      ranked,
      mine.map((o) => ({ id: o.id, ruleCode: o.rule_code, validUntil: o.valid_until })),
      new Set(cooling.filter((c) => c.customer_id === f.customerId).map((c) => c.rule_code)),
      byRule,
      input.asOf,
    );
    for (const m of plan.make) {
      const id = uuidv7();
      made.push({
        id,
        customer_id: f.customerId,
        rule_code: m.ruleCode,
        kind: m.kind,
        rank: m.rank,
        reasons: JSON.stringify(m.reasons),
        status: 'OPEN',
        made_on: input.asOf,
        valid_until: m.validUntil,
        made_at: input.now,
        assignee_id: f.relationshipManagerId,
      });
      events.push(
        createEvent('OfferMade', {
          subject: f.customerId,
          time: input.now,
          data: {
            offerId: id,
            customerId: f.customerId,
            ruleCode: m.ruleCode,
            kind: m.kind,
            rank: m.rank,
            reasons: m.reasons,
            validUntil: m.validUntil,
            relationshipManagerId: f.relationshipManagerId,
            asOf: input.asOf,
          },
        }),
      );
    }
    for (const r of plan.refresh) {
      const current = mine.find((o) => o.id === r.id);
      // jsonb keeps its own key order: compare the reasons field by field
      const same = (a: readonly OfferReason[], b: readonly OfferReason[]) =>
        a.length === b.length && a.every((x, k) => x.condition === b[k]?.condition && x.value === b[k]?.value);
      if (current && (current.rank !== r.rank || !same(current.reasons, r.reasons))) reranked.push(r);
    }
    for (const w of plan.withdraw) withdrawn[w.reason].push(w.id);
  }
  await insertOffers(tx, made);
  await rerankOffers(tx, reranked);
  for (const reason of ['EXPIRED', 'NO_LONGER_ELIGIBLE'] as const) {
    for (const o of await withdrawOffers(tx, withdrawn[reason], reason, input.asOf)) {
      events.push(
        createEvent('OfferWithdrawn', {
          subject: o.customer_id,
          time: input.now,
          data: { offerId: o.id, customerId: o.customer_id, ruleCode: o.rule_code, kind: o.kind, reason, asOf: input.asOf },
        }),
      );
    }
  }
  await writeToOutbox(tx, events);
  return { made: made.length, withdrawn: withdrawn.EXPIRED.length + withdrawn.NO_LONGER_ELIGIBLE.length, reranked: reranked.length };
}
