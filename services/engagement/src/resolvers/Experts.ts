import { nestedConnection, pageSize, requireIdentity, toConnection, withCount } from '@crm/service-kit';
import type {
  ConsultationDueTimeResolvers,
  ConsultationResolvers,
  CustomerResolvers,
  ExpertResolvers,
  QueryResolvers,
} from '../__generated__/resolvers-types.ts';
import { countConsultations, findConsultationForViewer, findConsultations } from '../db/consultation.store.ts';
import { countExperts, expertCursor, findDueTimes, findExperts, findVisibleExpert } from '../db/expert.store.ts';
import { isConsultationOverdue } from '../domain/experts.ts';
import { listArgs, listConnection } from './feed.ts';

/** Expert help's reads (issue 15): the directory, consultations, due times. */
export const ExpertQuery: QueryResolvers = {
  expert: (_parent, { id }, ctx) => {
    requireIdentity(ctx);
    return findVisibleExpert(ctx.db, ctx.scope, id).then((e) => e ?? null);
  },
  experts: async (_parent, { filter, first, after }, ctx) => {
    requireIdentity(ctx);
    const size = pageSize(first);
    const f = filter ?? {};
    const rows = await findExperts(ctx.db, ctx.scope, f, { limit: size + 1, after: after ?? null });
    return withCount(toConnection(rows, size, expertCursor), () => countExperts(ctx.db, ctx.scope, f));
  },
  consultation: (_parent, { id }, ctx) => {
    const identity = requireIdentity(ctx);
    return findConsultationForViewer(ctx.db, { scope: ctx.scope, userId: identity.userId }, id).then((c) => c ?? null);
  },
  consultations: async (_parent, args, ctx) => {
    const identity = requireIdentity(ctx);
    const { size, page, since } = listArgs(args);
    const filter = args.filter ?? {};
    const viewer = { scope: ctx.scope, userId: identity.userId };
    const now = ctx.now();
    const rows = await findConsultations(ctx.db, viewer, filter, page, now);
    return withCount(
      listConnection(rows, size, args.changedSince, (r) => [r.id]),
      () => countConsultations(ctx.db, viewer, filter, since, now),
    );
  },
  consultationDueTimes: (_parent, _args, ctx) => {
    requireIdentity(ctx);
    return findDueTimes(ctx.db);
  },
};

/** Customer.consultations: newest first, batched over parents (one statement per field per request). */
export const CustomerConsultations: Pick<CustomerResolvers, 'consultations'> = {
  consultations: async (customer, { first, after, status, overdue }, ctx) => {
    requireIdentity(ctx);
    const filter = { status: status ?? null, overdue: overdue ?? null };
    const loaders = ctx.loaders.serviceCentre;
    return nestedConnection(loaders.consultationsOfCustomer(filter), loaders.consultationCount(filter), customer.id, { first, after });
  },
};

export const Expert: ExpertResolvers = {
  userId: (e) => e.user_id,
  branchId: (e) => e.branch_id,
  createdAt: (e) => e.created_at,
};

export const Consultation: ConsultationResolvers = {
  customer: (c) => ({ id: c.customer_id }),
  loanId: (c) => c.loan_id,
  expert: async (c, _args, ctx) => {
    const expert = await ctx.loaders.serviceCentre.expertOfConsultation.load(c.expert_id);
    if (!expert) throw new Error(`consultation ${c.id} without its expert ${c.expert_id}`);
    return expert;
  },
  expertUserId: (c) => c.expert_user_id,
  requesterId: (c) => c.requester_id,
  requestedAt: (c) => c.requested_at,
  dueAt: (c) => c.due_at,
  overdue: (c, _args, ctx) => isConsultationOverdue({ status: c.status, dueAt: c.due_at }, ctx.now()),
  answeredAt: (c) => c.answered_at,
  cancelledAt: (c) => c.cancelled_at,
  cancelledBy: (c) => c.cancelled_by,
  cancelReason: (c) => c.cancel_reason,
};

export const ConsultationDueTime: ConsultationDueTimeResolvers = {
  dueWithinHours: (d) => d.due_hours,
};
