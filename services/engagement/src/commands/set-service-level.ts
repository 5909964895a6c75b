import { requireIdentity, runCommand, type UserError } from '@crm/service-kit';
import type { SetServiceLevelInput } from '../__generated__/resolvers-types.ts';
import type { EngagementContext } from '../context.ts';
import { findServiceLevelRow, type StoredServiceLevel, saveServiceLevel } from '../db/service-level.store.ts';
import { applyServiceLevelChange, checkServiceLevelCode, NEUTRAL_SERVICE_LEVEL, type ServiceLevel } from '../domain/service-levels.ts';

export type ServiceLevelResult = { serviceLevel: StoredServiceLevel | null; userErrors: UserError[] };

const audited = (l: ServiceLevel) => ({
  taskPriorityFloor: l.taskPriorityFloor,
  taskDuePercent: l.taskDuePercent,
  complaintSlaPercent: l.complaintSlaPercent,
  worklistPoints: l.worklistPoints,
  callbackEveryDays: l.callbackEveryDays,
  homeVisit: l.homeVisit,
});

/**
 * Sets the service level of a grade or care need, for a branch (its branch manager or an
 * administrator) or for the institution (administrators): fields left out keep the value that
 * applies now. Audited with the values before (the branch's own row; none when it inherited the
 * default) and after.
 */
export async function setServiceLevel(ctx: EngagementContext, input: SetServiceLevelInput): Promise<ServiceLevelResult> {
  const identity = requireIdentity(ctx);
  const branchId = input.branchId?.trim() || null;
  const admin = identity.roles.includes('administrator');
  const key = `${branchId ?? 'default'}:${input.kind}:${input.code}`;
  return runCommand(ctx, { action: 'setServiceLevel', entityType: 'ServiceLevel', entityId: key }, async (tx, audit): Promise<ServiceLevelResult> => {
    const refuse = (error: UserError): ServiceLevelResult => ({ serviceLevel: null, userErrors: [error] });
    if (branchId === null && !admin)
      return refuse({ field: 'branchId', code: 'ADMINISTRATOR_REQUIRED', message: 'Only an administrator sets the institution’s default; give your branch' });
    if (branchId !== null && !admin && identity.branchId !== branchId)
      return refuse({ field: 'branchId', code: 'OUT_OF_SCOPE', message: 'A branch manager sets the service levels of their own branch only' });
    const codeError = checkServiceLevelCode(input.kind, input.code);
    if (codeError) return refuse(codeError);
    const own = await findServiceLevelRow(tx, { branchId, kind: input.kind, code: input.code });
    const inherited = own ?? (branchId ? await findServiceLevelRow(tx, { branchId: null, kind: input.kind, code: input.code }) : undefined);
    const current: ServiceLevel = inherited ?? { kind: input.kind, code: input.code, branchId, ...NEUTRAL_SERVICE_LEVEL, worklistPoints: 0 };
    const result = applyServiceLevelChange(current, { ...input, branchId });
    if (!result.ok) return { serviceLevel: null, userErrors: result.errors };
    const now = ctx.now();
    await saveServiceLevel(tx, result.value, identity.userId, now);
    audit.changes(own ? audited(own) : null, audited(result.value));
    audit.detail({ branchId, kind: input.kind, code: input.code, ...(own ? {} : { inheritedFrom: 'default' }) });
    return { serviceLevel: { ...result.value, updatedBy: identity.userId, updatedAt: now }, userErrors: [] };
  });
}
