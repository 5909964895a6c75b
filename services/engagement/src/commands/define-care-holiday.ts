import { isCalendarDate, runCommand, type UserError } from '@crm/service-kit';
import type { DefineCareHolidayInput } from '../__generated__/resolvers-types.ts';
import type { EngagementContext } from '../context.ts';
import { upsertHoliday } from '../db/care.store.ts';

export type CareHolidayResult = { holiday: { code: string; onDate: string; name: string } | null; userErrors: UserError[] };

/** Adds a holiday for which the care-greetings run greets consenting customers (configuration). */
export async function defineCareHoliday(ctx: EngagementContext, input: DefineCareHolidayInput): Promise<CareHolidayResult> {
  const code = input.code.trim().toUpperCase();
  const name = input.name.trim();
  return runCommand(ctx, { action: 'defineCareHoliday', entityType: 'CareHoliday', entityId: code }, async (tx, audit): Promise<CareHolidayResult> => {
    const errors = [
      ...(/^[A-Z0-9_]{1,40}$/.test(code) ? [] : [{ field: 'code', code: 'INVALID_FORMAT', message: 'letters, digits and _ only, at most 40' }]),
      ...(name ? [] : [{ field: 'name', code: 'TOO_SMALL', message: 'must not be blank' }]),
      ...(isCalendarDate(input.onDate) ? [] : [{ field: 'onDate', code: 'INVALID_DATE', message: 'must be a date YYYY-MM-DD' }]),
    ];
    if (errors.length) return { holiday: null, userErrors: errors };
    await upsertHoliday(tx, { code, on_date: input.onDate, name });
    audit.changes(null, { code, onDate: input.onDate, name });
    return { holiday: { code, onDate: input.onDate, name }, userErrors: [] };
  });
}
