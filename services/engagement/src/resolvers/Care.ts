import { keysetCursor, pageSize, toConnection, withCount } from '@crm/service-kit';
import type { CareEventInvitationResolvers, CareEventResolvers, CareGreetingResolvers } from '../__generated__/resolvers-types.ts';

export const CareGreeting: CareGreetingResolvers = {
  customer: (g) => ({ id: g.customer_id }),
  occasionOn: (g) => g.occasion_on,
  holidayCode: (g) => g.holiday_code || null,
  assigneeId: (g) => g.assignee_id,
  createdAt: (g) => g.created_at,
};

export const CareEvent: CareEventResolvers = {
  kind: (e) => (e.kind === 'EDUCATION_TALK' || e.kind === 'APPRECIATION_DAY' ? e.kind : 'OTHER'),
  branchId: (e) => e.branch_id,
  startsAt: (e) => e.starts_at,
  invitations: async (e, { first, after }, ctx) => {
    const size = pageSize(first);
    const rows = await ctx.loaders.invitationsOfEvent(e.id, { limit: size + 1, after: after ?? null });
    // The count is the event's invited count (one grouped statement with the attended count), not the kit's plain count.
    return withCount(toConnection(rows, size, keysetCursor), async () => (await ctx.loaders.invitationCounts.load(e.id)).invited);
  },
  invitedCount: async (e, _args, ctx) => (await ctx.loaders.invitationCounts.load(e.id)).invited,
  attendedCount: async (e, _args, ctx) => (await ctx.loaders.invitationCounts.load(e.id)).attended,
};

export const CareEventInvitation: CareEventInvitationResolvers = {
  customer: (i) => ({ id: i.customer_id }),
  invitedAt: (i) => i.invited_at,
  attendedAt: (i) => i.attended_at,
};
