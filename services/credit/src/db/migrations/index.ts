import { eventTablesMigration } from '@crm/events';
import { auditTableMigration, changeTrackingMigration, jobRunProgressMigration, jobRunTableMigration } from '@crm/service-kit';
import type { Migration } from 'kysely';
import * as m0001 from './0001_loans.ts';
import * as m0002 from './0002_credit_domain.ts';
import * as m0004 from './0004_loan_attribution.ts';
import * as m0005 from './0005_approval_policy.ts';
import * as m0006 from './0006_currency_scales.ts';
import * as m0008 from './0008_repayment_reversal.ts';
import * as m0009 from './0009_published_delinquency.ts';
import * as m0010 from './0010_prepayment_reamortisation.ts';
import * as m0011 from './0011_lending_conventions.ts';

/** In order; names never change once released. */
export const migrations: Record<string, Migration> = {
  '0000_event_tables': eventTablesMigration,
  '0001_loans': m0001,
  '0002_credit_domain': m0002,
  '0003_audit_log': auditTableMigration,
  '0004_loan_attribution': m0004,
  '0005_approval_policy': m0005,
  '0006_currency_scales': m0006,
  '0007_job_runs': jobRunTableMigration,
  '0008_repayment_reversal': m0008,
  '0009_published_delinquency': m0009,
  '0010_prepayment_reamortisation': m0010,
  '0011_lending_conventions': m0011,
  /**
   * Incremental sync (`changedSince`) of the top-level lists: see @crm/service-kit change-feed.ts.
   * None of these rows is ever deleted (an instalment of a superseded schedule version stays); the
   * instalment's deletion key is its loan (instalments have a composite key and are never deleted).
   */
  '0012_change_tracking': changeTrackingMigration([
    { table: 'loan', key: 'id' },
    { table: 'instalment', key: 'loan_id' },
    { table: 'repayment', key: 'id' },
    { table: 'risk_warning', key: 'id' },
    { table: 'restructuring', key: 'id' },
    { table: 'credit_review', key: 'id' },
  ]),
  /** Job runs are RUNNING with their progress while they work. */
  '0013_job_run_progress': jobRunProgressMigration,
};
