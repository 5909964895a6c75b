import { z } from 'zod';
import { define, f } from './define.ts';

export const customerKind = z.enum(['INDIVIDUAL', 'ENTERPRISE']);
export const customerStatus = z.enum(['PROSPECT', 'ACTIVE', 'DORMANT', 'CHURNED']);
export const customerGrade = z.enum(['VIP', 'PREMIUM', 'STANDARD', 'BASIC']);
export const consentPurpose = z.enum(['MARKETING_CONTACT', 'DATA_SHARING', 'PROFILING']);
export const specialCareFlag = z.enum([
  'ELDERLY',
  'DISABLED',
  'LOW_LITERACY',
  'VISUALLY_IMPAIRED',
  'HEARING_IMPAIRED',
  'LANGUAGE_BARRIER',
  'FINANCIAL_HARDSHIP',
]);
export const documentCategory = z.enum(['BASIC', 'DEVELOPMENT', 'PRODUCT_SERVICE']);

/** Events produced by the customers service (topic crm.customers.v1). */
export const customersEvents = {
  CustomerRegistered: define(
    'customers',
    'CustomerRegistered',
    'A customer (individual or enterprise) was registered.',
    z.object({
      customerId: f.id,
      kind: customerKind,
      displayName: z.string().min(1),
      status: customerStatus,
      branchId: f.id,
      relationshipManagerId: f.id.nullable(),
      birthDate: f.date.nullable(),
      registeredAt: f.instant,
      /** Enterprise industry, for watch lists and segments. */
      industry: z.string().nullable().default(null),
      /** Referral code the new customer gave, if any (loyalty rewards the referrer). */
      referralCode: z.string().nullable().default(null),
      /**
       * Contact details given at registration, for servicing the customer's own contracts
       * (reminders and notices; engagement's notifications). Later changes come as
       * CustomerProfileUpdated (`contact.phone`, `contact.email`, `contact.address.*`). Null in
       * events from before it was published.
       */
      contact: z
        .object({
          phone: z.string().nullable(),
          email: z.string().nullable(),
          address: z
            .object({ region: z.string().nullable(), city: z.string().nullable(), district: z.string().nullable(), line: z.string().nullable() })
            .nullable(),
          /** The channel and language the customer prefers (customers' ContactChannel, a language tag). */
          preferredChannel: z.string().nullable().default(null),
          preferredLanguage: z.string().nullable().default(null),
        })
        .nullable()
        .default(null),
    }),
  ),
  CustomerProfileUpdated: define(
    'customers',
    'CustomerProfileUpdated',
    'Profile fields of a customer changed; each change with its old and new value.',
    z.object({
      customerId: f.id,
      changes: z.array(z.object({ field: z.string().min(1), oldValue: z.string().nullable(), newValue: z.string().nullable() })).min(1),
      updatedBy: f.id,
      updatedAt: f.instant,
    }),
  ),
  FinancialSnapshotRecorded: define(
    'customers',
    'FinancialSnapshotRecorded',
    'A dated financial snapshot was recorded; carries the change against the previous one.',
    z.object({
      customerId: f.id,
      snapshotId: f.id,
      asOf: f.date,
      currency: f.currency,
      monthlyIncome: f.money.nullable(),
      previousMonthlyIncome: f.money.nullable(),
      /** (new - previous) / previous, e.g. "-0.3000" for a 30 % drop; null without a previous income. */
      incomeChangeRatio: f.decimal.nullable(),
      externalCreditScore: z.number().int().nullable(),
      previousExternalCreditScore: z.number().int().nullable(),
      debtRatio: f.decimal.nullable(),
    }),
  ),
  ConsentChanged: define(
    'customers',
    'ConsentChanged',
    'A customer granted or withdrew consent for one purpose.',
    z.object({ customerId: f.id, purpose: consentPurpose, granted: z.boolean(), channel: z.string().min(1), changedAt: f.instant }),
  ),
  RelationshipManagerAssigned: define(
    'customers',
    'RelationshipManagerAssigned',
    'A customer got a (new) relationship manager.',
    z.object({ customerId: f.id, relationshipManagerId: f.id, previousRelationshipManagerId: f.id.nullable(), branchId: f.id, assignedAt: f.instant }),
  ),
  SpecialCareChanged: define(
    'customers',
    'SpecialCareChanged',
    "A customer's special-care flags (or note) changed: contact, collections and care adapt how they treat the customer. The flags are sensitive and needed by consumers; the free-text note stays in customers (only whether it changed).",
    z.object({
      customerId: f.id,
      previousFlags: z.array(specialCareFlag),
      flags: z.array(specialCareFlag),
      noteChanged: z.boolean(),
      changedBy: f.id,
      changedAt: f.instant,
    }),
  ),
  CustomerDocumentAdded: define(
    'customers',
    'CustomerDocumentAdded',
    "A document was added to the customer's file (metadata only: the title and storage reference stay in customers).",
    z.object({
      documentId: f.id,
      customerId: f.id,
      category: documentCategory,
      documentType: z.string(),
      contentType: z.string().nullable(),
      addedBy: f.id,
      addedAt: f.instant,
    }),
  ),
  CustomerGradeAtRisk: define(
    'customers',
    'CustomerGradeAtRisk',
    "The value score fell under the grade's floor: the downgrade applies at the end of the window unless it recovers.",
    z.object({ customerId: f.id, grade: customerGrade, projectedGrade: customerGrade, score: f.decimal, floor: f.decimal, windowEndsOn: f.date }),
  ),
  CustomerGradeChanged: define(
    'customers',
    'CustomerGradeChanged',
    "A customer's grade changed (upgrade at once, downgrade after the at-risk window).",
    z.object({ customerId: f.id, previousGrade: customerGrade.nullable(), grade: customerGrade, score: f.decimal, effectiveOn: f.date }),
  ),
  CustomerStatusChanged: define(
    'customers',
    'CustomerStatusChanged',
    'A customer moved in the status lifecycle.',
    z.object({ customerId: f.id, previousStatus: customerStatus, status: customerStatus, reason: z.string().nullable(), changedAt: f.instant }),
  ),
} as const;
