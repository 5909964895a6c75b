import { emit } from '@crm/events';
import { lockIdempotencyKey, runCommand, type UserError } from '@crm/service-kit';
import { v7 as uuidv7 } from 'uuid';
import type { RequestRestructuringInput } from '../__generated__/resolvers-types.ts';
import type { CreditContext } from '../context.ts';
import { findLoanInScope } from '../db/loan.store.ts';
import { findRestructuringIdByIdempotencyKey, insertRestructuring } from '../db/restructuring.store.ts';
import { assertLoanInScope } from '../db/scope.ts';
import { Money } from '../domain/money.ts';
import { validateRestructuring } from '../domain/restructuring.ts';

/** Requests a restructuring for another person's approval (a repeated idempotency key returns the first). Outside the scope: FORBIDDEN. */
export async function requestRestructuring(
  ctx: CreditContext,
  cmd: RequestRestructuringInput,
): Promise<{ restructuringId: string | null; userErrors: UserError[] }> {
  const actorId = ctx.identity?.userId ?? 'unknown';
  await assertLoanInScope(ctx.db, ctx.scope, cmd.loanId);
  return runCommand(ctx, { action: 'requestRestructuring', entityType: 'Restructuring' }, async (tx, audit) => {
    if (cmd.idempotencyKey) {
      // a second identical request waits for the first to commit, then finds its row
      await lockIdempotencyKey(tx, 'restructuring', cmd.idempotencyKey);
      const existing = await findRestructuringIdByIdempotencyKey(tx, cmd.idempotencyKey);
      if (existing) {
        audit.entity(existing);
        audit.detail({ replay: true });
        return { restructuringId: existing, userErrors: [] };
      }
    }
    const loan = await findLoanInScope(tx, ctx.scope, cmd.loanId);
    if (!loan) return { restructuringId: null, userErrors: [{ field: 'loanId', code: 'LOAN_NOT_FOUND', message: `No loan ${cmd.loanId}` }] };
    const request = { kind: cmd.kind, instalments: cmd.instalments ?? null, newRate: cmd.newRate ?? null, effectiveOn: cmd.effectiveOn, reason: cmd.reason };
    const errors = validateRestructuring(request, { status: loan.status, annualRate: new Money(loan.annual_rate), disbursedOn: loan.disbursed_on });
    if (errors.length) return { restructuringId: null, userErrors: errors };
    const id = uuidv7();
    const row = {
      id,
      loan_id: loan.id,
      kind: cmd.kind,
      instalments: cmd.kind === 'RATE_REDUCTION' ? null : (cmd.instalments ?? null),
      new_rate: cmd.kind === 'RATE_REDUCTION' && cmd.newRate ? cmd.newRate.toFixed(6) : null,
      effective_on: cmd.effectiveOn,
      reason: cmd.reason.trim(),
      status: 'REQUESTED' as const,
      requested_by: actorId,
      requested_at: ctx.now(),
      decided_by: null,
      decided_at: null,
      from_version: loan.schedule_version,
      to_version: null,
      idempotency_key: cmd.idempotencyKey ?? null,
    };
    await insertRestructuring(tx, row);
    audit.entity(id);
    // The reason is free text: kept in the row, not in the audit.
    audit.changes(null, {
      loanId: loan.id,
      kind: row.kind,
      instalments: row.instalments,
      newRate: row.new_rate,
      effectiveOn: row.effective_on,
      status: row.status,
    });
    await emit(tx, 'RestructuringRequested', {
      subject: loan.customer_id,
      time: row.requested_at,
      data: {
        restructuringId: id,
        loanId: loan.id,
        customerId: loan.customer_id,
        kind: row.kind,
        instalments: row.instalments,
        newRate: row.new_rate,
        effectiveOn: row.effective_on,
        requestedBy: actorId,
      },
    });
    return { restructuringId: id, userErrors: [] };
  });
}
