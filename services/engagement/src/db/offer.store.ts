import type { PageWindow, Scope } from '@crm/service-kit';
import { countsOf, type Listed, type ListPage, pageQuery, type SortKey, windowPages } from '@crm/service-kit';
import { type Expression, type ExpressionBuilder, type Insertable, type Kysely, type SqlBool, sql } from 'kysely';
import type { OfferFacts, OfferKind, OfferReason, OfferRule, OfferStatus } from '../domain/offers.ts';
import { customerInBranch, customerOfManager } from './filters.ts';
import type { OfferRow, OfferRuleRow, OfferTable } from './offer.tables.ts';
import type { DB } from './schema.ts';
import { customerInScope } from './scope.ts';

/**
 * Next-best offers (issue 15): the rules, the facts a rule reads (one statement per page of
 * customers), the offers made and their outcome. Every read of offers takes the caller's scope.
 */

export async function findOfferRules(db: Kysely<DB>): Promise<OfferRuleRow[]> {
  return db.selectFrom('offer_rule').selectAll().orderBy('priority', 'desc').orderBy('code').execute();
}

export const ruleOf = (r: OfferRuleRow): OfferRule => ({
  code: r.code,
  kind: r.kind,
  priority: r.priority,
  conditions: r.conditions,
  validDays: r.valid_days,
  cooldownDays: r.cooldown_days,
  active: r.active,
});

