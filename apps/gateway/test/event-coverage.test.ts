import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { catalogue, type EventName, type Producer } from '@crm/events';
import { subgraphSdl } from '@crm/service-kit';
import { Kind, parse } from 'graphql';
import { describe, expect, it } from 'vitest';

/**
 * Event coverage: every Mutation field of every subgraph either emits the events another team
 * could need (through the outbox, in the mutation's transaction) or is listed as internal on
 * purpose, with the reason.
 *
 * How it decides: statically. For each mutation the scan starts at its resolver,
 * `src/resolvers/Mutation/<kebab-name>.ts` (plus `via` files for job runs, which reach their job
 * through the service's job registry rather than an import), follows the relative value imports
 * inside the service's `src/` transitively, and collects the event names passed to the outbox
 * helpers: `emit(tx, 'Name', …)`, `createEvent('Name', …)` and `{ name: 'Name', … }` for
 * `emitMany`. Those helpers write to the outbox through the transaction they are given, and every
 * command runs in `runCommand`'s transaction, so "found in the code path" means "written in the
 * same transaction as the change". A static scan was chosen over running each mutation because
 * the four services' audit-coverage tests already run every mutation once against a database
 * (minutes of PGlite time on two cores); this check costs milliseconds, runs without a database
 * and sees branches a single happy-path run would miss (a rejected restructuring, a negative
 * adjustment). Its limit: it shows that a path can emit the event, not that a given run does.
 *
 * It fails when
 * - a Mutation field of a schema.graphql is missing from the table below (or listed but gone);
 * - an entry neither lists events nor gives a reason it is internal;
 * - a listed event is not in the catalogue, or belongs to another producer;
 * - a listed event is not found in the mutation's code path;
 * - the code path emits an event the entry does not list (an internal one emits nothing);
 * - a catalogue event is emitted nowhere in its producer's `src/`.
 */

type Coverage = { emits: EventName[]; via?: string[] } | { internal: string; via?: string[] };

const INTERNAL_CONFIG = 'configuration read only inside this service; its effects reach others as the events of the runs that apply it';

