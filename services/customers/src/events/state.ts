import { defineStateProjection } from '@crm/events';
import type { Kysely } from 'kysely';
import { CONSENT_PURPOSES, findCurrentConsents } from '../db/consent.store.ts';
import type { DB } from '../db/schema.ts';

const customer = (d: { customerId: string }) => ({ CustomerState: d.customerId });
const none = () => ({});

/**
 * The customer state topic (crm.customers.customer.state.v1): every customers event that changes
 * a customer brings the customer's full current state, read in the event's transaction (see
 * @crm/events state.ts). Contact details for marketing (`marketingContact`) only while the
 * MARKETING_CONTACT consent is granted; national ids, financial data, documents and notes never.
 */
export const customersState = defineStateProjection<DB, 'customers'>({
  producer: 'customers',
  changes: {
    CustomerRegistered: customer,
    CustomerProfileUpdated: customer,
    FinancialSnapshotRecorded: none,
    ConsentChanged: customer,
    RelationshipManagerAssigned: customer,
    SpecialCareChanged: customer,
    CustomerDocumentAdded: none,
    CustomerGradeAtRisk: none,
    CustomerGradeChanged: customer,
    CustomerStatusChanged: customer,
  },
  load: { CustomerState: customerStates },
});

async function customerStates(tx: Kysely<DB>, ids: readonly string[]) {
  const rows = await tx
    .selectFrom('customer as c')
    .leftJoin('individual_profile as i', 'i.customer_id', 'c.id')
    .leftJoin('enterprise_profile as e', 'e.customer_id', 'c.id')
    .selectAll('c')
    .select(['i.birth_date', 'e.industry'])
    .where('c.id', 'in', [...ids])
    .execute();
  const consents = await findCurrentConsents(tx, { kind: 'all' }, ids);
  return new Map(
    rows.map((c) => {
      const granted = new Set(consents.filter((r) => r.customer_id === c.id && r.granted).map((r) => r.purpose));
      const contact = { phone: c.phone, email: c.email };
      return [
        c.id,
        {
          customerId: c.id,
          kind: c.kind,
          status: c.status,
          displayName: c.display_name,
          branchId: c.branch_id,
          relationshipManagerId: c.relationship_manager_id,
          grade: c.grade,
          birthDate: c.birth_date,
          industry: c.industry,
          preferredChannel: c.preferred_channel,
          preferredLanguage: c.preferred_language,
          contactTime: c.contact_time,
          interests: c.interests,
          educationLevel: c.education_level,
          contact,
          marketingContact: granted.has('MARKETING_CONTACT') ? contact : null,
          consents: CONSENT_PURPOSES.map((purpose) => ({ purpose, granted: granted.has(purpose) })),
          specialCare: c.special_care,
          registeredAt: c.created_at.toISOString(),
          updatedAt: c.updated_at.toISOString(),
        },
      ];
    }),
  );
}