export async function upsertOfferRule(db: Kysely<DB>, row: Insertable<DB['offer_rule']>): Promise<OfferRuleRow> {
  const { code, ...rest } = row;
  return db
    .insertInto('offer_rule')
    .values(row)
    .onConflict((oc) => oc.column('code').doUpdateSet(rest))
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function findOfferRule(db: Kysely<DB>, code: string): Promise<OfferRuleRow | undefined> {
  return db.selectFrom('offer_rule').selectAll().where('code', '=', code).executeTakeFirst();
}

/** Customers, by id, for the generation's pages. */
export async function countOfferCustomers(db: Kysely<DB>): Promise<number> {
  const row = await db
    .selectFrom('customer_replica')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

export interface OfferFactRow extends OfferFacts {
  relationshipManagerId: string | null;
  /** The customer consents to marketing contact (offers are made only then). */
  consents: boolean;
}

/**
 * The facts of one page of customers (keyset on id) in one statement: grade (service profile),
 * kind and tier (offer facts), churn level, and from the loan replica the active loans, their
 * largest days past due, their products and the loans repaid on time; and whether the customer
 * consents to marketing contact (the latest change of that purpose).
 */
export async function findOfferFacts(db: Kysely<DB>, page: { afterId: string | null; limit: number }): Promise<OfferFactRow[]> {
  const { rows } = await sql<{
    customer_id: string;
    relationship_manager_id: string | null;
    grade: string | null;
    kind: string | null;
    tier: string | null;
    churn_level: string | null;
    active_loans: string | number;
    max_dpd: string | number;
    repaid_on_time: string | number;
    products: string;
    consents: boolean | null;
  }>`
    select c.id as customer_id, c.relationship_manager_id, sp.grade, f.kind, f.tier, cr.level as churn_level,
           coalesce(l.active_loans, 0) as active_loans, coalesce(l.max_dpd, 0) as max_dpd, coalesce(l.repaid_on_time, 0) as repaid_on_time,
           coalesce(l.products, '') as products,
           (select k.granted from consent_replica k where k.customer_id = c.id and k.purpose = 'MARKETING_CONTACT'
             order by k.changed_at desc limit 1) as consents
      from customer_replica c
      left join customer_service_profile sp on sp.customer_id = c.id
      left join offer_customer_fact f on f.customer_id = c.id
      left join churn_risk cr on cr.customer_id = c.id
      left join lateral (
        select count(*) filter (where r.status = 'ACTIVE') as active_loans,
               max(r.days_past_due) filter (where r.status = 'ACTIVE') as max_dpd,
               count(*) filter (where r.status = 'CLOSED' and r.repaid_on_time) as repaid_on_time,
               string_agg(distinct r.product_code, ',') filter (where r.status = 'ACTIVE' and r.product_code is not null) as products
          from loan_replica r where r.customer_id = c.id
      ) l on true
     where ${page.afterId === null ? sql`true` : sql`c.id > ${page.afterId}`}
     order by c.id
     limit ${page.limit}`.execute(db);
  return rows.map((r) => ({
    customerId: r.customer_id,
    relationshipManagerId: r.relationship_manager_id,
    grade: r.grade,
    kind: r.kind,
    tier: r.tier,
    churnLevel: r.churn_level,
    activeLoans: Number(r.active_loans),
    maxDaysPastDue: Number(r.max_dpd),
    loansRepaidOnTime: Number(r.repaid_on_time),
    productsHeld: r.products ? r.products.split(',') : [],
    consents: r.consents === true,
  }));
}

export interface OpenOffer {
  id: string;
  customer_id: string;
  rule_code: string;
  kind: OfferKind;
  rank: number;
  reasons: OfferReason[];
  valid_until: string;
}

/** The open offers of these customers. */
export async function findOpenOffers(db: Kysely<DB>, customerIds: readonly string[]): Promise<OpenOffer[]> {
  if (!customerIds.length) return [];
  return db
    .selectFrom('offer')
    .select(['id', 'customer_id', 'rule_code', 'kind', 'rank', 'reasons'])
    .select(sql<string>`to_char(valid_until, 'YYYY-MM-DD')`.as('valid_until'))
    .where('customer_id', 'in', [...customerIds])
    .where('status', '=', 'OPEN')
    .execute();
}

/**
 * (customer, rule) pairs still cooling down as of a date: an offer of the rule was answered or
 * expired within the rule's cooldown (no new offer of it until then).
 */
export async function findCoolingOffers(db: Kysely<DB>, customerIds: readonly string[], asOf: string): Promise<{ customer_id: string; rule_code: string }[]> {
  if (!customerIds.length) return [];
  const { rows } = await sql<{ customer_id: string; rule_code: string }>`
    select distinct o.customer_id, o.rule_code from offer o join offer_rule r on r.code = o.rule_code
     where o.customer_id in (${sql.join([...customerIds])})
       and (o.status in ('ACCEPTED', 'DECLINED', 'NOT_NOW') or o.withdrawn_reason = 'EXPIRED')
       and o.closed_on > ${asOf}::date - r.cooldown_days`.execute(db);
  return rows;
}

export async function insertOffers(db: Kysely<DB>, rows: Insertable<OfferTable>[]): Promise<void> {
  for (let i = 0; i < rows.length; i += 500)
    await db
      .insertInto('offer')
      .values(rows.slice(i, i + 500))
      .execute();
}

/** New ranks and reasons of open offers, in one statement. */
export async function rerankOffers(db: Kysely<DB>, changes: readonly { id: string; rank: number; reasons: OfferReason[] }[]): Promise<void> {
  if (!changes.length) return;
  const values = sql.join(changes.map((c) => sql`(${c.id}::text, ${c.rank}::int, ${JSON.stringify(c.reasons)}::jsonb)`));
  await sql`update offer o set rank = v.rank, reasons = v.reasons from (values ${values}) v(id, rank, reasons)
             where o.id = v.id and o.status = 'OPEN'`.execute(db);
}

/** Open offers withdrawn (expired, or no longer eligible), in one statement per reason. */
export async function withdrawOffers(db: Kysely<DB>, ids: readonly string[], reason: 'EXPIRED' | 'NO_LONGER_ELIGIBLE', on: string): Promise<OfferRow[]> {
  if (!ids.length) return [];
  return db
    .updateTable('offer')
    .set({ status: 'WITHDRAWN', withdrawn_reason: reason, closed_on: on })
    .where('id', 'in', [...ids])
    .where('status', '=', 'OPEN')
    .returningAll()
    .execute();
}

/** The offer by id within the caller's scope, locked (an outcome serialises on it). */
export async function lockOfferInScope(db: Kysely<DB>, scope: Scope, id: string): Promise<OfferRow | undefined> {
  return db.selectFrom('offer').selectAll().where('id', '=', id).where(customerInScope(scope, 'offer.customer_id')).forUpdate().executeTakeFirst();
}

/** The offer's customer, whatever the scope (to tell FORBIDDEN from not found). */
export async function findOfferCustomer(db: Kysely<DB>, id: string): Promise<string | undefined> {
  return (await db.selectFrom('offer').select('customer_id').where('id', '=', id).executeTakeFirst())?.customer_id;
}

export async function recordOfferOutcome(
  db: Kysely<DB>,
  id: string,
  o: { status: OfferStatus; by: string; at: Date; on: string },
): Promise<OfferRow | undefined> {
  return db
    .updateTable('offer')
    .set({ status: o.status, outcome_recorded_by: o.by, outcome_recorded_at: o.at, closed_on: o.on })
    .where('id', '=', id)
    .where('status', '=', 'OPEN')
    .returningAll()
    .executeTakeFirst();
}

export async function findOffersByIds(db: Kysely<DB>, scope: Scope, ids: readonly string[]): Promise<OfferRow[]> {
  if (!ids.length) return [];
  return db
    .selectFrom('offer')
    .selectAll()
    .where('id', 'in', [...ids])
    .where(customerInScope(scope, 'offer.customer_id'))
    .execute();
}

// ---- Customer.offers and the top-level offers list ----

/** A customer's offers: rank order (open first), then newest. */
const CUSTOMER_OFFER_ORDER: SortKey[] = [{ ref: 'id', type: 'text' }];

const offersOfCustomers = (db: Kysely<DB>, scope: Scope, customerIds: readonly string[], status: readonly OfferStatus[] | null) =>
  db
    .selectFrom('offer')
    .selectAll()
    .select('customer_id as _parent')
    .where('customer_id', 'in', [...customerIds])
    .where(customerInScope(scope, 'offer.customer_id'))
    .$if(!!status?.length, (q) => q.where('status', 'in', [...(status ?? [])]));

/**
 * `Customer.offers`: newest first (ids are UUIDv7), one windowed statement for every customer of
 * the request. The open offers of one generation are made together: their `rank` orders them.
 */
export async function findOfferPages(db: Kysely<DB>, scope: Scope, customerIds: readonly string[], status: readonly OfferStatus[] | null, window: PageWindow) {
  if (!customerIds.length) return [];
  return windowPages<OfferRow>(db, offersOfCustomers(db, scope, customerIds, status), CUSTOMER_OFFER_ORDER, 'desc', window);
}

export async function countOffersOfCustomers(db: Kysely<DB>, scope: Scope, customerIds: readonly string[], status: readonly OfferStatus[] | null) {
  if (!customerIds.length) return new Map<string, number>();
  return countsOf(db, offersOfCustomers(db, scope, customerIds, status));
}

export interface OfferFilter {
  customerId?: string | null;
  branchId?: string | null;
  relationshipManagerId?: string | null;
  status?: readonly OfferStatus[] | null;
  kind?: readonly OfferKind[] | null;
  ruleCode?: string | null;
  madeFrom?: string | null;
  madeTo?: string | null;
}

function offerMatches(scope: Scope, f: OfferFilter) {
  return (eb: ExpressionBuilder<DB, 'offer'>): Expression<SqlBool> => {
    const parts: Expression<SqlBool>[] = [customerInScope(scope, 'offer.customer_id')];
    if (f.customerId) parts.push(eb('offer.customer_id', '=', f.customerId));
    if (f.branchId) parts.push(customerInBranch('offer.customer_id', f.branchId));
    if (f.relationshipManagerId) parts.push(customerOfManager('offer.customer_id', f.relationshipManagerId));
    if (f.status?.length) parts.push(eb('offer.status', 'in', [...f.status]));
    if (f.kind?.length) parts.push(eb('offer.kind', 'in', [...f.kind]));
    if (f.ruleCode) parts.push(eb('offer.rule_code', '=', f.ruleCode));
    if (f.madeFrom) parts.push(eb('offer.made_on', '>=', f.madeFrom));
    if (f.madeTo) parts.push(eb('offer.made_on', '<=', f.madeTo));
    return eb.and(parts);
  };
}

/** `offers`: newest first (ids are UUIDv7) after the cursor. */
export async function listOffers(db: Kysely<DB>, scope: Scope, f: OfferFilter, page: ListPage): Promise<Listed<OfferRow>[]> {
  return pageQuery(db.selectFrom('offer').selectAll().where(offerMatches(scope, f)), 'offer', [{ ref: 'offer.id', type: 'text' }], 'desc', page).execute();
}

export async function countOffers(db: Kysely<DB>, scope: Scope, f: OfferFilter): Promise<number> {
  const row = await db
    .selectFrom('offer')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where(offerMatches(scope, f))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

// ---- replicas of what offers read ----

/** The customer's kind (CustomerRegistered). */
export async function recordOfferCustomerKind(db: Kysely<DB>, customerId: string, kind: string): Promise<void> {
  await db
    .insertInto('offer_customer_fact')
    .values({ customer_id: customerId, kind })
    .onConflict((oc) => oc.column('customer_id').doUpdateSet({ kind }))
    .execute();
}

/** The customer's loyalty tier (TierChanged): an older change never overwrites a newer one. */
export async function recordOfferCustomerTier(db: Kysely<DB>, customerId: string, tier: string, at: Date): Promise<void> {
  await db
    .insertInto('offer_customer_fact')
    .values({ customer_id: customerId, tier, tier_at: at })
    .onConflict((oc) =>
      oc
        .column('customer_id')
        .doUpdateSet({ tier, tier_at: at })
        .where((eb) => eb.or([eb('offer_customer_fact.tier_at', 'is', null), eb('offer_customer_fact.tier_at', '<=', at)])),
    )
    .execute();
}

/** LoanClosed: whether the loan was repaid on time and in full (the repayment record). */
export async function recordLoanRepaidOnTime(db: Kysely<DB>, loanId: string, onTime: boolean): Promise<void> {
  await db.updateTable('loan_replica').set({ repaid_on_time: onTime }).where('loan_id', '=', loanId).execute();
}
