import { eventTablesMigration } from '@crm/events';
import type { Migration } from 'kysely';
import * as m0001 from './0001_loans.ts';
import * as m0002 from './0002_credit_domain.ts';

/** In order; names never change once released. */
export const migrations: Record<string, Migration> = {
  '0000_event_tables': eventTablesMigration,
  '0001_loans': m0001,
  '0002_credit_domain': m0002,
};
