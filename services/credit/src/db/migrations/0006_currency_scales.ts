import { type Kysely, sql } from 'kysely';

/**
 * Money columns were numeric(20, 2), too narrow for 3- and 4-decimal currencies (KWD, CLF). They
 * become numeric without a fixed scale, checked to at most 4 decimals and 18 integer digits: every
 * stored value is kept exactly (a widening, no rounding), and each amount keeps the scale it is
 * written with, its currency's (at least 2), so "1200.00" USD still reads "1200.00".
 */
export const MONEY_COLUMNS: Record<string, string[]> = {
  loan_product: ['min_principal', 'max_principal'],
  loan: ['principal'],
  instalment: ['principal', 'interest', 'principal_paid', 'interest_paid', 'penalty', 'penalty_paid'],
  repayment: ['amount', 'penalty_paid', 'interest_paid', 'principal_paid', 'prepaid_principal'],
  repayment_allocation: ['penalty', 'interest', 'principal'],
  loan_delinquency: ['outstanding_principal', 'overdue_amount', 'penalty'],
  collateral_valuation: ['value'],
  guarantor: ['guaranteed_amount'],
};

const DEFAULTED = ['principal_paid', 'interest_paid', 'penalty', 'penalty_paid'];

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const [table, columns] of Object.entries(MONEY_COLUMNS)) {
    for (const column of columns) {
      await sql`alter table ${sql.table(table)} alter column ${sql.ref(column)} type numeric`.execute(db);
      await sql`alter table ${sql.table(table)} add constraint ${sql.ref(`${table}_${column}_scale`)} check (scale(${sql.ref(column)}) <= 4 and abs(${sql.ref(column)}) < 1e18)`.execute(
        db,
      );
    }
  }
  for (const column of DEFAULTED) await sql`alter table instalment alter column ${sql.ref(column)} set default 0.00`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const [table, columns] of Object.entries(MONEY_COLUMNS)) {
    for (const column of columns) {
      await sql`alter table ${sql.table(table)} drop constraint ${sql.ref(`${table}_${column}_scale`)}`.execute(db);
      await sql`alter table ${sql.table(table)} alter column ${sql.ref(column)} type numeric(20, 2)`.execute(db);
    }
  }
}
