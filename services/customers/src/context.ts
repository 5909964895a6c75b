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
import { countConsentHistory, findConsentHistoryPages, findCurrentConsents } from './db/consent.store.ts';
import { type CustomerRecord, findCustomersForCaller } from './db/customer.store.ts';
import { countDocumentsOfCustomers, findDocumentPagesOfCustomers } from './db/document.store.ts';
import { countSnapshotsOfCustomers, findSnapshotPagesOfCustomers, findSnapshotsOfCustomers } from './db/financial.store.ts';
import { countStoredScoresOfCustomers, findStoredScoresOfCustomers, type StoredValueScore } from './db/grade.store.ts';
import { findAssignmentsOfCustomers, findChangesOfCustomers } from './db/history.store.ts';
import { cachedGradeThresholds, cachedPolicy } from './db/policy.cache.ts';
import type {
  ConsentRecordRow,
  CustomerChangeRow,
  CustomerDocumentRow,
  CustomerPolicyRow,
  DB,
  DocumentCategory,
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
    /** Every snapshot of each customer (financialProfile takes the newest). */
    snapshotsOfCustomer: DataLoader<string, FinancialSnapshotRow[]>;
    /** The nested connections: one query per field (and arguments) per request, whatever the number of customers. */
    snapshotPagesOfCustomer: ReturnType<typeof createPagedLoader<FinancialSnapshotRow>>;
    snapshotCount: DataLoader<string, number>;
    consentsOfCustomer: DataLoader<string, ConsentRecordRow[]>;
    consentHistoryOfCustomer: ReturnType<typeof createPagedLoader<ConsentRecordRow>>;
    consentHistoryCount: DataLoader<string, number>;
    /** Per category asked for ('' for all). */
    documentsOfCustomer: (category: DocumentCategory | null) => ReturnType<typeof createPagedLoader<CustomerDocumentRow>>;
    documentCount: (category: DocumentCategory | null) => DataLoader<string, number>;
    /** Today's value score of each customer asked for, computed for all of them at once. */
    valueScore: DataLoader<CustomerRecord, ValueScore, string>;
    storedScoresOfCustomer: ReturnType<typeof createPagedLoader<StoredValueScore>>;
    storedScoreCount: DataLoader<string, number>;
    policy: () => Promise<CustomerPolicyRow>;
    gradeThresholds: () => Promise<GradeThresholdRow[]>;
  };
}

/** Groups rows by customer in the order asked (the shape DataLoader needs). */
function grouped<R extends { customer_id: string }>(fetch: (ids: readonly string[]) => Promise<R[]>) {
  return async (ids: readonly string[]): Promise<R[][]> => groupedBy(ids, await fetch(ids), (r) => r.customer_id);
}

/** Counts per customer in the order asked, 0 where none (one grouped count query per batch). */
function counted(count: (ids: readonly string[]) => Promise<Map<string, number>>) {
  return new DataLoader<string, number>(async (ids) => {
    const counts = await count(ids);
    return ids.map((id) => counts.get(id) ?? 0);
  });
}

/** One value per key, made on first use (a loader per argument value). */
function perKey<K, V>(make: (key: K) => V): (key: K) => V {
  const made = new Map<K, V>();
  return (key) => {
    let value = made.get(key);
    if (value === undefined) {
      value = make(key);
      made.set(key, value);
    }
    return value;
  };
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
      snapshotPagesOfCustomer: createPagedLoader(
        (ids, window) => findSnapshotPagesOfCustomers(db, scope, ids, window),
        (r) => r.customer_id,
      ),
      snapshotCount: counted((ids) => countSnapshotsOfCustomers(db, scope, ids)),
      consentHistoryOfCustomer: createPagedLoader(
        (ids, window) => findConsentHistoryPages(db, scope, ids, window),
        (r) => r.customer_id,
      ),
      consentHistoryCount: counted((ids) => countConsentHistory(db, scope, ids)),
      documentsOfCustomer: perKey((category: DocumentCategory | null) =>
        createPagedLoader(
          (ids, window) => findDocumentPagesOfCustomers(db, scope, ids, category, window),
          (r) => r.customer_id,
        ),
      ),
      documentCount: perKey((category: DocumentCategory | null) => counted((ids) => countDocumentsOfCustomers(db, scope, ids, category))),
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
        (ids, window) => findStoredScoresOfCustomers(db, scope, ids, window),
        (r) => r.customer_id,
      ),
      storedScoreCount: counted((ids) => countStoredScoresOfCustomers(db, scope, ids)),
      policy: once(() => cachedPolicy(db)),
      gradeThresholds,
    },
  };
}
