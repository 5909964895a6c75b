import { eventTablesMigration } from '@crm/events';
import { auditTableMigration, businessDateReplicaMigration, changeTrackingMigration, jobRunProgressMigration, jobRunTableMigration } from '@crm/service-kit';
import type { Migration } from 'kysely';
import * as m0001 from './0001_loyalty.ts';
import * as m0002 from './0002_programme.ts';
import * as m0003 from './0003_audit.ts';
import * as m0005 from './0005_relationship_manager.ts';
import * as m0007 from './0007_point_value.ts';

/** In order; names never change once released. */
export const migrations: Record<string, Migration> = {
  '0000_event_tables': eventTablesMigration,
  '0001_loyalty': m0001,
  '0002_programme': m0002,
  '0003_audit': m0003,
  '0004_audit_log': auditTableMigration,
  '0005_relationship_manager': m0005,
  '0006_job_runs': jobRunTableMigration,
  '0007_point_value': m0007,
  /** Incremental sync (`changedSince`) of the top-level lists: see @crm/service-kit change-feed.ts. */
  '0008_change_tracking': changeTrackingMigration([
    { table: 'loyalty_account', key: 'id' },
    { table: 'points_entry', key: 'id' },
    { table: 'redemption', key: 'id' },
  ]),
  /** Job runs are RUNNING with their progress while they work. */
  '0009_job_run_progress': jobRunProgressMigration,
  /** Credit's business date, the latest date the jobs may run for (issue 10; @crm/service-kit business-date.ts). */
  '0010_business_date_replica': businessDateReplicaMigration,
};
