import { emit } from '@crm/events';
import { forbidden, lockIdempotencyKey, runCommand, type UserError } from '@crm/service-kit';
import { v7 as uuidv7 } from 'uuid';
import type { CreditContext } from '../context.ts';
import { findCrisisMeasureIdByIdempotencyKey, insertCrisisMeasure } from '../db/crisis.store.ts';
import { type CrisisMeasureInput, validateCrisisMeasure } from '../domain/crisis.ts';

export interface DeclareCrisisMeasureCommand extends CrisisMeasureInput {
  idempotencyKey: string | null;
}

/**
 * Declares a crisis measure (a draft, DECLARED) for a second person to approve: a branch manager
 * for their own branch, a risk officer for any scope. Nothing changes on any loan until the
 * approval (decideCrisisMeasure). Emits CrisisMeasureDeclared. A repeated idempotency key returns
 * the first measure.
 */
export async function declareCrisisMeasure(
  ctx: CreditContext,
  cmd: DeclareCrisisMeasureCommand,
): Promise<{ measureId: string | null; userErrors: UserError[] }> {
  const actorId = ctx.identity?.userId ?? 'unknown';
  // A caller bound to a branch declares for that branch; one whose token names no branch, for none.
  if (ctx.scope.kind === 'branch' && ctx.scope.branchId === null) throw forbidden('A crisis measure is declared for a branch: your token names none');
  const callerBranch = ctx.scope.kind === 'branch' ? ctx.scope.branchId : null;
  return runCommand(ctx, { action: 'declareCrisisMeasure', entityType: 'CrisisMeasure' }, async (tx, audit) => {
    if (cmd.idempotencyKey) {
      await lockIdempotencyKey(tx, 'crisis_measure', cmd.idempotencyKey);
      const existing = await findCrisisMeasureIdByIdempotencyKey(tx, cmd.idempotencyKey);
      if (existing) {
        audit.entity(existing);
        audit.detail({ replay: true });
        return { measureId: existing, userErrors: [] };
      }
    }
    const checked = validateCrisisMeasure(cmd, { branchId: callerBranch });
    if (!checked.ok) return { measureId: null, userErrors: checked.errors };
    const id = uuidv7();
    const now = ctx.now();
    const holiday = cmd.kind === 'PAYMENT_HOLIDAY';
    const row = {
      id,
      name: cmd.name.trim(),
      kind: cmd.kind,
      scope: JSON.stringify(checked.scope),
      instalments: holiday ? cmd.instalments : null,
      effective_on: holiday ? cmd.effectiveOn : null,
      waiver_from: holiday ? null : cmd.waiverFrom,
      waiver_to: holiday ? null : cmd.waiverTo,
      reason: cmd.reason.trim(),
      status: 'DECLARED' as const,
      branch_id: callerBranch,
      declared_by: actorId,
      declared_at: now,
      decided_by: null,
      decided_at: null,
      idempotency_key: cmd.idempotencyKey,
    };
    await insertCrisisMeasure(tx, row);
    audit.entity(id);
    // The reason is free text: kept in the row, not in the audit record.
    audit.changes(null, {
      name: row.name,
      kind: row.kind,
      scope: checked.scope,
      instalments: row.instalments,
      effectiveOn: row.effective_on,
      waiverFrom: row.waiver_from,
      waiverTo: row.waiver_to,
      status: row.status,
    });
    await emit(tx, 'CrisisMeasureDeclared', {
      subject: id,
      time: now,
      data: {
        measureId: id,
        name: row.name,
        kind: row.kind,
        scope: checked.scope,
        instalments: row.instalments,
        effectiveOn: row.effective_on,
        waiverFrom: row.waiver_from,
        waiverTo: row.waiver_to,
        declaredBy: actorId,
        declaredAt: now.toISOString(),
      },
    });
    return { measureId: id, userErrors: [] };
  });
}
