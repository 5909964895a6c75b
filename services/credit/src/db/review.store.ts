import type { PageWindow, Scope } from '@crm/service-kit';
import { countsOf, decodeCursor, type Listed, type ListPage, pageQuery, type SortKey, windowPages } from '@crm/service-kit';
import { type Insertable, type Kysely, sql } from 'kysely';
import type { ReviewBand } from '../domain/reviews.ts';
import { dateText, type LoanAttributeFilter, loanAttributes } from './loan.store.ts';
import type { CreditReviewRow, CreditReviewTable, DB } from './schema.ts';
import { customerInScope } from './scope.ts';

export async function insertReview(db: Kysely<DB>, row: Insertable<CreditReviewTable>): Promise<void> {
  await db.insertInto('credit_review').values(row).execute();
}

export async function findReviewIdByIdempotencyKey(db: Kysely<DB>, key: string): Promise<string | undefined> {
  return (await db.selectFrom('credit_review').select('id').where('idempotency_key', '=', key).executeTakeFirst())?.id;
}

export async function findReviews(db: Kysely<DB>, scope: Scope, by: { loanIds?: readonly string[]; ids?: readonly string[] }): Promise<CreditReviewRow[]> {
  const loanIds = by.loanIds ?? [];
  const ids = by.ids ?? [];
  if (!loanIds.length && !ids.length) return [];
  return db
    .selectFrom('credit_review as r')
    .innerJoin('loan as l', 'l.id', 'r.loan_id')
    .select(['r.id', 'r.loan_id', 'r.rating', 'r.findings', 'r.fund_use_as_declared', 'r.reviewer_id', 'r.idempotency_key', 'r.created_at'])
    .select(dateText('r.reviewed_on').as('reviewed_on'))
    .where((eb) => eb.or([...(loanIds.length ? [eb('r.loan_id', 'in', [...loanIds])] : []), ...(ids.length ? [eb('r.id', 'in', [...ids])] : [])]))
    .where(customerInScope(scope, 'l.customer_id'))
    .orderBy('r.reviewed_on')
    .orderBy('r.id')
    .execute();
}

// ---- the review cadence: engagement's monitoring cadence as credit keeps it (issue 15) ----

/** The replica's bands (what `reviewBandFor` reads in TypeScript). */
export async function findReviewCadence(db: Kysely<DB>): Promise<ReviewBand[]> {
  const rows = await db
    .selectFrom('review_cadence_replica')
    .select(['risk_class', 'review_every_days'])
    .select(sql<string>`min_principal::text`.as('min_principal'))
    .orderBy('risk_class')
    .orderBy('min_principal')
    .execute();
  return rows.map((r) => ({ riskClass: r.risk_class, minPrincipal: r.min_principal, reviewEveryDays: r.review_every_days }));
}

/**
 * Replaces the replica with a newer version of the table (MonitoringCadenceChanged at `asOf`);
 * false, and nothing changed, when the replica holds this version or a newer one (a redelivery or
 * an older event). The row lock of the current version serialises two versions arriving at once.
 */
export async function replaceReviewCadence(db: Kysely<DB>, bands: readonly ReviewBand[], asOf: Date): Promise<boolean> {
  const held = await db.selectFrom('review_cadence_replica').select('as_of').orderBy('as_of', 'desc').limit(1).forUpdate().executeTakeFirst();
  if (held && held.as_of.getTime() >= asOf.getTime()) return false;
  await db.deleteFrom('review_cadence_replica').execute();
  if (bands.length)
    await db
      .insertInto('review_cadence_replica')
      .values(bands.map((b) => ({ risk_class: b.riskClass, min_principal: b.minPrincipal, review_every_days: b.reviewEveryDays, as_of: asOf })))
      .execute();
  return true;
}

/**
 * The review interval of loan `l` in SQL, from the same rows as `reviewBandFor`: its class's band
 * with the highest minimum principal not above its principal (null when the class has none).
 */
const intervalDays = sql`(select c.review_every_days from review_cadence_replica c
  where c.risk_class = l.risk_class and c.min_principal <= l.principal order by c.min_principal desc limit 1)`;

