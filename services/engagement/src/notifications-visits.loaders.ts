import { byKey, countLoader, type ParentPages, parentPagesLoader, type Scope } from '@crm/service-kit';
import DataLoader from 'dataloader';
import type { Kysely } from 'kysely';
import { findVisitOutcomes } from './db/monitoring.store.ts';
import { countNotificationsOfCustomers, findNotificationsOfCustomers } from './db/notification.store.ts';
import type { DB, NotificationRow, VisitOutcomeRow } from './db/schema.ts';
import type { NotificationStatus } from './domain/types.ts';

/** The request's batched reads of notifications and visit outcomes (issue 15; part of EngagementContext.loaders). */
export interface NotificationsVisitsLoaders {
  /** `Customer.notifications` pages, per status filter: one statement per filter and window whatever the number of customers. */
  notificationsOfCustomer: (status: readonly NotificationStatus[] | null) => ParentPages<NotificationRow>;
  notificationCount: (status: readonly NotificationStatus[] | null) => DataLoader<string, number>;
  /** `Task.visitOutcome`: one statement per request. */
  visitOutcome: DataLoader<string, VisitOutcomeRow | null>;
}

const statusKey = (status: readonly NotificationStatus[] | null) => status?.slice().sort().join(',') ?? '';

export function notificationsVisitsLoaders(db: Kysely<DB>, scope: Scope): NotificationsVisitsLoaders {
  const pages = new Map<string, ParentPages<NotificationRow>>();
  const counts = new Map<string, DataLoader<string, number>>();
  return {
    notificationsOfCustomer: (status) => {
      const key = statusKey(status);
      let loader = pages.get(key);
      if (!loader) {
        loader = parentPagesLoader((ids, window) => findNotificationsOfCustomers(db, scope, ids, status, window));
        pages.set(key, loader);
      }
      return loader;
    },
    notificationCount: (status) => {
      const key = statusKey(status);
      let loader = counts.get(key);
      if (!loader) {
        loader = countLoader((ids) => countNotificationsOfCustomers(db, scope, ids, status));
        counts.set(key, loader);
      }
      return loader;
    },
    // the outcome of a task the caller could read: the task's scope was checked when it was read
    visitOutcome: new DataLoader(async (ids) => byKey(ids, await findVisitOutcomes(db, ids), (r) => r.task_id)),
  };
}
