import { eventTablesMigration } from '@crm/events';
import { auditTableMigration, businessDateReplicaMigration, changeTrackingMigration, jobRunProgressMigration, jobRunTableMigration } from '@crm/service-kit';
import type { Migration } from 'kysely';
import * as m0001 from './0001_customers.ts';
import * as m0002 from './0002_customer_domain.ts';
import * as m0003 from './0003_instalment_contribution.ts';
import * as m0006 from './0006_repayment_reversal.ts';
import * as m0007 from './0007_signal_business_keys.ts';
import * as m0008 from './0008_grade_change.ts';
import * as m0011 from './0011_customer_preferences.ts';

/** In order; names never change once released. */
export const migrations: Record<string, Migration> = {
  '0000_event_tables': eventTablesMigration,
  '0001_customers': m0001,
  '0002_customer_domain': m0002,
  '0003_instalment_contribution': m0003,
  '0004_audit_log': auditTableMigration,
  '0005_job_runs': jobRunTableMigration,
  '0006_repayment_reversal': m0006,
  '0007_signal_business_keys': m0007,
  '0008_grade_change': m0008,
  /** Incremental sync (`changedSince`) of the top-level lists: see @crm/service-kit change-feed.ts. */
  '0009_change_tracking': changeTrackingMigration([
    { table: 'customer', key: 'id' },
    { table: 'customer_grade_change', key: 'id' },
  ]),
  /** Job runs are RUNNING with their progress while they work. */
  '0010_job_run_progress': jobRunProgressMigration,
  /** Customer preferences: contact time, interests, education level (issue 15). */
  '0011_customer_preferences': m0011,
  /** Credit's business date, the latest date the jobs may run for (issue 10; @crm/service-kit business-date.ts). */
  '0012_business_date_replica': businessDateReplicaMigration,
};
