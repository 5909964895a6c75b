import { badUserInput, requireIdentity, withCount } from '@crm/service-kit';
import type { EnquiryResolvers, KnowledgeArticleResolvers, LeadResolvers, QueryResolvers } from '../__generated__/resolvers-types.ts';
import { countEnquiries, findEnquiries, findEnquiryInScope } from '../db/enquiry.store.ts';
import { countArticles, findArticles, searchCursor } from '../db/knowledge.store.ts';
import { countLeads, findLeadInScope, findLeads } from '../db/lead.store.ts';
import { searchQuery } from '../domain/service-centre.ts';
import { listArgs, listConnection } from './feed.ts';

/** The service centre's reads (issue 15): knowledge base, enquiries, leads. */
export const ServiceCentreQuery: QueryResolvers = {
  knowledgeArticle: (_parent, { id }, ctx) => {
    requireIdentity(ctx);
    return ctx.loaders.serviceCentre.article.load(id);
  },
  knowledgeArticles: async (_parent, args, ctx) => {
    requireIdentity(ctx);
    const { size, page, since } = listArgs(args);
    const f = args.filter ?? {};
    const query = f.search === null || f.search === undefined ? null : searchQuery(f.search);
    if (f.search !== null && f.search !== undefined && query === null) throw badUserInput('search holds no word to look for', 'filter.search');
    const filter = { query, product: f.product, tag: f.tag, includeRetired: f.includeRetired };
    const rows = await findArticles(ctx.db, filter, page);
    return withCount(listConnection(rows, size, args.changedSince, query ? searchCursor : (r) => [r.id]), () => countArticles(ctx.db, filter, since));
  },
  enquiry: (_parent, { id }, ctx) => {
    requireIdentity(ctx);
    return findEnquiryInScope(ctx.db, ctx.scope, id).then((e) => e ?? null);
  },
  enquiries: async (_parent, args, ctx) => {
    requireIdentity(ctx);
    const { size, page, since } = listArgs(args);
    const filter = args.filter ?? {};
    const rows = await findEnquiries(ctx.db, ctx.scope, filter, page);
    return withCount(
      listConnection(rows, size, args.changedSince, (r) => [r.id]),
      () => countEnquiries(ctx.db, ctx.scope, filter, since),
    );
  },
  lead: (_parent, { id }, ctx) => {
    requireIdentity(ctx);
    return findLeadInScope(ctx.db, ctx.scope, id).then((l) => l ?? null);
  },
  leads: async (_parent, args, ctx) => {
    requireIdentity(ctx);
    const { size, page, since } = listArgs(args);
    const filter = args.filter ?? {};
    const rows = await findLeads(ctx.db, ctx.scope, filter, page);
    return withCount(
      listConnection(rows, size, args.changedSince, (r) => [r.id]),
      () => countLeads(ctx.db, ctx.scope, filter, since),
    );
  },
};

export const KnowledgeArticle: KnowledgeArticleResolvers = {
  relevance: (a) => a.relevance ?? null,
  createdBy: (a) => a.created_by,
  createdAt: (a) => a.created_at,
  updatedBy: (a) => a.updated_by,
  updatedAt: (a) => a.updated_at,
  retiredAt: (a) => a.retired_at,
};

export const Enquiry: EnquiryResolvers = {
  customer: (e) => (e.customer_id ? { id: e.customer_id } : null),
  prospectName: (e) => e.prospect_name,
  prospectPhone: (e) => e.prospect_phone,
  branchId: (e) => e.branch_id,
  receivedBy: (e) => e.received_by,
  receivedAt: (e) => e.received_at,
  article: (e, _args, ctx) => (e.article_id ? ctx.loaders.serviceCentre.article.load(e.article_id) : null),
  answeredBy: (e) => e.answered_by,
  answeredAt: (e) => e.answered_at,
  lead: (e, _args, ctx) => (e.status === 'HANDED_OVER' ? ctx.loaders.serviceCentre.leadOfEnquiry.load(e.id) : null),
};

export const Lead: LeadResolvers = {
  enquiry: async (l, _args, ctx) => {
    const enquiry = await ctx.loaders.serviceCentre.enquiryOfLead.load(l.enquiry_id);
    if (!enquiry) throw new Error(`lead ${l.id} without its enquiry ${l.enquiry_id}`);
    return enquiry;
  },
  customer: (l) => (l.customer_id ? { id: l.customer_id } : null),
  ownerId: (l) => l.owner_id,
  branchId: (l) => l.branch_id,
  applicationId: (l) => l.application_id,
  restructuringId: (l) => l.restructuring_id,
  complaint: (l, _args, ctx) => (l.complaint_id ? ctx.loaders.complaint.load(l.complaint_id) : null),
  createdBy: (l) => l.created_by,
  createdAt: (l) => l.created_at,
  contactedAt: (l) => l.contacted_at,
  closedAt: (l) => l.closed_at,
};
