import type { CodegenConfig } from '@graphql-codegen/cli';
import { subgraphCodegen } from '../../packages/service-kit/codegen-preset.ts';

const base = subgraphCodegen({
  context: 'CustomersContext',
  mappers: {
    Customer: '../db/customer.store.ts#CustomerRecord',
    CustomerConnection: '../db/customer.store.ts#CustomerPage',
    IndividualProfile: '../db/schema.ts#IndividualProfileRow',
    EnterpriseProfile: '../db/schema.ts#EnterpriseProfileRow',
    ContactDetails: '../db/schema.ts#CustomerRow',
    Address: '../db/schema.ts#CustomerRow',
    CustomerChange: '../db/schema.ts#CustomerChangeRow',
    CustomerChangeConnection: '../db/history.store.ts#CustomerChangePage',
    RelationshipManagerAssignment: '../db/schema.ts#ManagerAssignmentRow',
    RelationshipManagerAssignmentConnection: '../db/history.store.ts#ManagerAssignmentPage',
    FinancialSnapshot: '../db/schema.ts#FinancialSnapshotRow',
    CustomerConsent: '../db/consent.store.ts#ConsentState',
    CustomerDocument: '../db/schema.ts#CustomerDocumentRow',
    CustomerSegment: '../db/schema.ts#SegmentRow',
    CustomerSegmentConnection: '../db/segment.store.ts#SegmentPage',
    CustomerPolicy: '../db/schema.ts#CustomerPolicyRow',
    CustomerGradeThreshold: '../db/schema.ts#GradeThresholdRow',
    CustomerValueScore: '../domain/value-score.ts#ValueScore',
    CustomerValueComponent: '../domain/value-score.ts#ValueComponent',
    CustomerValueScoreRecord: '../db/grade.store.ts#StoredValueScore',
    FinancialSnapshotConnection: '../db/financial.store.ts#FinancialSnapshotPage',
    CustomerConsentConnection: '../db/consent.store.ts#ConsentPage',
    CustomerDocumentConnection: '../db/document.store.ts#DocumentPage',
    CustomerValueScoreConnection: '../db/grade.store.ts#StoredScorePage',
    CustomerGradeChange: '../db/grade-change.store.ts#GradeChangeRecord',
    CustomerGradeChangeConnection: '../db/grade-change.store.ts#GradeChangePage',
    AuditRecord: '@crm/service-kit#AuditRow',
  },
});

/** The shared preset, plus this subgraph's JSON scalar (a segment rule, validated by the domain). */
const target = base.generates['src/__generated__/resolvers-types.ts'];
if (!target || Array.isArray(target) || typeof target !== 'object' || !('config' in target)) throw new Error('unexpected codegen preset shape');
const config: CodegenConfig = {
  ...base,
  generates: {
    'src/__generated__/resolvers-types.ts': {
      ...target,
      config: { ...target.config, scalars: { ...(target.config?.scalars ?? {}), CustomerSegmentRule: 'unknown' } },
    },
  },
};

export default config;
