import { definitionOfType } from '@crm/events';
import type { Identity } from '@crm/service-kit';
import { staff, startTestService, type TestService } from '@crm/service-kit/testing';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { DB } from '../src/db/schema.ts';
import { creditService } from '../src/service.ts';
import { given, manager, riskOfficer } from './given.ts';

/**
 * Risk-warning outcomes (issue 15, "did it work"): recorded once on a resolved warning, with
 * whether it was resolved before its loan went more than 30 days past due, and the creditKpi
 * metric WARNINGS_RESOLVED_BEFORE_30_DPD computed from the same SQL.
 */

const managerBr2: Identity = { userId: 'bm-2', roles: ['branch_manager'], branchId: 'BR-002' };
const REVIEW = `mutation($i: RecordCreditReviewInput!) { recordCreditReview(input: $i) { userErrors { code } } }`;
const UPDATE = `mutation($i: UpdateRiskWarningInput!) { updateRiskWarning(input: $i) { userErrors { code } } }`;
const OUTCOME = `mutation($i: RecordRiskWarningOutcomeInput!) { recordRiskWarningOutcome(input: $i) {
  warning { id status outcome outcomeRecordedBy resolvedBefore30Dpd } userErrors { field code message } } }`;
const KPI = `query($g: [KpiDimension!]) { creditKpi(metric: WARNINGS_RESOLVED_BEFORE_30_DPD, groupBy: $g, from: "2026-03-01", to: "2026-03-31") {
  group { dimension value } numerator denominator value } }`;

type OutcomePayload = {
  recordRiskWarningOutcome: {
    warning: { id: string; status: string; outcome: string | null; outcomeRecordedBy: string | null; resolvedBefore30Dpd: boolean | null } | null;
    userErrors: { field: string | null; code: string; message: string }[];
  };
};

