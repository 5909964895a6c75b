import { emit } from '@crm/events';
import { requireIdentity, scopeOf } from '@crm/service-kit';
import { v7 as uuidv7 } from 'uuid';
import type { MutationResolvers } from '../../__generated__/resolvers-types.ts';
import { findCustomerIdByIdempotencyKey, insertCustomer } from '../../db/customer.store.ts';
import { insertAssignment } from '../../db/history.store.ts';
import { displayNameOf, validateRegistration } from '../../domain/registration.ts';

export const registerCustomer: MutationResolvers['registerCustomer'] = async (_parent, { input }, ctx) => {
  const identity = requireIdentity(ctx);

  if (input.idempotencyKey) {
    const existing = await findCustomerIdByIdempotencyKey(ctx.db, input.idempotencyKey);
    if (existing) return { customer: await ctx.loaders.customer.load(existing), userErrors: [] };
  }

  const now = ctx.now();
  const result = validateRegistration(input, now.toISOString().slice(0, 10));
  if (!result.ok) return { customer: null, userErrors: result.errors };
  const r = result.registration;
  // A branch-bound caller registers customers into their own branch only.
  const scope = scopeOf(identity);
  if (scope.kind === 'branch' && r.branchId !== scope.branchId)
    return { customer: null, userErrors: [{ field: 'branchId', message: 'You may register customers only into your own branch', code: 'OUT_OF_SCOPE' }] };

  const id = uuidv7();
  const displayName = displayNameOf(r);
  await ctx.db.transaction().execute(async (tx) => {
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
      },
    });
  });
  ctx.logger.info({ customerId: id, kind: r.kind }, 'customer registered');
  return { customer: await ctx.loaders.customer.load(id), userErrors: [] };
};
