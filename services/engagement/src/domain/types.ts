/**
 * Engagement's value types: plain types shared by the pure rules (domain/) and the stores (db/),
 * which map them onto columns. Nothing here depends on the database.
 */

/** How a contact happened (interactions, complaints, enquiries, contact limits): LETTER is a letter posted or received. */
export const INTERACTION_CHANNELS = ['PHONE', 'SMS', 'EMAIL', 'APP', 'MESSAGING', 'VISIT', 'BRANCH', 'SOCIAL', 'LETTER'] as const;
export type InteractionChannel = (typeof INTERACTION_CHANNELS)[number];
export type InteractionDirection = 'INBOUND' | 'OUTBOUND';
export type InteractionPurpose = 'WELCOME' | 'POST_LOAN_FOLLOW_UP' | 'COLLECTION_REMINDER' | 'CARE' | 'SERVICE' | 'SURVEY' | 'MARKETING';
export type TaskType = 'WELCOME' | 'FOLLOW_UP' | 'POST_LOAN_VISIT' | 'COLLECTION_REMINDER' | 'RETENTION' | 'SERVICE_RECOVERY' | 'CREDIT_REVIEW' | 'CARE';
export type TaskPriority = 'LOW' | 'NORMAL' | 'HIGH' | 'URGENT';
export type TaskStatus = 'OPEN' | 'IN_PROGRESS' | 'DONE' | 'CANCELLED';
export type ComplaintKind = 'COMPLAINT' | 'SUGGESTION' | 'PRAISE';
export type ComplaintCategory = 'SERVICE_ATTITUDE' | 'FEES' | 'PROCESS' | 'COLLECTION_CONDUCT' | 'PRODUCT' | 'PRIVACY' | 'OTHER';
export type ComplaintSeverity = 'LOW' | 'MEDIUM' | 'HIGH' | 'CRITICAL';
export type ComplaintStatus = 'RECEIVED' | 'ACKNOWLEDGED' | 'IN_PROGRESS' | 'RESOLVED' | 'CLOSED' | 'REOPENED';
export type SurveyTrigger = 'AFTER_DISBURSEMENT' | 'AFTER_COMPLAINT_RESOLUTION';
export type SurveyQuestionKind = 'NPS' | 'CSAT' | 'CHOICE' | 'TEXT';
export type GreetingKind = 'BIRTHDAY' | 'HOLIDAY';
export type GreetingStatus = 'PENDING' | 'SENT' | 'CANCELLED';
export type CareEventAttendance = 'INVITED' | 'ATTENDED' | 'NO_SHOW';
export type ChurnRiskLevel = 'LOW' | 'MEDIUM' | 'HIGH';
export type LoanStatus = 'ACTIVE' | 'CLOSED' | 'WRITTEN_OFF';
export type RiskClass = 'NORMAL' | 'SPECIAL_MENTION' | 'SUBSTANDARD' | 'DOUBTFUL' | 'LOSS';
export type NotificationKind = 'DUE_REMINDER' | 'OVERDUE_NOTICE' | 'POINTS_EXPIRY' | 'CRISIS_RELIEF';
export type NotificationChannel = 'SMS' | 'EMAIL' | 'PUSH' | 'LETTER';
export type NotificationStatus = 'QUEUED' | 'SENT' | 'FAILED' | 'SUPPRESSED';
/** Why a notification was suppressed (the first five) or failed (PROVIDER_ERROR). */
export type NotificationReason = 'KIND_DISABLED' | 'NO_TEMPLATE' | 'EXPIRED' | 'NO_CONSENT' | 'NO_CONTACT_ADDRESS' | 'CONTACT_LIMIT' | 'PROVIDER_ERROR';
/** What a planned monitoring task is for. */
export type MonitoringCadenceKind = 'VISIT' | 'REVIEW';
export type VisitConcern =
  | 'BUSINESS_DECLINING'
  | 'STOCK_OR_ASSETS_MISSING'
  | 'COLLATERAL_MISSING'
  | 'OTHER_DEBTS'
  | 'HOUSEHOLD_HARDSHIP'
  | 'RELOCATED'
  | 'OTHER';

export interface SurveyQuestion {
  code: string;
  kind: SurveyQuestionKind;
  text: string;
  choices: string[];
}

export interface SurveyAnswer {
  code: string;
  score: number | null;
  choice: string | null;
  text: string | null;
}

export interface ChurnSignalValue {
  code: string;
  weight: string;
  value: string;
}
