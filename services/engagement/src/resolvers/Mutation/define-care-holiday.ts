import { isCalendarDate, requireIdentity, requireRole } from '@crm/service-kit';
import type { MutationResolvers } from '../../__generated__/resolvers-types.ts';
import { upsertHoliday } from '../../db/care.store.ts';

export const defineCareHoliday: MutationResolvers['defineCareHoliday'] = async (_parent, { input }, ctx) => {
  const identity = requireIdentity(ctx);
  requireRole(identity, 'branch_manager');
  const code = input.code.trim().toUpperCase();
  const name = input.name.trim();
  const errors = [
    ...(/^[A-Z0-9_]{1,40}$/.test(code) ? [] : [{ field: 'code', code: 'INVALID_FORMAT', message: 'letters, digits and _ only, at most 40' }]),
    ...(name ? [] : [{ field: 'name', code: 'TOO_SMALL', message: 'must not be blank' }]),
    ...(isCalendarDate(input.onDate) ? [] : [{ field: 'onDate', code: 'INVALID_DATE', message: 'must be a date YYYY-MM-DD' }]),
  ];
  if (errors.length) return { holiday: null, userErrors: errors };
  await upsertHoliday(ctx.db, { code, on_date: input.onDate, name });
  return { holiday: { code, onDate: input.onDate, name }, userErrors: [] };
};