describe('risk-warning outcomes', () => {
  let svc: TestService<DB>;
  let g: ReturnType<typeof given>;
  const warnings = { cured: '', overdue: '', open: '', falseAlarm: '' };

  const warningOf = async (loanId: string) =>
    (await svc.db.selectFrom('risk_warning').select('id').where('loan_id', '=', loanId).where('rule_code', '=', 'FUND_USE_DEVIATION').executeTakeFirstOrThrow())
      .id;
  const review = async (loanId: string) => {
    const res = await svc.graphql<{ recordCreditReview: { userErrors: unknown[] } }>(
      REVIEW,
      { i: { loanId, reviewedOn: '2026-03-01', rating: 'WATCH', findings: 'Stock not bought', fundUseAsDeclared: false } },
      staff.officer,
    );
    expect(res.data?.recordCreditReview.userErrors).toEqual([]);
    return warningOf(loanId);
  };
  const resolve = async (warningId: string) => {
    const res = await svc.graphql<{ updateRiskWarning: { userErrors: unknown[] } }>(
      UPDATE,
      { i: { warningId, action: 'RESOLVE', note: 'Visited, sorted' } },
      staff.officer,
    );
    expect(res.data?.updateRiskWarning.userErrors).toEqual([]);
  };
  const outcome = (warningId: string, value: string, as: Identity = staff.officer) =>
    svc.graphql<OutcomePayload>(OUTCOME, { i: { warningId, outcome: value } }, as);

  beforeAll(async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2026-01-10T09:00:00Z'));
    svc = await startTestService(creditService, { label: 'credit_warning_outcomes' });
    g = given(svc);
    await g.customer('wo-1');
    await g.product({ code: 'WO-M' });
    // one loan already late (due 10 Feb, never paid), three current ones
    const late = await g.activeLoan('wo-1', 'WO-M', {}, '2026-01-10');
    vi.setSystemTime(new Date('2026-03-01T09:00:00Z'));
    const cured = await g.activeLoan('wo-1', 'WO-M', {}, '2026-03-01');
    const open = await g.activeLoan('wo-1', 'WO-M', {}, '2026-03-01');
    const falseAlarm = await g.activeLoan('wo-1', 'WO-M', {}, '2026-03-01');
    warnings.cured = await review(cured);
    warnings.overdue = await review(late);
    warnings.open = await review(open);
    warnings.falseAlarm = await review(falseAlarm);
  });
  afterAll(async () => {
    await svc?.stop();
    vi.useRealTimers();
  });

  it('records the outcome of a resolved warning once, with a clear error otherwise, audited and as an event', async () => {
    vi.setSystemTime(new Date('2026-03-02T09:00:00Z'));
    const early = await outcome(warnings.cured, 'CURED');
    expect(early.data?.recordRiskWarningOutcome).toEqual({
      warning: null,
      userErrors: [expect.objectContaining({ field: 'warningId', code: 'WARNING_NOT_RESOLVED' })],
    });
    await resolve(warnings.cured);
    const recorded = await outcome(warnings.cured, 'CURED');
    expect(recorded.data?.recordRiskWarningOutcome).toEqual({
      warning: { id: warnings.cured, status: 'RESOLVED', outcome: 'CURED', outcomeRecordedBy: staff.officer.userId, resolvedBefore30Dpd: true },
      userErrors: [],
    });
    const again = await outcome(warnings.cured, 'RECOVERY');
    expect(again.data?.recordRiskWarningOutcome.userErrors.map((e) => e.code)).toEqual(['OUTCOME_ALREADY_RECORDED']);
    expect((await svc.db.selectFrom('risk_warning').select('outcome').where('id', '=', warnings.cured).executeTakeFirstOrThrow()).outcome).toBe('CURED');
    // another branch: FORBIDDEN, nothing written
    await resolve(warnings.falseAlarm);
    const outside = await outcome(warnings.falseAlarm, 'FALSE_ALARM', managerBr2);
    expect(outside.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect((await svc.db.selectFrom('risk_warning').select('outcome').where('id', '=', warnings.falseAlarm).executeTakeFirstOrThrow()).outcome).toBeNull();
    expect((await outcome(warnings.falseAlarm, 'FALSE_ALARM', manager)).data?.recordRiskWarningOutcome.userErrors).toEqual([]);

    const events = (
      await svc.db.selectFrom('event_outbox').select(['type', 'event']).where('type', '=', 'crm.credit.RiskWarningOutcomeRecorded.v1').orderBy('seq').execute()
    )
      .filter((r) => !definitionOfType(r.type)?.state)
      .map((r) => (typeof r.event === 'string' ? JSON.parse(r.event) : r.event).data);
    expect(events.map((e: { warningId: string; outcome: string; resolvedBefore30Dpd: boolean }) => [e.warningId, e.outcome, e.resolvedBefore30Dpd])).toEqual([
      [warnings.cured, 'CURED', true],
      [warnings.falseAlarm, 'FALSE_ALARM', true],
    ]);
    const audit = await svc.db
      .selectFrom('audit_log')
      .select(['outcome', 'entity_id'])
      .where('action', '=', 'recordRiskWarningOutcome')
      .orderBy('seq')
      .execute();
    expect(audit.map((a) => a.outcome)).toEqual(['REJECTED', 'SUCCEEDED', 'REJECTED', 'FORBIDDEN', 'SUCCEEDED']);
  });

  it('reports the share of warnings resolved before 30 days past due (creditKpi), from the same rule', async () => {
    // End of day 15 March: the late loan is 33 days past due (its own run warnings are raised past 30: not counted)
    vi.setSystemTime(new Date('2026-03-16T09:00:00Z'));
    const eod = await svc.graphql<{ runEndOfDay: { warningsRaised: number } }>(
      `mutation { runEndOfDay(input: { asOf: "2026-03-15" }) { warningsRaised } }`,
      {},
      riskOfficer,
    );
    expect(eod.data?.runEndOfDay.warningsRaised).toBeGreaterThan(0);
    // known: the cured one (in time) and the late loan's review warning (its loan went past 30 days while open);
    // the open one on a current loan is not known yet; the false alarm does not count
    const kpi = await svc.graphql<{ creditKpi: { group: unknown[]; numerator: string; denominator: string; value: string }[] }>(KPI, {}, riskOfficer);
    expect(kpi.errors).toBeUndefined();
    expect(kpi.data?.creditKpi).toEqual([{ group: [], numerator: '1', denominator: '2', value: '0.5' }]);
    // resolved late, its outcome says so
    await resolve(warnings.overdue);
    const late = await outcome(warnings.overdue, 'RESTRUCTURED');
    expect(late.data?.recordRiskWarningOutcome.warning).toMatchObject({ outcome: 'RESTRUCTURED', resolvedBefore30Dpd: false });
    const after = await svc.graphql<{ creditKpi: { group: { dimension: string; value: string }[]; numerator: string; denominator: string }[] }>(
      KPI,
      { g: ['MONTH'] },
      riskOfficer,
    );
    expect(after.data?.creditKpi).toEqual([{ group: [{ dimension: 'MONTH', value: '2026-03' }], numerator: '1', denominator: '2', value: '0.5' }]);
    // a branch outside the caller's scope counts nothing
    const br2 = await svc.graphql<{ creditKpi: unknown[] }>(KPI, {}, managerBr2);
    expect(br2.data?.creditKpi).toEqual([{ group: [], numerator: '0', denominator: '0', value: null }]);
  });
});
