import { createHmac } from 'node:crypto';
import type { PersonalDataClass } from '@crm/events';
import type { Identity, Role } from './auth.ts';

/**
 * The sensitive data of the platform, in one place, with who may read it. A schema field marked
 * `@sensitive(data: "<class>")` resolves to null with a FORBIDDEN error on its path for anyone
 * else; classes with `auditReads` leave an audit record of who viewed whose value.
 * Analysts never get raw identity data: they see pseudonyms, birth years and aggregates.
 */
export const SENSITIVE_DATA = {
  nationalId: {
    label: 'national id or registration number',
    roles: ['loan_officer', 'branch_manager', 'administrator'],
    auditReads: true,
  },
  personalIdentity: {
    label: 'names, full birth date, place of work',
    roles: ['loan_officer', 'branch_manager', 'risk_officer', 'service_agent', 'administrator'],
    auditReads: false,
  },
  contact: {
    label: 'phone, email, postal address',
    roles: ['loan_officer', 'branch_manager', 'risk_officer', 'service_agent', 'administrator'],
    auditReads: false,
  },
  financial: {
    label: 'financial snapshots, income and debts of a named customer',
    roles: ['loan_officer', 'branch_manager', 'risk_officer', 'administrator'],
    auditReads: false,
  },
  documents: {
    label: 'the customer file',
    roles: ['loan_officer', 'branch_manager', 'risk_officer', 'service_agent', 'administrator'],
    auditReads: false,
  },
  freeText: {
    label: 'free-text notes and complaint descriptions',
    roles: ['loan_officer', 'branch_manager', 'risk_officer', 'service_agent', 'administrator'],
    auditReads: false,
  },
} as const satisfies Record<string, { label: string; roles: readonly Role[]; auditReads: boolean }>;

export type SensitiveData = keyof typeof SENSITIVE_DATA;

/**
 * Every sensitive field of the composed API and its class: the subgraph that owns the field marks
 * it `@sensitive(data: "<class>")`, and a gateway test fails when the two disagree or when a field
 * that looks personal (a name, an identifier, contact details, free text) is in neither this list
 * nor the test's reviewed list of impersonal fields.
 */
export const SENSITIVE_FIELDS = {
  'IndividualProfile.firstName': 'personalIdentity',
  'IndividualProfile.lastName': 'personalIdentity',
  'IndividualProfile.birthDate': 'personalIdentity',
  'IndividualProfile.nationalIdMasked': 'personalIdentity',
  'IndividualProfile.nationalId': 'nationalId',
  'IndividualProfile.employer': 'personalIdentity',
  'EnterpriseProfile.legalName': 'personalIdentity',
  'EnterpriseProfile.registrationNumber': 'nationalId',
  'EnterpriseProfile.legalRepresentative': 'personalIdentity',
  'ContactDetails.phone': 'contact',
  'ContactDetails.email': 'contact',
  'ContactDetails.address': 'contact',
  'Customer.financialProfile': 'financial',
  'Customer.financialSnapshots': 'financial',
  'Customer.documents': 'documents',
  'CustomerSpecialCare.note': 'freeText',
  'RelationshipManagerAssignment.reason': 'freeText',
  'Guarantor.name': 'personalIdentity',
  'Collateral.description': 'freeText',
  'CreditReview.findings': 'freeText',
  'Restructuring.reason': 'freeText',
  'CrisisMeasure.reason': 'freeText',
  'RiskWarning.indicators': 'freeText',
  'RiskWarning.note': 'freeText',
  'Interaction.summary': 'freeText',
  'Interaction.outcome': 'freeText',
  'ContactRuleOverride.reason': 'freeText',
  'Task.title': 'freeText',
  'Task.description': 'freeText',
  'Task.cancelReason': 'freeText',
  'Complaint.description': 'freeText',
  'Complaint.resolution': 'freeText',
  'ComplaintStatusChange.note': 'freeText',
  'SurveyAnswer.text': 'freeText',
  'Enquiry.prospectName': 'personalIdentity',
  'Enquiry.prospectPhone': 'contact',
  'Enquiry.question': 'freeText',
  'Enquiry.answer': 'freeText',
  'Lead.note': 'freeText',
  'Lead.outcome': 'freeText',
  'Consultation.question': 'freeText',
  'Consultation.answer': 'freeText',
  'Consultation.cancelReason': 'freeText',
  // notifications and visits (issue 15): the rendered text names the customer and amounts; a provider's error may quote the address
  'Notification.subject': 'freeText',
  'Notification.body': 'freeText',
  'Notification.lastError': 'freeText',
  'VisitOutcome.note': 'freeText',
  'PointsEntry.reason': 'freeText',
  'LoyaltyRedemption.cancelReason': 'freeText',
} as const satisfies Record<string, SensitiveData>;

export const isSensitiveData = (value: string): value is SensitiveData => Object.hasOwn(SENSITIVE_DATA, value);

/** Whether the caller may read raw values of a sensitive class. */
export function mayRead(identity: Identity, data: SensitiveData): boolean {
  const roles: readonly Role[] = SENSITIVE_DATA[data].roles;
  return identity.roles.some((r) => roles.includes(r));
}

/** True for callers who get pseudonymised rows (analysts without another customer-facing role). */
export function seesPseudonyms(identity: Identity): boolean {
  return !mayRead(identity, 'personalIdentity');
}

const PSEUDONYM_KEY = 'lender-crm-pseudonym-v1';

/** A stable pseudonym for a customer id: the same on every page and every export, not reversible without the key. */
export function pseudonym(customerId: string, key = PSEUDONYM_KEY): string {
  const digest = createHmac('sha256', key).update(customerId).digest('hex').toUpperCase();
  return `Customer ${digest.slice(0, 4)}-${digest.slice(4, 8)}`;
}

export { MASKED_FIELDS, maskPersonalData, maskSerializedPayload, maskValue } from '@crm/events';

/** The event catalogue marks personal data with these same classes (PERSONAL_DATA_CLASSES): compile-time check that the lists agree. */
type SameClasses<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
export const EVENT_PERSONAL_DATA_CLASSES_AGREE: SameClasses<PersonalDataClass, SensitiveData> = true;
