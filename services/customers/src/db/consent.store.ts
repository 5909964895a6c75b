import { type CountedConnection, countsOf, type PageWindow, type Parented, type Scope, type SortKey, windowPages } from '@crm/service-kit';
import type { Kysely } from 'kysely';
import { customerIdsInScope } from './customer.store.ts';
import type { ConsentPurpose, ConsentRecordRow, ContactChannel, DB } from './schema.ts';

export const CONSENT_PURPOSES: readonly ConsentPurpose[] = ['MARKETING_CONTACT', 'DATA_SHARING', 'PROFILING'];

/** Consent for one purpose as staff see it; a purpose never answered is not granted. */
export interface ConsentState {
  customer_id: string;
  purpose: ConsentPurpose;
  granted: boolean;
  channel: ContactChannel | null;
  changed_at: Date | null;
  changed_by: string | null;
}

export async function insertConsent(db: Kysely<DB>, row: ConsentRecordRow): Promise<void> {
  await db.insertInto('consent_record').values(row).execute();
}

/** The latest answer per purpose, of many customers, in one query (DISTINCT ON). */
export async function findCurrentConsents(db: Kysely<DB>, scope: Scope, customerIds: readonly string[]): Promise<ConsentRecordRow[]> {
  if (!customerIds.length) return [];
  return db
    .selectFrom('consent_record')
    .selectAll()
    .distinctOn(['customer_id', 'purpose'])
    .where('customer_id', 'in', [...customerIds])
    .$if(scope.kind !== 'all', (q) => q.where('customer_id', 'in', customerIdsInScope(db, scope)))
    .orderBy('customer_id')
    .orderBy('purpose')
    .orderBy('changed_at', 'desc')
    .orderBy('id', 'desc')
    .execute();
}

/** Every consent change of many customers, newest first, in one query. */
export async function findConsentHistory(db: Kysely<DB>, scope: Scope, customerIds: readonly string[]): Promise<ConsentRecordRow[]> {
  if (!customerIds.length) return [];
  return db
    .selectFrom('consent_record')
    .selectAll()
    .where('customer_id', 'in', [...customerIds])
    .$if(scope.kind !== 'all', (q) => q.where('customer_id', 'in', customerIdsInScope(db, scope)))
    .orderBy('customer_id')
    .orderBy('changed_at', 'desc')
    .orderBy('id', 'desc')
    .execute();
}

export const toConsentState = (row: ConsentRecordRow): ConsentState => ({
  customer_id: row.customer_id,
  purpose: row.purpose,
  granted: row.granted,
  channel: channelOf(row.channel),
  changed_at: row.changed_at,
  changed_by: row.changed_by,
});

/** One state per purpose, in the catalogue's order. */
export function consentStates(customerId: string, latest: ConsentRecordRow[]): ConsentState[] {
  return CONSENT_PURPOSES.map((purpose) => {
    const row = latest.find((r) => r.purpose === purpose);
    return row ? toConsentState(row) : { customer_id: customerId, purpose, granted: false, channel: null, changed_at: null, changed_by: null };
  });
}

const CHANNELS: readonly ContactChannel[] = ['PHONE', 'SMS', 'EMAIL', 'APP', 'MESSAGING', 'VISIT', 'BRANCH'];
export const channelOf = (value: string): ContactChannel | null => CHANNELS.find((c) => c === value) ?? null;

/** The consent changes of many customers (in scope), with the customer as `_parent`. */
const consentChangesOfCustomers = (db: Kysely<DB>, scope: Scope, customerIds: readonly string[]) =>
  db
    .selectFrom('consent_record')
    .selectAll()
    .select('customer_id as _parent')
    .where('customer_id', 'in', [...customerIds])
    .$if(scope.kind !== 'all', (q) => q.where('customer_id', 'in', customerIdsInScope(db, scope)));

/** Per-customer order of consent changes: newest first, ties on the instant broken by id. */
const CONSENT_ORDER: readonly SortKey[] = [
  { ref: 'changed_at', type: 'timestamptz' },
  { ref: 'id', type: 'text' },
];

/** `Customer.consentHistory`: one page per customer after a cursor, in one statement (a window function). */
export async function findConsentHistoryPages(
  db: Kysely<DB>,
  scope: Scope,
  customerIds: readonly string[],
  window: PageWindow,
): Promise<Parented<ConsentRecordRow>[]> {
  if (!customerIds.length) return [];
  return windowPages<ConsentRecordRow>(db, consentChangesOfCustomers(db, scope, customerIds), CONSENT_ORDER, 'desc', window);
}

/** Number of consent changes of each customer asked for, in one grouped statement. */
export async function countConsentHistory(db: Kysely<DB>, scope: Scope, customerIds: readonly string[]): Promise<Map<string, number>> {
  if (!customerIds.length) return new Map();
  return countsOf(db, consentChangesOfCustomers(db, scope, customerIds));
}

/** `Customer.consentHistory`: a page and its lazy count. */
export type ConsentPage = CountedConnection<ConsentState>;
