import type { Identity } from '@crm/service-kit';
import { staff, startTestService, type TestService } from '@crm/service-kit/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DB } from '../src/db/schema.ts';
import { creditService } from '../src/service.ts';
import { given, riskOfficer } from './given.ts';

/**
 * Issue 10 (business date): the commands and queries that take "today" take the institution's
 * business date, not the wall clock's: a credit review's date check, the portfolio summary's
 * default date, a risk-class override's date. The business date is set well after the wall clock
 * (setBusinessDate, as a training environment would), so the wall clock would answer otherwise.
 */

const SET_DATE = `mutation($date: Date!) { setBusinessDate(input: { date: $date }) { businessDate { date } userErrors { field code } } }`;
const CLOSE_DAY = `mutation($date: Date!) { closeBusinessDay(input: { businessDate: $date }) { businessDate { date } userErrors { field code } } }`;
const REVIEW = `mutation($i: RecordCreditReviewInput!) { recordCreditReview(input: $i) { review { reviewedOn } userErrors { field code message } } }`;
const SUMMARY = `query($f: PortfolioFilter) { portfolioSummary(filter: $f) { asOf activeLoans } }`;
const OVERRIDE = `mutation($input: OverrideRiskClassInput!) { overrideRiskClass(input: $input) { userErrors { field code } } }`;
const HISTORY = `query($id: ID!) { loan(id: $id) { riskClassHistory { edges { node { asOf riskClass override } } } } }`;

describe('the business date, not the wall clock, in reviews, the portfolio summary and overrides', () => {
  let svc: TestService<DB>;
  let g: ReturnType<typeof given>;
  const gql = async <T>(query: string, variables: Record<string, unknown> = {}, as: Identity = staff.admin): Promise<T> => {
    const res = await svc.graphql<T>(query, variables, as);
    expect(res.errors).toBeUndefined();
    if (!res.data) throw new Error('no data');
    return res.data;
  };
  // years after the wall clock, whatever day the suite runs
  const year = new Date().getUTCFullYear() + 4;
  const day = (d: string) => `${year}-${d}`;

  beforeAll(async () => {
    svc = await startTestService(creditService, { label: 'credit_business_date_queries' });
    g = given(svc);
    await g.customer('c-bd');
    await g.product({ code: 'BD-M', graceDays: 0 });
  }, 120_000);
  afterAll(async () => {
    await svc?.stop();
  });

  it('checks a review date, dates the portfolio summary and an override by the business date', async () => {
    expect((await gql<{ setBusinessDate: unknown }>(SET_DATE, { date: day('01-10') })).setBusinessDate).toEqual({
      businessDate: { date: day('01-10') },
      userErrors: [],
    });
    const id = await g.activeLoan('c-bd', 'BD-M');

    // A review dated on the business date is accepted (the wall clock would call it future); the day after is not.
    const review = (reviewedOn: string) =>
      gql<{ recordCreditReview: { review: { reviewedOn: string } | null; userErrors: { field: string; code: string }[] } }>(REVIEW, {
        i: { loanId: id, reviewedOn, rating: 'SATISFACTORY', findings: 'Stock as declared', fundUseAsDeclared: true },
      });
    const onTheDay = await review(day('01-10'));
    expect(onTheDay.recordCreditReview).toEqual({ review: { reviewedOn: day('01-10') }, userErrors: [] });
    const after = await review(day('01-11'));
    expect(after.recordCreditReview.userErrors.map((e) => [e.field, e.code])).toEqual([['reviewedOn', 'DATE_IN_FUTURE']]);

    // Close of business runs end of day for the business date: the summary without a date is as of that run.
    const closed = await gql<{ closeBusinessDay: { userErrors: unknown[] } }>(CLOSE_DAY, { date: day('01-10') }, riskOfficer);
    expect(closed.closeBusinessDay.userErrors).toEqual([]);
    expect((await gql<{ portfolioSummary: unknown }>(SUMMARY, { f: { productCode: 'BD-M' } }, staff.analyst)).portfolioSummary).toEqual({
      asOf: day('01-10'),
      activeLoans: 1,
    });

    // An override is dated on the open business date (the 11th once the 10th is closed).
    const override = await gql<{ overrideRiskClass: { userErrors: unknown[] } }>(
      OVERRIDE,
      { input: { loanId: id, riskClass: 'SPECIAL_MENTION', reason: 'Market closed by the floods' } },
      riskOfficer,
    );
    expect(override.overrideRiskClass.userErrors).toEqual([]);
    const history = await gql<{ loan: { riskClassHistory: { edges: { node: { asOf: string; riskClass: string; override: boolean } }[] } } }>(HISTORY, {
      id,
    });
    expect(history.loan.riskClassHistory.edges.map((e) => e.node).filter((n) => n.override)).toEqual([
      { asOf: day('01-11'), riskClass: 'SPECIAL_MENTION', override: true },
    ]);
  });
});
