import { forbidden, type Identity, type RequestContext, requireIdentity } from '@crm/service-kit';

/**
 * Identity-bearing records (change history with old and new values, the customer file) are for
 * staff who serve customers; analysts work on aggregates and pseudonymised rows.
 */
export function requireCustomerStaff(ctx: RequestContext): Identity {
  const identity = requireIdentity(ctx);
  const allowed = ['loan_officer', 'branch_manager', 'risk_officer', 'service_agent', 'administrator'] as const;
  if (!identity.roles.some((r) => allowed.some((a) => a === r))) throw forbidden('Customer history and documents are not shown to analysts');
  return identity;
}
