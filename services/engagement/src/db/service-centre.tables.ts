import type { CountedConnection } from '@crm/service-kit';
import type { ColumnType, Generated, Insertable, Selectable } from 'kysely';
import type { ConsultationStatus, ExpertField } from '../domain/experts.ts';
import type { ArticleStatus, EnquiryStatus, LeadKind, LeadStatus } from '../domain/service-centre.ts';
import type { InteractionChannel } from '../domain/types.ts';

/**
 * The tables of the service centre and of expert help (issue 15; migrations 0040 and 0041),
 * part of engagement's `DB` (schema.ts).
 */

/** A `jsonb` column: parsed on read, written as JSON text. */
type JsonColumn<T> = ColumnType<T, string, string>;

export type { ArticleStatus, ConsultationStatus, EnquiryStatus, ExpertField, LeadKind, LeadStatus };

/**
 * The table also has `search`, the weighted tsvector of question, product, tags and answer kept by a
 * trigger (migration 0040), read only in raw SQL by knowledge.store.ts: it is left out of this type
 * so that no query selects it.
 */
export interface KnowledgeArticleTable {
  id: string;
  question: string;
  answer: string;
  product: string | null;
  tags: JsonColumn<string[]>;
  status: ArticleStatus;
  created_by: string;
  created_at: Date;
  updated_by: string | null;
  updated_at: Date;
  retired_at: Date | null;
  idempotency_key: string | null;
}

export interface EnquiryTable {
  id: string;
  customer_id: string | null;
  prospect_name: string | null;
  prospect_phone: string | null;
  branch_id: string;
  channel: InteractionChannel;
  question: string;
  status: EnquiryStatus;
  received_by: string;
  received_at: Date;
  article_id: string | null;
  answer: string | null;
  answered_by: string | null;
  answered_at: Date | null;
  idempotency_key: string | null;
  updated_at: Date;
}

export interface LeadTable {
  id: string;
  enquiry_id: string;
  customer_id: string | null;
  branch_id: string;
  kind: LeadKind;
  owner_id: string | null;
  status: LeadStatus;
  note: string | null;
  outcome: string | null;
  application_id: string | null;
  restructuring_id: string | null;
  complaint_id: string | null;
  created_by: string;
  created_at: Date;
  contacted_at: Date | null;
  closed_at: Date | null;
  updated_at: Date;
}

export interface ExpertTable {
  id: string;
  user_id: string;
  name: string;
  fields: JsonColumn<ExpertField[]>;
  branch_id: string | null;
  active: Generated<boolean>;
  created_by: string;
  created_at: Date;
  updated_at: Date;
}

export interface ConsultationDueTimeTable {
  field: ExpertField;
  due_hours: number;
}

export interface ConsultationTable {
  id: string;
  customer_id: string;
  loan_id: string | null;
  expert_id: string;
  expert_user_id: string;
  requester_id: string;
  field: ExpertField;
  question: string;
  status: ConsultationStatus;
  requested_at: Date;
  due_at: Date;
  answer: string | null;
  answered_at: Date | null;
  cancelled_at: Date | null;
  cancelled_by: string | null;
  cancel_reason: string | null;
  idempotency_key: string | null;
  updated_at: Date;
}

export interface ServiceCentreTables {
  knowledge_article: KnowledgeArticleTable;
  enquiry: EnquiryTable;
  lead: LeadTable;
  expert: ExpertTable;
  consultation_due_time: ConsultationDueTimeTable;
  consultation: ConsultationTable;
}

/** An article as read; `relevance` is set when it was found by a search. */
export type KnowledgeArticleRow = Selectable<KnowledgeArticleTable> & { relevance?: string | null };
export type NewKnowledgeArticle = Insertable<KnowledgeArticleTable>;
export type EnquiryRow = Selectable<EnquiryTable>;
export type LeadRow = Selectable<LeadTable>;
export type ExpertRow = Selectable<ExpertTable>;
export type ConsultationDueTimeRow = Selectable<ConsultationDueTimeTable>;
export type ConsultationRow = Selectable<ConsultationTable>;

export type KnowledgeArticlePage = CountedConnection<KnowledgeArticleRow>;
export type EnquiryPage = CountedConnection<EnquiryRow>;
export type LeadPage = CountedConnection<LeadRow>;
export type ExpertPage = CountedConnection<ExpertRow>;
export type ConsultationPage = CountedConnection<ConsultationRow>;
