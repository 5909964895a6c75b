import { eventTablesMigration } from '@crm/events';
import { auditTableMigration, businessDateReplicaMigration, changeTrackingMigration, jobRunProgressMigration, jobRunTableMigration } from '@crm/service-kit';
import type { Migration } from 'kysely';
import * as m0001 from './0001_engagement.ts';
import * as m0002 from './0002_engagement_domain.ts';
import * as m0003 from './0003_creation_idempotency.ts';
import * as m0006 from './0006_customer_status_replica.ts';
import * as m0010 from './0010_service_levels.ts';
import * as m0020 from './0020_notifications.ts';
import * as m0021 from './0021_monitoring.ts';
import * as m0030 from './0030_offers.ts';
import * as m0031 from './0031_crisis_relief_notice.ts';
import * as m0040 from './0040_service_centre.ts';
import * as m0041 from './0041_expert_help.ts';

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
  /** Service levels by grade and care need, the customer's grade, needs and preferences, contact rules (issue 15). */
  '0010_service_levels': m0010,
  /** Customer notifications: due reminders, overdue and points-expiry notices (issue 15). */
  '0020_notifications': m0020,
  /** Visits and reviews by risk: cadence, planned tasks, visit outcomes, branch managers (issue 15). */
  '0021_monitoring': m0021,
  /** Next-best offers, offer rules, retention task outcomes (issue 15). */
  '0030_offers': m0030,
  /** The crisis-relief notice: a notification kind for credit's CrisisReliefGranted (issue 15). */
  '0031_crisis_relief_notice': m0031,
  /** Service centre: knowledge base, enquiries, leads (issue 15). */
  '0040_service_centre': m0040,
  /** Expert help for officers: expert directory, due times, consultations (issue 15). */
  '0041_expert_help': m0041,
  /** Credit's business date, the latest date the jobs may run for (issue 10; @crm/service-kit business-date.ts). */
  '0050_business_date_replica': businessDateReplicaMigration,
};
