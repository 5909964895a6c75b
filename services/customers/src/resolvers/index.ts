import { jobRunResolvers, scalarResolvers } from '@crm/service-kit';
import type { Resolvers } from '../__generated__/resolvers-types.ts';
import {
  Address,
  ContactDetails,
  Customer,
  CustomerChangeConnection,
  CustomerConnection,
  CustomerConsentConnection,
  CustomerDocumentConnection,
  CustomerValueScoreConnection,
  EnterpriseProfile,
  FinancialSnapshotConnection,
  IndividualProfile,
  RelationshipManagerAssignmentConnection,
} from './Customer.ts';
import { CustomerPreferencesField } from './CustomerPreferences.ts';
import {
  CustomerChange,
  CustomerConsent,
  CustomerDocument,
  CustomerGradeChange,
  CustomerGradeChangeConnection,
  CustomerGradeThreshold,
  CustomerPolicy,
  CustomerValueComponent,
  CustomerValueScore,
  CustomerValueScoreRecord,
  FinancialSnapshot,
  RelationshipManagerAssignment,
} from './CustomerRecords.ts';
import { CustomerSegment, CustomerSegmentConnection, CustomerSegmentRule } from './CustomerSegment.ts';
import { addCustomerDocument } from './Mutation/add-customer-document.ts';
import { assignRelationshipManager } from './Mutation/assign-relationship-manager.ts';
import { changeCustomerStatus } from './Mutation/change-customer-status.ts';
import { createCustomerSegment } from './Mutation/create-customer-segment.ts';
import { deleteCustomerSegment } from './Mutation/delete-customer-segment.ts';
import { markCustomerProfileReviewed } from './Mutation/mark-customer-profile-reviewed.ts';
import { recordFinancialSnapshot } from './Mutation/record-financial-snapshot.ts';
import { registerCustomer } from './Mutation/register-customer.ts';
import { runCustomersJob } from './Mutation/run-customers-job.ts';
import { runGradeEvaluation } from './Mutation/run-grade-evaluation.ts';
import { setCustomerConsent } from './Mutation/set-customer-consent.ts';
import { setCustomerGradeThresholds } from './Mutation/set-customer-grade-thresholds.ts';
import { setCustomerSpecialCare } from './Mutation/set-customer-special-care.ts';
import { updateCustomerPolicy } from './Mutation/update-customer-policy.ts';
import { updateCustomerProfile } from './Mutation/update-customer-profile.ts';
import { updateCustomerSegment } from './Mutation/update-customer-segment.ts';
import { AuditRecord, Query } from './Query.ts';

export const resolvers: Resolvers = {
  ...scalarResolvers,
  Query,
  Mutation: {
    registerCustomer,
    updateCustomerProfile,
    markCustomerProfileReviewed,
    changeCustomerStatus,
    assignRelationshipManager,
    recordFinancialSnapshot,
    setCustomerConsent,
    setCustomerSpecialCare,
    addCustomerDocument,
    createCustomerSegment,
    updateCustomerSegment,
    deleteCustomerSegment,
    setCustomerGradeThresholds,
    updateCustomerPolicy,
    runGradeEvaluation,
    runCustomersJob,
  },
  CustomerSegment,
  CustomerSegmentConnection,
  CustomerSegmentRule,
  Customer: { ...Customer, ...CustomerPreferencesField },
  IndividualProfile,
  EnterpriseProfile,
  ContactDetails,
  Address,
  CustomerConnection,
  FinancialSnapshotConnection,
  CustomerConsentConnection,
  CustomerDocumentConnection,
  CustomerValueScoreConnection,
  CustomerChangeConnection,
  RelationshipManagerAssignmentConnection,
  CustomerGradeChange,
  CustomerGradeChangeConnection,
  CustomerChange,
  RelationshipManagerAssignment,
  FinancialSnapshot,
  CustomerConsent,
  CustomerDocument,
  CustomerPolicy,
  CustomerGradeThreshold,
  CustomerValueScore,
  CustomerValueComponent,
  CustomerValueScoreRecord,
  AuditRecord,
  JobRun: jobRunResolvers,
};
