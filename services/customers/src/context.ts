import {
  byIds,
  createPagedLoader,
  groupedBy,
  isoDate,
  type RequestContext,
  type Scope,
  type ServiceContext,
  type ServiceDeps,
  scopeOf,
  serviceContext,
} from '@crm/service-kit';
import DataLoader from 'dataloader';
import { findConsentHistory, findCurrentConsents } from './db/consent.store.ts';
import { type CustomerRecord, findCustomersForCaller } from './db/customer.store.ts';
import { findDocumentsOfCustomers } from './db/document.store.ts';
import { findSnapshotsOfCustomers } from './db/financial.store.ts';
import { findStoredScoresOfCustomers, type StoredValueScore } from './db/grade.store.ts';
import { findAssignmentsOfCustomers, findChangesOfCustomers } from './db/history.store.ts';
import { cachedGradeThresholds, cachedPolicy } from './db/policy.cache.ts';
import type {
  ConsentRecordRow,
  CustomerChangeRow,
  CustomerDocumentRow,
  CustomerPolicyRow,
  DB,
  FinancialSnapshotRow,
  GradeThresholdRow,
  ManagerAssignmentRow,
  SegmentRow,
} from './db/schema.ts';
import { findSegmentsByIds } from './db/segment.store.ts';
import { findValueInputs } from './db/value.store.ts';
import { computeValueScore, type ValueScore } from './domain/value-score.ts';

/** What every customers resolver receives. */
export interface CustomersContext extends ServiceContext<DB> {
  /** Which customers the caller may see and act on (every store query of customer data takes it). */
  scope: Scope;
  loaders: {
    /** Batches every customer looked up in one request into one query; FORBIDDEN outside the caller's scope. */
    customer: DataLoader<string, CustomerRecord | null>;
    segment: DataLoader<string, SegmentRow | null>;
    changesOfCustomer: ReturnType<typeof createPagedLoader<CustomerChangeRow>>;
    assignmentsOfCustomer: DataLoader<string, ManagerAssignmentRow[]>;
    snapshotsOfCustomer: DataLoader<string, FinancialSnapshotRow[]>;
    consentsOfCustomer: DataLoader<string, ConsentRecordRow[]>;
    consentHistoryOfCustomer: DataLoader<string, ConsentRecordRow[]>;
    documentsOfCustomer: DataLoader<string, CustomerDocumentRow[]>;
    /** Today's value score of each customer asked for, computed for all of them at once. */
    valueScore: DataLoader<CustomerRecord, ValueScore, string>;
    storedScoresOfCustomer: ReturnType<typeof createPagedLoader<StoredValueScore>>;
    policy: () => Promise<CustomerPolicyRow>;
    gradeThresholds: () => Promise<GradeThresholdRow[]>;
  };
}

/** Groups rows by customer in the order asked (the shape DataLoader needs). */
function grouped<R extends { customer_id: string }>(fetch: (ids: readonly string[]) => Promise<R[]>) {
  return async (ids: readonly string[]): Promise<R[][]> => groupedBy(ids, await fetch(ids), (r) => r.customer_id);
}

function once<T>(load: () => Promise<T>): () => Promise<T> {
  let value: Promise<T> | undefined;
  return () => {
    value ??= load();
    return value;
  };
}

export function createContext(base: RequestContext, deps: ServiceDeps<DB>): CustomersContext {
  const { db } = deps;
  const context = serviceContext(base, deps);
  // No identity: nothing is in scope (the access layer refuses such calls before any resolver).
  const scope: Scope = base.identity ? scopeOf(base.identity) : { kind: 'branch', branchId: null, managerId: null };
  // Cached per process (db/policy.cache.ts); once() keeps one answer for the whole request.
  const gradeThresholds = once(() => cachedGradeThresholds(db));
  return {
    ...context,
    scope,
    loaders: {
      customer: new DataLoader(async (ids) => {
        const found = await findCustomersForCaller(db, scope, ids);
        return ids.map((id) => found.get(id) ?? null);
      }),
      segment: new DataLoader(async (ids) => byIds(ids, await findSegmentsByIds(db, ids))),
      changesOfCustomer: createPagedLoader(
        (ids, window) => findChangesOfCustomers(db, scope, ids, window),
        (r) => r.customer_id,
      ),
      assignmentsOfCustomer: new DataLoader(grouped((ids) => findAssignmentsOfCustomers(db, scope, ids))),
      snapshotsOfCustomer: new DataLoader(grouped((ids) => findSnapshotsOfCustomers(db, scope, ids))),
      consentsOfCustomer: new DataLoader(grouped((ids) => findCurrentConsents(db, scope, ids))),
      consentHistoryOfCustomer: new DataLoader(grouped((ids) => findConsentHistory(db, scope, ids))),
      documentsOfCustomer: new DataLoader(grouped((ids) => findDocumentsOfCustomers(db, scope, ids))),
      valueScore: new DataLoader(
        async (customers) => {
          const asOf = isoDate(context.now());
          const thresholds = (await gradeThresholds()).map((t) => ({ grade: t.grade, minScore: t.min_score }));
          const inputs = await findValueInputs(db, customers, asOf);
          return customers.map((c) => {
            const i = inputs.get(c.id);
            return i ? computeValueScore(i, asOf, thresholds) : new Error(`no value inputs for ${c.id}`);
          });
        },
        { cacheKeyFn: (c) => c.id },
      ),
      storedScoresOfCustomer: createPagedLoader(
        (ids, window) => findStoredScoresOfCustomers(db, scope, ids, window.limit),
        (r) => r.customer_id,
      ),
      policy: once(() => cachedPolicy(db)),
      gradeThresholds,
    },
  };
}
