import { type Kysely, sql } from 'kysely';

/**
 * Amounts of 3- and 4-decimal currencies written at 2 decimals (issue 10): the instalments of a
 * prepayment's re-amortised schedule took the columns' default 0.00 for what was paid and the
 * penalty (a KWD penalty read "0.00", not "0.000"), and an end-of-day snapshot with nothing overdue
 * wrote 0. The service now writes every amount at its currency's scale (the minor unit, at least 2
 * decimals); this brings the stored ones to it. Only zeros and amounts with fewer decimals are
 * touched, and round() to more decimals never changes a value. The currencies are listed here, not
 * imported, so the migration stays what it is (ISO 4217: 3 decimals BHD IQD JOD KWD LYD OMR TND,
 * 4 decimals CLF UYW).
 */
const SCALE = sql`case l.currency when 'CLF' then 4 when 'UYW' then 4 else 3 end`;
const WIDER = sql`l.currency in ('BHD', 'IQD', 'JOD', 'KWD', 'LYD', 'OMR', 'TND', 'CLF', 'UYW')`;

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const column of ['principal_paid', 'interest_paid', 'penalty', 'penalty_paid', 'interest_waived']) {
    const c = sql.ref(`i.${column}`);
    await sql`update instalment i set ${sql.ref(column)} = round(${c}, ${SCALE})
      from loan l where l.id = i.loan_id and ${WIDER} and scale(${c}) < ${SCALE}`.execute(db);
  }
  for (const column of ['outstanding_principal', 'overdue_amount', 'penalty']) {
    const c = sql.ref(`d.${column}`);
    await sql`update loan_delinquency d set ${sql.ref(column)} = round(${c}, ${SCALE})
      from loan l where l.id = d.loan_id and ${WIDER} and scale(${c}) < ${SCALE}`.execute(db);
  }
}

export async function down(): Promise<void> {
  // the repaired amounts are the same values: nothing to undo
}
