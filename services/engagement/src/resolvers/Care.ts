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
  invitations: (e, _args, ctx) => ctx.loaders.invitationsOfEvent.load(e.id),
  invitedCount: async (e, _args, ctx) => (await ctx.loaders.invitationsOfEvent.load(e.id)).length,
  attendedCount: async (e, _args, ctx) => (await ctx.loaders.invitationsOfEvent.load(e.id)).filter((i) => i.status === 'ATTENDED').length,
};

export const CareEventInvitation: CareEventInvitationResolvers = {
  customer: (i) => ({ id: i.customer_id }),
  invitedAt: (i) => i.invited_at,
  attendedAt: (i) => i.attended_at,
};