const coverage: Record<Producer, Record<string, Coverage>> = {
  customers: {
    registerCustomer: { emits: ['CustomerRegistered'] },
    updateCustomerProfile: { emits: ['CustomerProfileUpdated'] },
    markCustomerProfileReviewed: { internal: "a KYC review stamp (clears customers' own stale-profile flag); no other service keeps or uses it" },
    changeCustomerStatus: { emits: ['CustomerStatusChanged'] },
    assignRelationshipManager: { emits: ['RelationshipManagerAssigned'] },
    recordFinancialSnapshot: { emits: ['FinancialSnapshotRecorded'] },
    setCustomerConsent: { emits: ['ConsentChanged'] },
    setCustomerSpecialCare: { emits: ['SpecialCareChanged'] },
    addCustomerDocument: { emits: ['CustomerDocumentAdded'] },
    createCustomerSegment: { internal: 'segment definitions are rules evaluated by customers on its own data; no other service replicates segments' },
    updateCustomerSegment: { internal: 'segment definitions are rules evaluated by customers on its own data; no other service replicates segments' },
    deleteCustomerSegment: { internal: 'segment definitions are rules evaluated by customers on its own data; no other service replicates segments' },
    setCustomerGradeThresholds: { internal: `${INTERNAL_CONFIG} (CustomerGradeAtRisk, CustomerGradeChanged)` },
    updateCustomerPolicy: { internal: INTERNAL_CONFIG },
    runGradeEvaluation: { emits: ['CustomerGradeAtRisk', 'CustomerGradeChanged'], via: ['jobs/index.ts'] },
    runCustomersJob: { emits: ['CustomerGradeAtRisk', 'CustomerGradeChanged'], via: ['jobs/index.ts'] },
  },
  credit: {
    createLoanProduct: { internal: 'product terms are credit configuration; loans carry their product code in LoanApplied and LoanDisbursed' },
    applyForLoan: { emits: ['LoanApplied'] },
    approveLoan: { emits: ['LoanApproved'] },
    disburseLoan: { emits: ['LoanDisbursed'] },
    // A back-dated repayment re-evaluates the loan's delinquency as of the latest run.
    recordRepayment: { emits: ['RepaymentRecorded', 'InstalmentPaid', 'LoanClosed', 'DelinquencyBucketChanged', 'RiskClassChanged'] },
    reverseRepayment: { emits: ['RepaymentReversed', 'DelinquencyBucketChanged', 'RiskClassChanged'] },
    closeLoan: { emits: ['LoanClosed'] },
    writeOffLoan: { emits: ['LoanWrittenOff'] },
    runEndOfDay: {
      emits: ['InstalmentDue', 'InstalmentOverdue', 'DelinquencyBucketChanged', 'RiskClassChanged', 'RiskWarningRaised'],
      via: ['jobs/end-of-day.job.ts'],
    },
    runCreditJob: {
      emits: ['InstalmentDue', 'InstalmentOverdue', 'DelinquencyBucketChanged', 'RiskClassChanged', 'RiskWarningRaised', 'RiskWarningEscalated'],
      via: ['jobs/index.ts'],
    },
    overrideRiskClass: { emits: ['RiskClassChanged'] },
    setRiskClassThresholds: { internal: `${INTERNAL_CONFIG} (RiskClassChanged at end of day)` },
    updateRiskWarning: { emits: ['RiskWarningStatusChanged', 'RiskWarningEscalated'] },
    addCollateral: { emits: ['CollateralAdded'] },
    revalueCollateral: { emits: ['CollateralRevalued'] },
    addGuarantor: { emits: ['GuarantorAdded'] },
    recordCreditReview: { emits: ['CreditReviewRecorded', 'RiskWarningRaised'] },
    requestRestructuring: { emits: ['RestructuringRequested'] },
    decideRestructuring: { emits: ['LoanRestructured', 'RestructuringRejected'] },
    setIndustryWatchList: { internal: `${INTERNAL_CONFIG} (RiskWarningRaised for watched industries)` },
    updateRiskWarningRule: { internal: `${INTERNAL_CONFIG} (RiskWarningRaised)` },
    setApprovalPolicy: { internal: 'four-eyes limits checked inside credit when a loan is approved or written off' },
    // close of business is the end-of-day run for the open date (recorded as its job run), then the next date
    closeBusinessDay: {
      emits: ['InstalmentDue', 'InstalmentOverdue', 'DelinquencyBucketChanged', 'RiskClassChanged', 'RiskWarningRaised', 'BusinessDateChanged'],
      via: ['commands/evaluate-delinquency.ts'],
    },
    // the other services replicate the business date: their jobs may run up to it (issue 10)
    setBusinessDate: { emits: ['BusinessDateChanged'] },
    // crisis measures and warning outcomes (issue 15)
    declareCrisisMeasure: { emits: ['CrisisMeasureDeclared'] },
    decideCrisisMeasure: { emits: ['CrisisMeasureApplied', 'CrisisMeasureRejected', 'CrisisReliefGranted', 'LoanRestructured'] },
    recordRiskWarningOutcome: { emits: ['RiskWarningOutcomeRecorded'] },
    // due-reminder lead days per product (issue 15)
    setLoanProductReminderDays: { internal: `${INTERNAL_CONFIG} (InstalmentDue at end of day)` },
  },
  engagement: {
    logInteraction: { emits: ['InteractionLogged'] },
    createTask: { emits: ['TaskCreated'] },
    startTask: { emits: ['TaskStarted'] },
    completeTask: { emits: ['TaskCompleted'] },
    cancelTask: { emits: ['TaskCancelled'] },
    receiveComplaint: { emits: ['ComplaintReceived'] },
    changeComplaintStatus: { emits: ['ComplaintStatusChanged'] },
    resolveComplaint: { emits: ['ComplaintResolved', 'SurveyDispatched'] },
    defineSurvey: { internal: 'survey definitions (questions) are engagement configuration; dispatches and responses carry the survey id' },
    dispatchSurvey: { emits: ['SurveyDispatched'] },
    respondToSurvey: { emits: ['SurveyResponded', 'TaskCreated'] },
    defineCareHoliday: { internal: `${INTERNAL_CONFIG} (care greetings)` },
    markCareGreetingSent: { internal: "engagement's own care-greeting workflow (a pending greeting marked sent); no other service consumes greetings" },
    createCareEvent: { internal: "engagement's own care-event programme; no other service consumes care events" },
    inviteToCareEvent: { internal: "engagement's own care-event programme; no other service consumes care events" },
    recordCareEventAttendance: { internal: "engagement's own care-event programme; no other service consumes care events" },
    updateEngagementSettings: { internal: `${INTERNAL_CONFIG} (ChurnRiskChanged, ComplaintEscalated)` },
    runEngagementJob: {
      emits: ['ChurnRiskChanged', 'ComplaintEscalated', 'TaskCreated', 'NotificationStatusChanged', 'InteractionLogged', 'OfferMade', 'OfferWithdrawn'],
      via: ['jobs/index.ts'],
    },
    // notifications and visits and reviews by risk (issue 15); the dispatch and planning jobs are runEngagementJob's
    upsertNotificationTemplate: { internal: `${INTERNAL_CONFIG} (NotificationStatusChanged of the notifications queued with it)` },
    updateNotificationSettings: { internal: `${INTERNAL_CONFIG} (NotificationStatusChanged: deferred, suppressed, sent)` },
    // the whole table, replicated by credit for its review due dates (one source for the cadence)
    setMonitoringCadence: { emits: ['MonitoringCadenceChanged'] },
    recordVisitOutcome: { emits: ['TaskCompleted', 'VisitOutcomeRecorded'] },
    setBranchManager: { internal: "who manages a branch, read only by engagement's monitoring-plan run; the tasks it assigns are TaskCreated" },
    // service levels and contact rules (issue 15)
    setServiceLevel: { internal: `${INTERNAL_CONFIG} (TaskCreated with the priority and due time it set; ComplaintState with the SLA deadlines)` },
    setContactRules: { internal: `${INTERNAL_CONFIG} (contacts it refuses are not recorded; TaskCreated carries the due time it moved)` },
    // service centre (issue 15)
    createKnowledgeArticle: { internal: "the service centre's own knowledge base; enquiries answered from it carry the article id in EnquiryAnswered" },
    updateKnowledgeArticle: { internal: "the service centre's own knowledge base; enquiries answered from it carry the article id in EnquiryAnswered" },
    retireKnowledgeArticle: { internal: "the service centre's own knowledge base; enquiries answered from it carry the article id in EnquiryAnswered" },
    receiveEnquiry: { emits: ['EnquiryReceived'] },
    answerEnquiry: { emits: ['EnquiryAnswered'] },
    handOverEnquiry: { emits: ['LeadCreated'] },
    changeLeadStatus: { emits: ['LeadStatusChanged'] },
    openLeadComplaint: { emits: ['ComplaintReceived', 'LeadStatusChanged'] },
    // expert help (issue 15)
    registerExpert: { internal: "the internal expert directory (staff, not customers); consultations carry the expert's ids in their events" },
    updateExpert: { internal: "the internal expert directory (staff, not customers); consultations carry the expert's ids in their events" },
    setConsultationDueTime: { internal: `${INTERNAL_CONFIG} (ConsultationRequested carries the due time it gave)` },
    requestConsultation: { emits: ['ConsultationRequested'] },
    answerConsultation: { emits: ['ConsultationAnswered'] },
    cancelConsultation: { emits: ['ConsultationCancelled'] },
    // next-best offers and retention outcomes (issue 15)
    recordOfferOutcome: { emits: ['OfferOutcomeRecorded'] },
    upsertOfferRule: { internal: `${INTERNAL_CONFIG} (OfferMade, OfferWithdrawn by the NEXT_BEST_OFFERS run)` },
    recordRetentionOutcome: { emits: ['TaskCompleted', 'TaskOutcomeRecorded'] },
  },
  loyalty: {
    adjustPoints: { emits: ['PointsEarned', 'PointsDeducted'] },
    redeemReward: { emits: ['PointsRedeemed', 'RewardRedeemed'] },
    cancelRedemption: { emits: ['RedemptionCancelled'] },
    upsertReward: { internal: 'the reward catalogue is loyalty configuration; redemptions carry the reward id and kind' },
    upsertEarningRule: { internal: `${INTERNAL_CONFIG} (PointsEarned)` },
    // credit prices new loans with the tier's rate discount (issue 15): the terms of a tier are an event
    upsertLoyaltyTier: { emits: ['LoyaltyTierDefined'] },
    updateLoyaltySettings: { internal: `${INTERNAL_CONFIG} (PointsExpiring, PointsExpired)` },
    runLoyaltyJob: { emits: ['PointsExpiring', 'PointsExpired', 'TierChanged', 'TierDowngradeWarning', 'PointsEarned'], via: ['jobs/index.ts'] },
  },
};

