import type { MutationResolvers } from '../../__generated__/resolvers-types.ts';
import { closeBusinessDay as closeBusinessDayCommand } from '../../commands/close-business-day.ts';

/** Close of business: end of day for the open business date, then the next date. */
export const closeBusinessDay: MutationResolvers['closeBusinessDay'] = (_parent, { input }, ctx) => closeBusinessDayCommand(ctx, input);
