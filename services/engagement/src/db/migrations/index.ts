import { eventTablesMigration } from '@crm/events';
import { auditTableMigration, jobRunTableMigration } from '@crm/service-kit';
import type { Migration } from 'kysely';
import * as m0001 from './0001_engagement.ts';
import * as m0002 from './0002_engagement_domain.ts';
import * as m0003 from './0003_creation_idempotency.ts';

/** In order; names never change once released. */
export const migrations: Record<string, Migration> = {
  '0000_event_tables': eventTablesMigration,
  '0001_engagement': m0001,
  '0002_engagement_domain': m0002,
  '0003_creation_idempotency': m0003,
  '0004_audit_log': auditTableMigration,
  '0005_job_runs': jobRunTableMigration,
};