/** Active loans whose next review (last review or disbursement + interval) is before `asOf`, most overdue first. */
export async function findOverdueReviewsPage(db: Kysely<DB>, scope: Scope, asOf: string, window: PageWindow): Promise<{ id: string; review_due: string }[]> {
  const after = window.after ? decodeCursor(window.after, 2).map(String) : null;
  const { rows } = await sql<{ id: string; review_due: string }>`
    select * from (
      select l.id, to_char(coalesce((select max(r.reviewed_on) from credit_review r where r.loan_id = l.id), l.disbursed_on) + ${intervalDays}, 'YYYY-MM-DD') as review_due
      from loan l where l.status = 'ACTIVE' and ${customerInScope(scope, 'l.customer_id')}
    ) x
    where x.review_due < ${asOf} ${after ? sql`and (x.review_due, x.id) > (${after[0]}, ${after[1]})` : sql``}
    order by x.review_due, x.id
    limit ${window.limit}
  `.execute(db);
  return rows;
}

// ---- Loan.reviews and the top-level creditReviews list (issue 12) ----

/** Reviews by review date, then id (ties on the date broken by id). */
export const REVIEW_ORDER: SortKey[] = [
  { ref: 'reviewed_on', type: 'date' },
  { ref: 'id', type: 'text' },
];

const reviewColumns = ['r.id', 'r.loan_id', 'r.rating', 'r.findings', 'r.fund_use_as_declared', 'r.reviewer_id', 'r.idempotency_key', 'r.created_at'] as const;

const reviewsOfLoans = (db: Kysely<DB>, scope: Scope, loanIds: readonly string[]) =>
  db
    .selectFrom('credit_review as r')
    .innerJoin('loan as l', 'l.id', 'r.loan_id')
    .select(reviewColumns)
    .select(['r.reviewed_on', 'r.loan_id as _parent'])
    .where('r.loan_id', 'in', [...loanIds])
    .where(customerInScope(scope, 'l.customer_id'));

/** `Loan.reviews`: one page per loan, oldest first, in one statement. */
export async function findReviewPages(db: Kysely<DB>, scope: Scope, loanIds: readonly string[], window: PageWindow) {
  if (!loanIds.length) return [];
  return windowPages<CreditReviewRow>(db, reviewsOfLoans(db, scope, loanIds), REVIEW_ORDER, 'asc', window);
}

export async function countReviewsOfLoans(db: Kysely<DB>, scope: Scope, loanIds: readonly string[]): Promise<Map<string, number>> {
  if (!loanIds.length) return new Map();
  return countsOf(db, reviewsOfLoans(db, scope, loanIds));
}

export interface ReviewFilter extends LoanAttributeFilter {
  loanId?: string | null;
  rating?: string[] | null;
  reviewedFrom?: string | null;
  reviewedTo?: string | null;
}

const reviewList = (db: Kysely<DB>, scope: Scope, f: ReviewFilter) =>
  db
    .selectFrom('credit_review')
    .innerJoin('loan as l', 'l.id', 'credit_review.loan_id')
    .selectAll('credit_review')
    .where(customerInScope(scope, 'l.customer_id'))
    .where(loanAttributes(f, 'l'))
    .$if(!!f.loanId, (q) => q.where('credit_review.loan_id', '=', f.loanId ?? ''))
    .$if(!!f.rating?.length, (q) => q.where('credit_review.rating', 'in', f.rating ?? []))
    .$if(!!f.reviewedFrom, (q) => q.where('credit_review.reviewed_on', '>=', f.reviewedFrom ?? ''))
    .$if(!!f.reviewedTo, (q) => q.where('credit_review.reviewed_on', '<=', f.reviewedTo ?? ''));

/** `creditReviews`: a page by review date after a cursor, or a changedSince pull. */
export async function listReviews(db: Kysely<DB>, scope: Scope, filter: ReviewFilter, page: ListPage): Promise<Listed<CreditReviewRow>[]> {
  return pageQuery(
    reviewList(db, scope, filter),
    'credit_review',
    REVIEW_ORDER.map((k) => ({ ...k, ref: `credit_review.${k.ref}` })),
    'asc',
    page,
  ).execute();
}

export async function countReviews(db: Kysely<DB>, scope: Scope, filter: ReviewFilter): Promise<number> {
  const row = await db
    .selectFrom(reviewList(db, scope, filter).as('x'))
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}
