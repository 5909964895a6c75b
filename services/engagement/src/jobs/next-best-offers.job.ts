import type { JobDefinition } from '@crm/service-kit';
import { makeOffers } from '../commands/make-offers.ts';
import { countOfferCustomers, findOfferFacts, findOfferRules, ruleOf } from '../db/offer.store.ts';
import type { DB } from '../db/schema.ts';

/** Customers per page (one read of their facts, a few set-wise writes). */
const PAGE = 1000;

/**
 * Makes the next-best offers of every customer as of a date, a page of customers at a time, from
 * the offer rules (data): new offers (OfferMade), open ones re-ranked, expired or no longer
 * eligible ones withdrawn (OfferWithdrawn). Repeatable for a date.
 */
export const nextBestOffersJob: JobDefinition<DB> = {
  name: 'next-best-offers',
  description: 'Makes ranked next-best offers from the offer rules, withdraws expired or ineligible ones',
  everyMs: 24 * 60 * 60_000,
  affected: (counts) => (counts.made ?? 0) + (counts.withdrawn ?? 0),
  async run({ db, asOf, now, progress }) {
    const total = await countOfferCustomers(db);
    const rules = (await findOfferRules(db)).map(ruleOf);
    const counts = { customers: 0, made: 0, withdrawn: 0, reranked: 0 };
    let afterId: string | null = null;
    for (;;) {
      const facts = await findOfferFacts(db, { afterId, limit: PAGE });
      if (!facts.length) break;
      const page = await db.transaction().execute((tx) => makeOffers(tx, facts, rules, { asOf, now }));
      counts.made += page.made;
      counts.withdrawn += page.withdrawn;
      counts.reranked += page.reranked;
      counts.customers += facts.length;
      afterId = facts.at(-1)?.customerId ?? null;
      await progress(counts.customers, Math.max(total, counts.customers));
      if (facts.length < PAGE) break;
    }
    return counts;
  },
};