const servicesDir = resolve(dirname(fileURLToPath(import.meta.url)), '../../../services');
const srcOf = (service: Producer) => resolve(servicesDir, service, 'src');

function mutationsOf(service: Producer): string[] {
  // schema.graphql and the area files of src/schema/ (extend type Mutation), as the runtime loads them
  const doc = parse(subgraphSdl(pathToFileURL(resolve(srcOf(service), 'schema.graphql'))));
  const names: string[] = [];
  for (const def of doc.definitions) {
    if ((def.kind === Kind.OBJECT_TYPE_DEFINITION || def.kind === Kind.OBJECT_TYPE_EXTENSION) && def.name.value === 'Mutation')
      names.push(...(def.fields ?? []).map((f) => f.name.value));
  }
  return names;
}

const kebab = (name: string) => name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

/** Relative value imports (and re-exports) of a file; `import type` carries no code. */
function importsOf(file: string): string[] {
  const src = readFileSync(file, 'utf8');
  const out: string[] = [];
  for (const m of src.matchAll(/^(?:import|export)\s+(?!type\s)[^;]*?\sfrom\s+'(\.{1,2}\/[^']+)'/gms)) {
    const target = resolve(dirname(file), m[1] ?? '');
    if (!target.includes('__generated__') && existsSync(target)) out.push(target);
  }
  return out;
}

