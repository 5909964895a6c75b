import type { MutationResolvers } from '../../__generated__/resolvers-types.ts';
import { defineCareHoliday as run } from '../../commands/define-care-holiday.ts';

export const defineCareHoliday: MutationResolvers['defineCareHoliday'] = (_parent, { input }, ctx) => run(ctx, input);
