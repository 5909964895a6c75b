import type { ColumnType, Generated, Selectable } from 'kysely';
import type { ServiceLevelKind } from '../domain/service-levels.ts';
import type { TaskPriority } from '../domain/types.ts';

/**
 * The tables of service levels and contact rules (issue 15; migration 0010), part of engagement's
 * `DB` (schema.ts), and the JSON kept on tasks and interactions.
 */

/** A `jsonb` column that may be left out: parsed on read, written as JSON text. */
type OptionalJsonColumn<T> = ColumnType<T | null, string | null | undefined, string | null>;

export interface ServiceLevelTable {
  /** '' for the institution's default row. */
  branch_id: string;
  kind: ServiceLevelKind;
  code: string;
  task_priority_floor: TaskPriority;
  task_due_percent: number;
  complaint_sla_percent: number;
  worklist_points: number;
  callback_every_days: number | null;
  home_visit: boolean;
  updated_by: string;
  updated_at: Date;
}

/** What engagement knows of a customer's grade, care needs and preferences, from customers' events. */
export interface CustomerServiceProfileTable {
  customer_id: string;
  grade: ColumnType<string | null, string | null | undefined, string | null>;
  grade_at: ColumnType<Date | null, Date | null | undefined, Date | null>;
  care_needs: Generated<string[]>;
  care_at: ColumnType<Date | null, Date | null | undefined, Date | null>;
  /** "HH:MM-HH:MM", the customer's local time. */
  contact_time: ColumnType<string | null, string | null | undefined, string | null>;
  interests: Generated<string[]>;
  education_level: ColumnType<string | null, string | null | undefined, string | null>;
  preferences_at: ColumnType<Date | null, Date | null | undefined, Date | null>;
}

export interface ContactLimitTable {
  /** '*' for every channel. */
  channel: string;
  /** '*' for every purpose. */
  purpose: string;
  max_contacts: number;
  period_days: number;
  updated_by: string;
  updated_at: Date;
}

export interface ContactHoursTable {
  purpose: string;
  days: number[];
  from_time: string;
  to_time: string;
  time_zone: string;
  updated_by: string;
  updated_at: Date;
}

/** How the service level and the contact rules shaped a planned task (`task.planning`). */
export interface TaskPlanning {
  /** The priority and due time the task was planned with, before the service level and contact rules. */
  basePriority: TaskPriority;
  baseDueAt: string;
  grade: string | null;
  careNeeds: string[];
  /** The share of the lead time kept (100: unchanged). */
  duePercent: number;
  homeVisit: boolean;
  /** The contact rules that moved the due time (CONTACT_LIMIT_REACHED, OUTSIDE_CONTACT_HOURS), with the rule. */
  contactRules: { code: string; rule: string }[];
}

/** A contact a branch manager allowed against the contact rules (`interaction.contact_override`). */
export interface ContactOverride {
  rules: { code: string; rule: string }[];
  reason: string;
  by: string;
}

export type TaskPlanningColumn = OptionalJsonColumn<TaskPlanning>;
export type ContactOverrideColumn = OptionalJsonColumn<ContactOverride>;

export type ServiceLevelRow = Selectable<ServiceLevelTable>;
export type CustomerServiceProfileRow = Selectable<CustomerServiceProfileTable>;

export interface ServiceLevelTables {
  service_level: ServiceLevelTable;
  customer_service_profile: CustomerServiceProfileTable;
  contact_limit: ContactLimitTable;
  contact_hours: ContactHoursTable;
}
