import {
  byIds,
  countLoader,
  findReplicatedBusinessDate,
  groupedBy,
  isoDate,
  type ParentPages,
  parentPagesLoader,
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
import {
  countAssignmentsOfCustomers,
  countChangesOfCustomers,
  findAssignmentPagesOfCustomers,
  findAssignmentsOfCustomers,
  findChangesOfCustomers,
} from './db/history.store.ts';
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
    changesOfCustomer: ParentPages<CustomerChangeRow>;
    changeCount: DataLoader<string, number>;
    /** Every assignment of each customer (the deprecated `managerHistory` list). */
    assignmentsOfCustomer: DataLoader<string, ManagerAssignmentRow[]>;
    assignmentPagesOfCustomer: ParentPages<ManagerAssignmentRow>;
    assignmentCount: DataLoader<string, number>;
    /** Every snapshot of each customer (financialProfile takes the newest). */
    snapshotsOfCustomer: DataLoader<string, FinancialSnapshotRow[]>;
    /** The nested connections: one query per field (and arguments) per request, whatever the number of customers. */
    snapshotPagesOfCustomer: ParentPages<FinancialSnapshotRow>;
    snapshotCount: DataLoader<string, number>;
    consentsOfCustomer: DataLoader<string, ConsentRecordRow[]>;
    consentHistoryOfCustomer: ParentPages<ConsentRecordRow>;
    consentHistoryCount: DataLoader<string, number>;
    /** Per category asked for ('' for all). */
    documentsOfCustomer: (category: DocumentCategory | null) => ParentPages<CustomerDocumentRow>;
    documentCount: (category: DocumentCategory | null) => DataLoader<string, number>;
    /** Today's value score of each customer asked for, computed for all of them at once. */
    valueScore: DataLoader<CustomerRecord, ValueScore, string>;
    storedScoresOfCustomer: ParentPages<StoredValueScore>;
    storedScoreCount: DataLoader<string, number>;
    policy: () => Promise<CustomerPolicyRow>;
    gradeThresholds: () => Promise<GradeThresholdRow[]>;
  };
}

/** Groups rows by customer in the order asked (the shape DataLoader needs). */
function grouped<R extends { customer_id: string }>(fetch: (ids: readonly string[]) => Promise<R[]>) {
  return async (ids: readonly string[]): Promise<R[][]> => groupedBy(ids, await fetch(ids), (r) => r.customer_id);
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
    businessDate: () => findReplicatedBusinessDate(db),
    scope,
    loaders: {
      customer: new DataLoader(async (ids) => {
        const found = await findCustomersForCaller(db, scope, ids);
        return ids.map((id) => found.get(id) ?? null);
      }),
      segment: new DataLoader(async (ids) => byIds(ids, await findSegmentsByIds(db, ids))),
      changesOfCustomer: parentPagesLoader((ids, window) => findChangesOfCustomers(db, scope, ids, window)),
      changeCount: countLoader((ids) => countChangesOfCustomers(db, scope, ids)),
      assignmentsOfCustomer: new DataLoader(grouped((ids) => findAssignmentsOfCustomers(db, scope, ids))),
      assignmentPagesOfCustomer: parentPagesLoader((ids, window) => findAssignmentPagesOfCustomers(db, scope, ids, window)),
      assignmentCount: countLoader((ids) => countAssignmentsOfCustomers(db, scope, ids)),
      snapshotsOfCustomer: new DataLoader(grouped((ids) => findSnapshotsOfCustomers(db, scope, ids))),
      consentsOfCustomer: new DataLoader(grouped((ids) => findCurrentConsents(db, scope, ids))),
      snapshotPagesOfCustomer: parentPagesLoader((ids, window) => findSnapshotPagesOfCustomers(db, scope, ids, window)),
      snapshotCount: countLoader((ids) => countSnapshotsOfCustomers(db, scope, ids)),
      consentHistoryOfCustomer: parentPagesLoader((ids, window) => findConsentHistoryPages(db, scope, ids, window)),
      consentHistoryCount: countLoader((ids) => countConsentHistory(db, scope, ids)),
      documentsOfCustomer: perKey((category: DocumentCategory | null) =>
        parentPagesLoader((ids, window) => findDocumentPagesOfCustomers(db, scope, ids, category, window)),
      ),
      documentCount: perKey((category: DocumentCategory | null) => countLoader((ids) => countDocumentsOfCustomers(db, scope, ids, category))),
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
      storedScoresOfCustomer: parentPagesLoader((ids, window) => findStoredScoresOfCustomers(db, scope, ids, window)),
      storedScoreCount: countLoader((ids) => countStoredScoresOfCustomers(db, scope, ids)),
      policy: once(() => cachedPolicy(db)),
      gradeThresholds,
    },
  };
}
