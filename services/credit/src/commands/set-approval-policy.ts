import { runCommand, type UserError } from '@crm/service-kit';
import type { SetApprovalPolicyInput } from '../__generated__/resolvers-types.ts';
import type { CreditContext } from '../context.ts';
import { findApprovalPolicy, upsertApprovalPolicy } from '../db/approval-policy.store.ts';
import { validateApprovalPolicy } from '../domain/approval.ts';

/** Sets a currency's approval limits (administrators). Audited with the limits before and after. */
export async function setApprovalPolicy(ctx: CreditContext, cmd: SetApprovalPolicyInput): Promise<{ userErrors: UserError[] }> {
  const actorId = ctx.identity?.userId ?? 'unknown';
  const currency = cmd.currency.trim();
  return runCommand(ctx, { action: 'setApprovalPolicy', entityType: 'ApprovalPolicy', entityId: currency }, async (tx, audit) => {
    const { errors, row } = validateApprovalPolicy(cmd);
    if (errors.length) return { userErrors: errors };
    const before = await findApprovalPolicy(tx, row.currency, true);
    await upsertApprovalPolicy(tx, {
      currency: row.currency,
      second_approval_above: row.second,
      write_off_admin_above: row.writeOff,
      updated_by: actorId,
      updated_at: ctx.now(),
    });
    audit.changes(before ? { secondApprovalAbove: before.second_approval_above, writeOffAdministratorAbove: before.write_off_admin_above } : null, {
      secondApprovalAbove: row.second,
      writeOffAdministratorAbove: row.writeOff,
    });
    return { userErrors: [] };
  });
}
