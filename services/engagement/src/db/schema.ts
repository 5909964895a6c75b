import type { EventTables } from '@crm/events';
import type { Generated, Insertable, Selectable } from 'kysely';

export type InteractionChannel = 'PHONE' | 'SMS' | 'EMAIL' | 'APP' | 'MESSAGING' | 'VISIT' | 'BRANCH' | 'SOCIAL';
export type InteractionDirection = 'INBOUND' | 'OUTBOUND';
export type InteractionPurpose = 'WELCOME' | 'POST_LOAN_FOLLOW_UP' | 'COLLECTION_REMINDER' | 'CARE' | 'SERVICE' | 'SURVEY' | 'MARKETING';
export type TaskType = 'WELCOME' | 'FOLLOW_UP' | 'POST_LOAN_VISIT' | 'COLLECTION_REMINDER' | 'RETENTION' | 'SERVICE_RECOVERY' | 'CREDIT_REVIEW' | 'CARE';
export type TaskPriority = 'LOW' | 'NORMAL' | 'HIGH' | 'URGENT';
export type TaskStatus = 'OPEN' | 'IN_PROGRESS' | 'DONE' | 'CANCELLED';

/** What engagement keeps about a customer, from customers' events (never read from their tables). */
export interface CustomerReplicaTable {
  id: string;
  display_name: string;
  branch_id: string;
  relationship_manager_id: string | null;
  birth_date: string | null;
  updated_at: Date;
}

export interface InteractionTable {
  id: string;
  customer_id: string;
  channel: InteractionChannel;
  direction: InteractionDirection;
  purpose: InteractionPurpose;
  summary: string;
  outcome: string | null;
  staff_id: string;
  occurred_at: Date;
  recorded_at: Generated<Date>;
  idempotency_key: string | null;
}

export interface TaskTable {
  id: string;
  customer_id: string;
  type: TaskType;
  title: string;
  assignee_id: string | null;
  priority: TaskPriority;
  status: TaskStatus;
  due_at: Date;
  source_event_id: string | null;
  completed_interaction_id: string | null;
  created_at: Generated<Date>;
}

export interface DB extends EventTables {
  customer_replica: CustomerReplicaTable;
  interaction: InteractionTable;
  task: TaskTable;
}

/** A customer as engagement resolves it: a reference by id. */
export interface CustomerRef {
  id: string;
}

export type InteractionRow = Selectable<InteractionTable>;
export type NewInteraction = Insertable<InteractionTable>;
export type TaskRow = Selectable<TaskTable>;
export type NewTask = Insertable<TaskTable>;
export type CustomerReplicaRow = Selectable<CustomerReplicaTable>;
