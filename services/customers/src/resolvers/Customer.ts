import { forbidden, requireIdentity } from '@crm/service-kit';
import type {
  AddressResolvers,
  ContactDetailsResolvers,
  CustomerConnectionResolvers,
  CustomerResolvers,
  EnterpriseProfileResolvers,
  IndividualProfileResolvers,
} from '../__generated__/resolvers-types.ts';
import { countCustomers } from '../db/customer.store.ts';
import { maskNationalId } from '../domain/registration.ts';

export const Customer: CustomerResolvers = {
  __resolveReference: (ref, ctx) => ctx.loaders.customer.load(ref.id),
  displayName: (c) => c.display_name,
  branchId: (c) => c.branch_id,
  relationshipManagerId: (c) => c.relationship_manager_id,
  contact: (c) => c,
  registeredAt: (c) => c.created_at,
  updatedAt: (c) => c.updated_at,
};

export const IndividualProfile: IndividualProfileResolvers = {
  firstName: (p) => p.first_name,
  lastName: (p) => p.last_name,
  birthDate: (p) => p.birth_date,
  nationalIdMasked: (p) => (p.national_id ? maskNationalId(p.national_id) : null),
  nationalId: (p, _args, ctx) => {
    const { roles } = requireIdentity(ctx);
    if (!roles.some((r) => r === 'loan_officer' || r === 'branch_manager' || r === 'administrator')) {
      throw forbidden('The full national id is shown only to loan officers, branch managers and administrators');
    }
    return p.national_id;
  },
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
  totalCount: (conn, _args, ctx) => countCustomers(ctx.db, conn.filter),
};
