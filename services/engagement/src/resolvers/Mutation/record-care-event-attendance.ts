import type { MutationResolvers } from '../../__generated__/resolvers-types.ts';
import { recordCareEventAttendance as run } from '../../commands/record-care-event-attendance.ts';

export const recordCareEventAttendance: MutationResolvers['recordCareEventAttendance'] = (_parent, { input }, ctx) => run(ctx, input);
