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
import * as m0014 from './0014_business_dated_approval.ts';
import * as m0015 from './0015_money_scale_repair.ts';
import * as m0020 from './0020_product_reminder_days.ts';
import * as m0021 from './0021_visit_warnings.ts';
import * as m0030 from './0030_loyalty_pricing.ts';
import * as m0031 from './0031_crisis_measures.ts';
import * as m0032 from './0032_warning_outcome.ts';
import * as m0040 from './0040_daily_accrual_fees.ts';
import * as m0045 from './0045_review_cadence_replica.ts';

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
  '0014_business_dated_approval': m0014,
  '0015_money_scale_repair': m0015,
  /** Issue 15: due-reminder lead days per product; visit outcomes feed the early-warning rules. */
  '0020_product_reminder_days': m0020,
  '0021_visit_warnings': m0021,
  /** Issue 15: loyalty pricing, crisis measures, warning outcomes. */
  '0030_loyalty_pricing': m0030,
  '0031_crisis_measures': m0031,
  '0032_warning_outcome': m0032,
  /** Issue 10, remaining conventions: daily accrual, financed disbursement fee, per-instalment fee. */
  '0040_daily_accrual_fees': m0040,
  /** Issue 15: review intervals from engagement's monitoring cadence (MonitoringCadenceChanged), one source. */
  '0045_review_cadence_replica': m0045,
};
