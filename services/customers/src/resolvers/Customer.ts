import { countedConnection, nestedConnection, pseudonym, requireIdentity, seesPseudonyms } from '@crm/service-kit';
import type {
  AddressResolvers,
  ContactDetailsResolvers,
  CustomerChangeConnectionResolvers,
  CustomerConnectionResolvers,
  CustomerConsentConnectionResolvers,
  CustomerDocumentConnectionResolvers,
  CustomerResolvers,
  CustomerValueScoreConnectionResolvers,
  EnterpriseProfileResolvers,
  FinancialSnapshotConnectionResolvers,
  IndividualProfileResolvers,
  RelationshipManagerAssignmentConnectionResolvers,
} from '../__generated__/resolvers-types.ts';
import { consentStates, toConsentState } from '../db/consent.store.ts';
import { countCustomers } from '../db/customer.store.ts';
import { isStale } from '../domain/profile.ts';
import { maskNationalId } from '../domain/registration.ts';

export const Customer: CustomerResolvers = {
  /** FORBIDDEN outside the caller's scope: the entity is null with an error on its path. */
  __resolveReference: (ref, ctx) => ctx.loaders.customer.load(ref.id),
  /** Analysts (and anyone else who may not read names) get a stable pseudonym. */
  displayName: (c, _args, ctx) => (seesPseudonyms(requireIdentity(ctx)) ? pseudonym(c.id) : c.display_name),
  branchId: (c) => c.branch_id,
  relationshipManagerId: (c) => c.relationship_manager_id,
  contact: (c) => c,
  registeredAt: (c) => c.created_at,
  updatedAt: (c) => c.updated_at,
  reviewedAt: (c) => c.reviewed_at,
  stale: async (c, _args, ctx) => {
    const policy = await ctx.loaders.policy();
    return isStale(c.reviewed_at ? new Date(c.reviewed_at) : null, ctx.now(), policy.stale_after_days);
  },
  /** Deprecated (every assignment at once): kept for the clients that select it; see managerHistoryConnection. */
  managerHistory: (c, _args, ctx) => ctx.loaders.assignmentsOfCustomer.load(c.id),
  managerHistoryConnection: (c, args, ctx) => nestedConnection(ctx.loaders.assignmentPagesOfCustomer, ctx.loaders.assignmentCount, c.id, args),
  history: (c, args, ctx) => nestedConnection(ctx.loaders.changesOfCustomer, ctx.loaders.changeCount, c.id, args),
  financialProfile: async (c, _args, ctx) => (await ctx.loaders.snapshotsOfCustomer.load(c.id))[0] ?? null,
  financialSnapshots: (c, args, ctx) => nestedConnection(ctx.loaders.snapshotPagesOfCustomer, ctx.loaders.snapshotCount, c.id, args),
  consents: async (c, _args, ctx) => consentStates(c.id, await ctx.loaders.consentsOfCustomer.load(c.id)),
  consentHistory: (c, args, ctx) =>
    nestedConnection(ctx.loaders.consentHistoryOfCustomer, ctx.loaders.consentHistoryCount, c.id, args, { toNode: toConsentState }),
  specialCare: (c) => ({ flags: c.special_care, note: c.special_care_note, priority: c.special_care.length > 0 }),
  documents: (c, { category, ...args }, ctx) =>
    nestedConnection(ctx.loaders.documentsOfCustomer(category ?? null), ctx.loaders.documentCount(category ?? null), c.id, args),
  grade: (c) => c.grade,
  gradeSince: (c) => c.grade_since,
  gradeAtRisk: (c) =>
    c.grade_at_risk_since && c.grade_at_risk_until && c.grade_projected
      ? { since: c.grade_at_risk_since, until: c.grade_at_risk_until, projectedGrade: c.grade_projected }
      : null,
  valueScoreHistory: (c, args, ctx) => nestedConnection(ctx.loaders.storedScoresOfCustomer, ctx.loaders.storedScoreCount, c.id, args, { defaultSize: 12 }),
  valueScore: (c, _args, ctx) => ctx.loaders.valueScore.load(c),
};

export const IndividualProfile: IndividualProfileResolvers = {
  firstName: (p) => p.first_name,
  lastName: (p) => p.last_name,
  birthDate: (p) => p.birth_date,
  birthYear: (p) => (p.birth_date ? Number(String(p.birth_date).slice(0, 4)) : null),
  nationalIdMasked: (p) => (p.national_id ? maskNationalId(p.national_id) : null),
  // Who may read it (and the audit of each read) is declared in the SDL: @sensitive(data: "nationalId").
  nationalId: (p) => p.national_id,
};

export const EnterpriseProfile: EnterpriseProfileResolvers = {
  legalName: (p) => p.legal_name,
  registrationNumber: (p) => p.registration_number,
  foundedOn: (p) => p.founded_on,
  legalRepresentative: (p) => p.legal_representative,
  annualRevenue: (p) => p.annual_revenue,
};

export const ContactDetails: ContactDetailsResolvers = {
  address: (c) => (c.region || c.city || c.district || c.address_line ? c : null),
  preferredChannel: (c) => c.preferred_channel,
  preferredLanguage: (c) => c.preferred_language,
};

export const Address: AddressResolvers = {
  line: (c) => c.address_line,
};

export const CustomerConnection: CustomerConnectionResolvers = {
  totalCount: (conn, _args, ctx) => countCustomers(ctx.db, conn.scope, conn.filter),
};

/** The nested connections count only when `totalCount` is selected (one grouped count per field per request). */
export const FinancialSnapshotConnection: FinancialSnapshotConnectionResolvers = countedConnection;
export const CustomerConsentConnection: CustomerConsentConnectionResolvers = countedConnection;
export const CustomerDocumentConnection: CustomerDocumentConnectionResolvers = countedConnection;
export const CustomerValueScoreConnection: CustomerValueScoreConnectionResolvers = countedConnection;
export const CustomerChangeConnection: CustomerChangeConnectionResolvers = countedConnection;
export const RelationshipManagerAssignmentConnection: RelationshipManagerAssignmentConnectionResolvers = countedConnection;
