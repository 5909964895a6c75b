import { requireIdentity, requireRole } from '@crm/service-kit';
import type { MutationResolvers } from '../../__generated__/resolvers-types.ts';
import { findGreeting, markGreetingSent } from '../../db/care.store.ts';
import { hasConsent } from '../../db/consent.store.ts';
import { CARE_CONSENT_PURPOSE } from '../../domain/consent.ts';

export const markCareGreetingSent: MutationResolvers['markCareGreetingSent'] = async (_parent, { input }, ctx) => {
  const identity = requireIdentity(ctx);
  requireRole(identity, 'loan_officer', 'branch_manager', 'service_agent');
  const greeting = await findGreeting(ctx.db, input.greetingId);
  if (!greeting)
    return { greeting: null, userErrors: [{ field: 'greetingId', code: 'GREETING_NOT_FOUND', message: `No greeting with id ${input.greetingId}` }] };
  if (greeting.status !== 'PENDING') {
    return { greeting: null, userErrors: [{ field: 'greetingId', code: 'GREETING_NOT_PENDING', message: `The greeting is ${greeting.status.toLowerCase()}` }] };
  }
  if (!(await hasConsent(ctx.db, greeting.customer_id, CARE_CONSENT_PURPOSE))) {
    return { greeting: null, userErrors: [{ field: 'greetingId', code: 'CONSENT_REQUIRED', message: 'The customer no longer consents to contact' }] };
  }
  const sent = await markGreetingSent(ctx.db, greeting.id);
  if (!sent) return { greeting: null, userErrors: [{ field: 'greetingId', code: 'GREETING_NOT_PENDING', message: 'The greeting changed meanwhile' }] };
  return { greeting: sent, userErrors: [] };
};
