import { byIds, byKey, countLoader, type ParentPages, parentPagesLoader, type Scope } from '@crm/service-kit';
import DataLoader from 'dataloader';
import type { Kysely } from 'kysely';
import {
  type ConsultationViewer,
  type CustomerConsultationFilter,
  countConsultationsOfCustomers,
  findConsultationsByIds,
  findConsultationsOfCustomers,
} from './db/consultation.store.ts';
import { findEnquiriesByIds } from './db/enquiry.store.ts';
import { findExpertsByIds } from './db/expert.store.ts';
import { findArticlesByIds } from './db/knowledge.store.ts';
import { findLeadsByIds, findLeadsOfEnquiries } from './db/lead.store.ts';
import type { DB } from './db/schema.ts';
import { SYSTEM_SCOPE } from './db/scope.ts';
import type { ConsultationRow, EnquiryRow, ExpertRow, KnowledgeArticleRow, LeadRow } from './db/service-centre.tables.ts';

/** The request's batched reads of the service centre and of expert help (part of EngagementContext.loaders). */
export interface ServiceCentreLoaders {
  article: DataLoader<string, KnowledgeArticleRow | null>;
  enquiry: DataLoader<string, EnquiryRow | null>;
  /** The enquiry of a visible lead (a prospect's lead is visible to its owner in another branch too). */
  enquiryOfLead: DataLoader<string, EnquiryRow | null>;
  lead: DataLoader<string, LeadRow | null>;
  leadOfEnquiry: DataLoader<string, LeadRow | null>;
  /** Experts the caller may see in the directory. */
  expert: DataLoader<string, ExpertRow | null>;
  /** The expert a visible consultation names, whatever the caller's branch. */
  expertOfConsultation: DataLoader<string, ExpertRow | null>;
  consultation: DataLoader<string, ConsultationRow | null>;
  /** `Customer.consultations` pages, per filter: one statement per filter and window whatever the number of customers (windowPages). */
  consultationsOfCustomer: (filter: CustomerConsultationFilter) => ParentPages<ConsultationRow>;
  consultationCount: (filter: CustomerConsultationFilter) => DataLoader<string, number>;
}

const filterKey = (f: CustomerConsultationFilter) => `${f.status?.slice().sort().join(',') ?? ''}|${f.overdue ?? ''}`;

export function serviceCentreLoaders(db: Kysely<DB>, scope: Scope, userId: string, now: () => Date): ServiceCentreLoaders {
  const viewer: ConsultationViewer = { scope, userId };
  // one instant per request: a page and its count agree on what is overdue
  let at: Date | undefined;
  const requestNow = () => {
    at ??= now();
    return at;
  };
  const pages = new Map<string, ParentPages<ConsultationRow>>();
  const counts = new Map<string, DataLoader<string, number>>();
  return {
    article: new DataLoader(async (ids) => byIds(ids, await findArticlesByIds(db, ids))),
    enquiry: new DataLoader(async (ids) => byIds(ids, await findEnquiriesByIds(db, scope, ids))),
    enquiryOfLead: new DataLoader(async (ids) => byIds(ids, await findEnquiriesByIds(db, SYSTEM_SCOPE, ids))),
    lead: new DataLoader(async (ids) => byIds(ids, await findLeadsByIds(db, scope, ids))),
    leadOfEnquiry: new DataLoader(async (ids) => byKey(ids, await findLeadsOfEnquiries(db, scope, ids), (r) => r.enquiry_id)),
    expert: new DataLoader(async (ids) => byIds(ids, await findExpertsByIds(db, scope, ids))),
    expertOfConsultation: new DataLoader(async (ids) => byIds(ids, await findExpertsByIds(db, SYSTEM_SCOPE, ids))),
    consultation: new DataLoader(async (ids) => byIds(ids, await findConsultationsByIds(db, viewer, ids))),
    consultationsOfCustomer: (filter) => {
      const key = filterKey(filter);
      let loader = pages.get(key);
      if (!loader) {
        loader = parentPagesLoader((ids, window) => findConsultationsOfCustomers(db, viewer, ids, { ...window, ...filter, now: requestNow() }));
        pages.set(key, loader);
      }
      return loader;
    },
    consultationCount: (filter) => {
      const key = filterKey(filter);
      let loader = counts.get(key);
      if (!loader) {
        loader = countLoader((ids) => countConsultationsOfCustomers(db, viewer, ids, filter, requestNow()));
        counts.set(key, loader);
      }
      return loader;
    },
  };
}
