import type { CommandAudit } from '@crm/service-kit';

/** The answer of a creating command to a replayed idempotency key: the first request's record, audited as a replay. */
export function replayed(audit: CommandAudit, id: string): { id: string; userErrors: [] } {
  audit.entity(id);
  audit.detail({ replayed: true });
  return { id, userErrors: [] };
}
