import type { EventName } from './catalogue/index.ts';

/**
 * The classes of personal data, as in service-kit's privacy.ts (SENSITIVE_DATA: who may read
 * them); privacy.ts checks at compile time that both lists are the same.
 */
export const PERSONAL_DATA_CLASSES = ['nationalId', 'personalIdentity', 'contact', 'financial', 'documents', 'freeText'] as const;
export type PersonalDataClass = (typeof PERSONAL_DATA_CLASSES)[number];

/**
 * Every field of the catalogue that carries personal data, by event type and path in `data`
 * (`a.b` for a nested property, `a[]` for array items), with its class. The AsyncAPI document
 * marks each with `x-personal-data: <class>`; test/asyncapi.test.ts fails when the document, this
 * list and the catalogue disagree, or when a catalogue field named like personal data
 * (MASKED_FIELDS) is missing here. Consumers must treat these fields as the platform's staff do
 * (privacy.ts) and must not use `contact` fields for marketing except `marketingContact`.
 */
export const PERSONAL_DATA_FIELDS: Partial<Record<EventName, Record<string, PersonalDataClass>>> = {
  CustomerRegistered: {
    displayName: 'personalIdentity',
    birthDate: 'personalIdentity',
    'contact.phone': 'contact',
    'contact.email': 'contact',
    'contact.address.region': 'contact',
    'contact.address.city': 'contact',
    'contact.address.district': 'contact',
    'contact.address.line': 'contact',
  },
  /** The old and new value of a changed profile field: names, birth date, contact details. */
  CustomerProfileUpdated: { 'changes[].oldValue': 'contact', 'changes[].newValue': 'contact' },
  FinancialSnapshotRecorded: {
    monthlyIncome: 'financial',
    previousMonthlyIncome: 'financial',
    incomeChangeRatio: 'financial',
    externalCreditScore: 'financial',
    previousExternalCreditScore: 'financial',
    debtRatio: 'financial',
  },
  PointsEarned: { reason: 'freeText' },
  CustomerState: {
    displayName: 'personalIdentity',
    birthDate: 'personalIdentity',
    'contact.phone': 'contact',
    'contact.email': 'contact',
    'marketingContact.phone': 'contact',
    'marketingContact.email': 'contact',
  },
};
