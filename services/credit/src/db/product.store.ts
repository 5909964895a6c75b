import type { Insertable, Kysely } from 'kysely';
import type { WaiverWindow } from '../domain/crisis.ts';
import type { ProductTerms } from '../domain/loans.ts';
import { Money } from '../domain/money.ts';
import type { DB, LoanProductRow, LoanProductTable } from './schema.ts';

export async function insertProduct(db: Kysely<DB>, row: Insertable<LoanProductTable>): Promise<void> {
  await db.insertInto('loan_product').values(row).execute();
}

export async function findProductByCode(db: Kysely<DB>, code: string): Promise<LoanProductRow | undefined> {
  return db.selectFrom('loan_product').selectAll().where('code', '=', code).executeTakeFirst();
}

export async function findProductsByIds(db: Kysely<DB>, ids: readonly string[]): Promise<LoanProductRow[]> {
  if (!ids.length) return [];
  return db
    .selectFrom('loan_product')
    .selectAll()
    .where('id', 'in', [...ids])
    .execute();
}

export async function listProducts(db: Kysely<DB>, activeOnly: boolean): Promise<LoanProductRow[]> {
  return db
    .selectFrom('loan_product')
    .selectAll()
    .$if(activeOnly, (q) => q.where('active', '=', true))
    .orderBy('code')
    .execute();
}

/** A product's limits as the domain rules take them (decimal strings to exact decimals). */
export function productTermsOf(row: LoanProductRow): ProductTerms {
  return {
    currency: row.currency,
    minPrincipal: new Money(row.min_principal),
    maxPrincipal: new Money(row.max_principal),
    minRate: new Money(row.min_rate),
    maxRate: new Money(row.max_rate),
    minTerm: row.min_term,
    maxTerm: row.max_term,
    frequency: row.frequency,
    active: row.active,
  };
}

/** The schedule conventions of a product row (migration 0011), as `generateSchedule` and the payoff take them. */
export function scheduleConventionsOf(row: LoanProductRow) {
  return {
    interestMethod: row.interest_method ?? 'DECLINING_BALANCE',
    rounding: row.rounding_mode ?? 'HALF_UP',
    instalmentMultiple: row.instalment_multiple ? new Money(row.instalment_multiple) : null,
  } as const;
}

/**
 * The penalty settings of a product row: rate, grace days, the optional cap and the rounding mode;
 * with the loan's crisis penalty waivers (`findPenaltyWaiverWindows`) when penalties are recomputed
 * for one loan (back-dated bookings, reversals, quotes), so they spare the days the run spares.
 */
export function penaltyTermsOf(row: LoanProductRow, currency: string, waivers: readonly WaiverWindow[] = []) {
  return {
    penaltyRate: row.penalty_rate,
    graceDays: row.grace_days,
    currency,
    penaltyCapRate: row.penalty_cap_rate,
    rounding: row.rounding_mode ?? 'HALF_UP',
    waivers,
  };
}

/** A product's due-reminder lead days (issue 15). */
export async function setProductReminderDays(db: Kysely<DB>, productId: string, days: number): Promise<void> {
  await db.updateTable('loan_product').set({ due_reminder_days: days }).where('id', '=', productId).execute();
}
