import { emit } from '@crm/events';
import { findIdempotentReplay, type Identity, isoDate, runCommand, scopeOf, type UserError } from '@crm/service-kit';
import { v7 as uuidv7 } from 'uuid';
import type { RegisterCustomerInput } from '../__generated__/resolvers-types.ts';
import type { CustomersContext } from '../context.ts';
import { findCustomerIdByIdempotencyKey, insertCustomer, lockCustomer } from '../db/customer.store.ts';
import { insertAssignment } from '../db/history.store.ts';
import { displayNameOf, validateRegistration } from '../domain/registration.ts';

export type RegisterCustomerResult = { customerId: string; replayed: boolean; userErrors: [] } | { customerId: null; replayed: false; userErrors: UserError[] };

/**
 * Registers a customer (individual or enterprise): profile, first manager assignment,
 * CustomerRegistered and the audit. A repeated idempotency key returns the customer it created.
 */
export function registerCustomer(ctx: CustomersContext, identity: Identity, input: RegisterCustomerInput): Promise<RegisterCustomerResult> {
  return runCommand(ctx, { action: 'registerCustomer', entityType: 'Customer' }, async (tx, audit): Promise<RegisterCustomerResult> => {
    // the replay check in the writing transaction: a second identical request waits, then replays
    const existing = await findIdempotentReplay(tx, 'customer', input.idempotencyKey, (key) => findCustomerIdByIdempotencyKey(tx, key));
    if (existing) {
      audit.entity(existing);
      await lockCustomer(tx, ctx.scope, existing); // FORBIDDEN outside the caller's scope
      audit.detail({ replayed: true });
      return { customerId: existing, replayed: true, userErrors: [] };
    }
    const now = ctx.now();
    const result = validateRegistration(input, isoDate(now));
    if (!result.ok) return { customerId: null, replayed: false, userErrors: result.errors };
    const r = result.value;
    // A branch-bound caller registers customers into their own branch only.
    const scope = scopeOf(identity);
    if (scope.kind === 'branch' && r.branchId !== scope.branchId)
      return {
        customerId: null,
        replayed: false,
        userErrors: [{ field: 'branchId', message: 'You may register customers only into your own branch', code: 'OUT_OF_SCOPE' }],
      };

    const id = uuidv7();
    audit.entity(id);
    const displayName = displayNameOf(r);
    await insertCustomer(tx, {
      customer: {
        id,
        kind: r.kind,
        status: r.status,
        display_name: displayName,
        branch_id: r.branchId,
        relationship_manager_id: r.relationshipManagerId,
        phone: r.contact.phone,
        email: r.contact.email,
        region: r.contact.region,
        city: r.contact.city,
        district: r.contact.district,
        address_line: r.contact.line,
        preferred_channel: r.contact.preferredChannel,
        preferred_language: r.contact.preferredLanguage,
        tags: r.tags,
        reviewed_at: now,
        idempotency_key: input.idempotencyKey ?? null,
        created_by: identity.userId,
        created_at: now,
        updated_at: now,
      },
      individual: r.individual && {
        first_name: r.individual.firstName,
        last_name: r.individual.lastName,
        gender: r.individual.gender,
        birth_date: r.individual.birthDate,
        national_id: r.individual.nationalId,
        occupation: r.individual.occupation,
        employer: r.individual.employer,
      },
      enterprise: r.enterprise && {
        legal_name: r.enterprise.legalName,
        registration_number: r.enterprise.registrationNumber,
        industry: r.enterprise.industry,
        size: r.enterprise.size,
        founded_on: r.enterprise.foundedOn,
        legal_representative: r.enterprise.legalRepresentative,
        annual_revenue: r.enterprise.annualRevenue?.toFixed(2) ?? null,
        employees: r.enterprise.employees,
      },
    });
    if (r.relationshipManagerId)
      await insertAssignment(tx, {
        id: uuidv7(),
        customer_id: id,
        manager_id: r.relationshipManagerId,
        previous_manager_id: null,
        reason: 'registration',
        assigned_by: identity.userId,
        assigned_at: now,
      });
    await emit(tx, 'CustomerRegistered', {
      subject: id,
      time: now,
      data: {
        customerId: id,
        kind: r.kind,
        displayName,
        status: r.status,
        branchId: r.branchId,
        relationshipManagerId: r.relationshipManagerId,
        birthDate: r.individual?.birthDate ?? null,
        registeredAt: now.toISOString(),
        industry: r.enterprise?.industry ?? null,
        referralCode: r.referralCode,
        // for servicing notices (engagement's reminders); later changes come as CustomerProfileUpdated
        contact: {
          phone: r.contact.phone,
          email: r.contact.email,
          address:
            r.contact.region || r.contact.city || r.contact.district || r.contact.line
              ? { region: r.contact.region, city: r.contact.city, district: r.contact.district, line: r.contact.line }
              : null,
          preferredChannel: r.contact.preferredChannel,
          preferredLanguage: r.contact.preferredLanguage,
        },
      },
    });
    // No identity in the audit record: the customer's id says who, the profile says the rest.
    audit.changes(null, { kind: r.kind, status: r.status, branchId: r.branchId, relationshipManagerId: r.relationshipManagerId });
    return { customerId: id, replayed: false, userErrors: [] };
  });
}