function closure(entries: string[]): Set<string> {
  const seen = new Set<string>();
  const stack = [...entries];
  while (stack.length) {
    const file = stack.pop() as string;
    if (seen.has(file)) continue;
    seen.add(file);
    stack.push(...importsOf(file));
  }
  return seen;
}

/** Event names handed to the outbox helpers in these files. */
function emittedIn(files: Iterable<string>): Set<string> {
  const found = new Set<string>();
  for (const file of files) {
    const src = readFileSync(file, 'utf8');
    for (const m of src.matchAll(/(?:\bemit\(\s*\w+,\s*|\bcreateEvent\(\s*|\bname:\s*)'([A-Z][A-Za-z0-9]+)'/g)) {
      if (m[1] && m[1] in catalogue) found.add(m[1]);
    }
  }
  return found;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = resolve(dir, e.name);
    if (e.isDirectory()) return e.name === '__generated__' ? [] : sourceFiles(path);
    return e.name.endsWith('.ts') && !e.name.endsWith('.test.ts') ? [path] : [];
  });
}

describe('every state-changing mutation emits its events or is internal on purpose', () => {
  for (const service of Object.keys(coverage) as Producer[]) {
    const table = coverage[service];
    const src = srcOf(service);

    describe(service, () => {
      it('lists every Mutation field of schema.graphql, and only those', () => {
        expect(Object.keys(table).sort()).toEqual(mutationsOf(service).sort());
      });

      for (const [mutation, entry] of Object.entries(table)) {
        it(`${mutation}: ${'emits' in entry ? `emits ${entry.emits.join(', ')}` : 'internal on purpose'}`, () => {
          const resolver = resolve(src, 'resolvers/Mutation', `${kebab(mutation)}.ts`);
          expect(existsSync(resolver), `no resolver file ${relative(servicesDir, resolver)}`).toBe(true);
          const via = (entry.via ?? []).map((p) => resolve(src, p));
          for (const file of via) expect(existsSync(file), `no file ${relative(servicesDir, file)}`).toBe(true);
          const found = [...emittedIn(closure([resolver, ...via]))].sort();
          if ('emits' in entry) {
            expect(entry.emits.length, 'list the events, or give the reason it is internal').toBeGreaterThan(0);
            for (const name of entry.emits) {
              expect(catalogue[name], `${name} is not in the catalogue`).toBeDefined();
              expect(catalogue[name].producer, `${name} is produced by another service`).toBe(service);
            }
            expect(found, 'the events found in the code path are exactly the listed ones').toEqual([...new Set(entry.emits)].sort());
          } else {
            expect(entry.internal.trim().length, 'an internal mutation says why').toBeGreaterThan(10);
            expect(found, 'an internal mutation emits nothing: list its events instead').toEqual([]);
          }
        });
      }

      it("every catalogue event of this producer is emitted somewhere in the service's src", () => {
        const emitted = emittedIn(sourceFiles(src));
        // State records are written by the outbox itself, through the service's StateProjection
        // (src/events/state.ts), which must load each of them.
        const own = Object.values(catalogue).filter((d) => d.producer === service);
        expect(own.filter((d) => !('state' in d) && !emitted.has(d.name)).map((d) => d.name)).toEqual([]);
        const projection = readFileSync(resolve(src, 'events/state.ts'), 'utf8');
        expect(own.filter((d) => 'state' in d && !new RegExp(`\\b${d.name}: \\w+`).test(projection)).map((d) => d.name)).toEqual([]);
      });
    });
  }
});
