import { assertInScope, requireIdentity, runCommand, type UserError } from '@crm/service-kit';
import { v7 as uuidv7 } from 'uuid';
import type { RegisterExpertInput, SetConsultationDueTimeInput, UpdateExpertInput } from '../__generated__/resolvers-types.ts';
import type { EngagementContext } from '../context.ts';
import { findExpertById, insertExpert, updateExpert as updateExpertRow, upsertDueHours } from '../db/expert.store.ts';
import type { ConsultationDueTimeRow, ExpertRow } from '../db/service-centre.tables.ts';
import { validateDueHours, validateExpertChange, validateNewExpert } from '../domain/experts.ts';

/**
 * The expert directory's use cases (staff data, engagement's own: audited, no event; consultations
 * carry the expert's ids in their events). A branch manager keeps the experts of their branch; an
 * institution-wide expert (no branch) is the administrators'.
 */
export type ExpertResult = { expert: ExpertRow | null; userErrors: UserError[] };

const audited = (e: Pick<ExpertRow, 'user_id' | 'name' | 'fields' | 'branch_id' | 'active'>) => ({
  userId: e.user_id,
  name: e.name,
  fields: e.fields,
  branchId: e.branch_id,
  active: e.active,
});

/** Who may keep an expert of `branchId`: administrators any; others their own branch's only (FORBIDDEN), never institution-wide ones. */
function checkDirectoryAccess(ctx: EngagementContext, branchId: string | null): UserError | null {
  const identity = requireIdentity(ctx);
  if (identity.roles.includes('administrator')) return null;
  if (branchId === null) return { field: 'branchId', code: 'ADMINISTRATOR_REQUIRED', message: 'Only an administrator keeps institution-wide experts' };
  assertInScope({ kind: 'branch', branchId: identity.branchId ?? null, managerId: null }, { branchId }, 'branch');
  return null;
}

export async function registerExpert(ctx: EngagementContext, input: RegisterExpertInput): Promise<ExpertResult> {
  const identity = requireIdentity(ctx);
  const result = validateNewExpert(input);
  const denied = result.ok ? checkDirectoryAccess(ctx, result.value.branchId) : null;
  return runCommand(ctx, { action: 'registerExpert', entityType: 'Expert' }, async (tx, audit): Promise<ExpertResult> => {
    if (!result.ok) return { expert: null, userErrors: result.errors };
    if (denied) return { expert: null, userErrors: [denied] };
    const e = result.value;
    const now = ctx.now();
    const expert = await insertExpert(tx, {
      id: uuidv7(),
      user_id: e.userId,
      name: e.name,
      fields: JSON.stringify(e.fields),
      branch_id: e.branchId,
      active: true,
      created_by: identity.userId,
      created_at: now,
      updated_at: now,
    });
    if (!expert)
      return { expert: null, userErrors: [{ field: 'userId', code: 'EXPERT_ALREADY_REGISTERED', message: 'This staff member is in the directory already' }] };
    audit.entity(expert.id);
    audit.changes(null, audited(expert));
    return { expert, userErrors: [] };
  });
}

export async function updateExpert(ctx: EngagementContext, input: UpdateExpertInput): Promise<ExpertResult> {
  requireIdentity(ctx);
  const result = validateExpertChange(input);
  const before = await findExpertById(ctx.db, input.expertId);
  const denied = before ? checkDirectoryAccess(ctx, before.branch_id) : null;
  return runCommand(ctx, { action: 'updateExpert', entityType: 'Expert', entityId: input.expertId }, async (tx, audit): Promise<ExpertResult> => {
    if (!result.ok) return { expert: null, userErrors: result.errors };
    if (!before) return { expert: null, userErrors: [{ field: 'expertId', code: 'EXPERT_NOT_FOUND', message: `No expert with id ${input.expertId}` }] };
    if (denied) return { expert: null, userErrors: [denied] };
    const c = result.value;
    const expert = await updateExpertRow(tx, before.id, {
      ...(c.name !== undefined ? { name: c.name } : {}),
      ...(c.fields !== undefined ? { fields: JSON.stringify(c.fields) } : {}),
      ...(c.active !== undefined ? { active: c.active } : {}),
      updated_at: ctx.now(),
    });
    audit.changes(audited(before), audited(expert));
    return { expert, userErrors: [] };
  });
}

export type DueTimeResult = { dueTime: ConsultationDueTimeRow | null; userErrors: UserError[] };

/** Sets the hours an expert has to answer a consultation of a field (from the next request on). */
export async function setConsultationDueTime(ctx: EngagementContext, input: SetConsultationDueTimeInput): Promise<DueTimeResult> {
  requireIdentity(ctx);
  return runCommand(ctx, { action: 'setConsultationDueTime', entityType: 'ConsultationDueTime', entityId: input.field }, async (tx, audit) => {
    const invalid = validateDueHours(input.dueWithinHours);
    if (invalid) return { dueTime: null, userErrors: [invalid] };
    const previous = await upsertDueHours(tx, input.field, input.dueWithinHours);
    audit.changes({ dueWithinHours: previous ?? null }, { dueWithinHours: input.dueWithinHours });
    return { dueTime: { field: input.field, due_hours: input.dueWithinHours }, userErrors: [] };
  });
}
