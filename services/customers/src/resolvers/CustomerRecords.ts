import { dateText } from '@crm/service-kit';
import type {
  CustomerChangeResolvers,
  CustomerConsentResolvers,
  CustomerDocumentResolvers,
  CustomerGradeChangeConnectionResolvers,
  CustomerGradeChangeResolvers,
  CustomerGradeThresholdResolvers,
  CustomerPolicyResolvers,
  CustomerValueComponentResolvers,
  CustomerValueScoreRecordResolvers,
  CustomerValueScoreResolvers,
  FinancialSnapshotResolvers,
  RelationshipManagerAssignmentResolvers,
} from '../__generated__/resolvers-types.ts';

/** The records hanging off a customer: history, assignments, snapshots, consent, documents. */
export const CustomerChange: CustomerChangeResolvers = {
  oldValue: (r) => r.old_value,
  newValue: (r) => r.new_value,
  changedBy: (r) => r.changed_by,
  changedAt: (r) => r.changed_at,
};

export const RelationshipManagerAssignment: RelationshipManagerAssignmentResolvers = {
  managerId: (r) => r.manager_id,
  previousManagerId: (r) => r.previous_manager_id,
  assignedBy: (r) => r.assigned_by,
  assignedAt: (r) => r.assigned_at,
};

export const FinancialSnapshot: FinancialSnapshotResolvers = {
  asOf: (r) => r.as_of,
  monthlyIncome: (r) => r.monthly_income,
  externalCreditScore: (r) => r.external_credit_score,
  riskAppetite: (r) => r.risk_appetite,
  incomeBand: (r) => r.income_band,
  debtRatio: (r) => r.debt_ratio,
  recordedBy: (r) => r.recorded_by,
  recordedAt: (r) => r.recorded_at,
};

export const CustomerConsent: CustomerConsentResolvers = {
  changedAt: (r) => r.changed_at,
  changedBy: (r) => r.changed_by,
};

export const CustomerDocument: CustomerDocumentResolvers = {
  documentType: (r) => r.document_type,
  storageRef: (r) => r.storage_ref,
  contentType: (r) => r.content_type,
  sizeBytes: (r) => (r.size_bytes === null ? null : Number(r.size_bytes)),
  addedBy: (r) => r.added_by,
  addedAt: (r) => r.added_at,
};

export const CustomerPolicy: CustomerPolicyResolvers = {
  staleAfterDays: (r) => r.stale_after_days,
  atRiskWindowDays: (r) => r.at_risk_window_days,
};

export const CustomerGradeThreshold: CustomerGradeThresholdResolvers = {
  minScore: (r) => r.min_score,
};

/** Scores and contributions always carry 2 decimals; weights as configured (e.g. 0.15). */
export const CustomerValueScore: CustomerValueScoreResolvers = {
  total: (s) => s.total.toFixed(2),
};

export const CustomerValueComponent: CustomerValueComponentResolvers = {
  weight: (c) => c.weight.toFixed(2),
  value: (c) => c.value.toFixed(2),
  contribution: (c) => c.contribution.toFixed(2),
};

export const CustomerValueScoreRecord: CustomerValueScoreRecordResolvers = {
  asOf: (r) => r.as_of,
};

export const CustomerGradeChange: CustomerGradeChangeResolvers = {
  /** The rows are already within the caller's scope; the loader batches the customers of a page. */
  customer: async (r, _args, ctx) => {
    const customer = await ctx.loaders.customer.load(r.customer_id);
    if (!customer) throw new Error(`grade change ${r.id} of a missing customer`);
    return customer;
  },
  fromGrade: (r) => r.from_grade,
  toGrade: (r) => r.to_grade,
  effectiveOn: (r) => dateText(r.effective_on),
  branchId: (r) => r.branch_id,
  relationshipManagerId: (r) => r.relationship_manager_id,
  recordedAt: (r) => r.recorded_at,
};

export const CustomerGradeChangeConnection: CustomerGradeChangeConnectionResolvers = { totalCount: (c) => c.count() };
