import { eventTablesMigration } from '@crm/events';
import { auditTableMigration, changeTrackingMigration, jobRunProgressMigration, jobRunTableMigration } from '@crm/service-kit';
import type { Migration } from 'kysely';
import * as m0001 from './0001_engagement.ts';
import * as m0002 from './0002_engagement_domain.ts';
import * as m0003 from './0003_creation_idempotency.ts';
import * as m0006 from './0006_customer_status_replica.ts';

/** In order; names never change once released. */
export const migrations: Record<string, Migration> = {
  '0000_event_tables': eventTablesMigration,
  '0001_engagement': m0001,
  '0002_engagement_domain': m0002,
  '0003_creation_idempotency': m0003,
  '0004_audit_log': auditTableMigration,
  '0005_job_runs': jobRunTableMigration,
  '0006_customer_status_replica': m0006,
  /** Incremental sync (`changedSince`) of the top-level lists: see @crm/service-kit change-feed.ts. */
  '0007_change_tracking': changeTrackingMigration([
    { table: 'interaction', key: 'id' },
    { table: 'task', key: 'id' },
    { table: 'complaint', key: 'id' },
    { table: 'survey_response', key: 'id' },
    { table: 'churn_risk', key: 'customer_id' },
  ]),
  /** Job runs are RUNNING with their progress while they work. */
  '0008_job_run_progress': jobRunProgressMigration,
};
