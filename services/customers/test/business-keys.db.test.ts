import { isoDate } from '@crm/service-kit';
import { startTestService, type TestService } from '@crm/service-kit/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DB } from '../src/db/schema.ts';
import { findValueInputs } from '../src/db/value.store.ts';
import { customersService } from '../src/service.ts';
import { deliver, given } from './given.ts';

const today = isoDate(new Date());

describe('the same fact under two event ids has one effect (business keys)', () => {
  let svc: TestService<DB>;
  let make: ReturnType<typeof given>;
  beforeAll(async () => {
    svc = await startTestService(customersService);
    make = given(svc);
  });
  afterAll(async () => {
    await svc?.stop();
  });

  async function inputsOf(customerId: string) {
    const customer = await svc.db.selectFrom('customer').select(['id', 'created_at']).where('id', '=', customerId).executeTakeFirstOrThrow();
    return (await findValueInputs(svc.db, [customer], today)).get(customerId);
  }
  const signalsOf = (customerId: string) =>
    svc.db.selectFrom('value_signal').select(['kind', 'label', 'business_key']).where('customer_id', '=', customerId).orderBy('business_key').execute();

  it('InstalmentPaid: the same loan, instalment, repayment and paid date under two event ids is one paid instalment', async () => {
    const id = await make.customer();
    const data = {
      loanId: 'loan-bk',
      customerId: id,
      instalmentNumber: 1,
      dueDate: today,
      paidOn: today,
      amountPaid: '550000.00',
      currency: 'XAF',
      onTime: true,
      daysLate: 0,
      repaymentId: 'loan-bk-r1',
      interestPaid: '50000.00',
      penaltyPaid: '0.00',
    };
    const first = await deliver(svc, 'InstalmentPaid', id, data);
    const second = await deliver(svc, 'InstalmentPaid', id, data);
    expect(second.id).not.toBe(first.id);
    expect(await signalsOf(id)).toEqual([{ kind: 'INSTALMENT_PAID', label: null, business_key: 'INSTALMENT_PAID:loan-bk:1:loan-bk-r1' }]);
    expect(await inputsOf(id)).toMatchObject({ interestPaidLast12Months: '50000.00', instalmentsPaid: 1, instalmentsPaidOnTime: 1 });
  });

  it('ComplaintReceived and ComplaintResolved: one complaint however many event ids carry it', async () => {
    const id = await make.customer();
    const received = {
      complaintId: 'complaint-bk',
      customerId: id,
      kind: 'COMPLAINT' as const,
      category: 'FEES',
      severity: 'HIGH' as const,
      channel: 'BRANCH',
      receivedAt: new Date().toISOString(),
    };
    await deliver(svc, 'ComplaintReceived', id, received);
    await deliver(svc, 'ComplaintReceived', id, received);
    expect(await inputsOf(id)).toMatchObject({ openComplaints: 1 });
    const resolved = {
      complaintId: 'complaint-bk',
      customerId: id,
      category: 'FEES',
      severity: 'HIGH' as const,
      resolvedAt: new Date().toISOString(),
      withinSla: true,
      compensation: null,
      currency: null,
    };
    await deliver(svc, 'ComplaintResolved', id, resolved);
    await deliver(svc, 'ComplaintResolved', id, resolved);
    expect(await inputsOf(id)).toMatchObject({ openComplaints: 0 });
    expect((await signalsOf(id)).map((s) => s.business_key)).toEqual(['COMPLAINT_RECEIVED:complaint-bk', 'COMPLAINT_RESOLVED:complaint-bk']);
  });

  it('SurveyResponded: one response, one NPS and one CSAT score', async () => {
    const id = await make.customer();
    const response = {
      responseId: 'response-bk',
      surveyId: 'survey-bk',
      dispatchId: 'dispatch-bk',
      customerId: id,
      npsScore: 10,
      csatScore: 2,
      trigger: null,
      respondedAt: new Date().toISOString(),
    };
    await deliver(svc, 'SurveyResponded', id, response);
    await deliver(svc, 'SurveyResponded', id, { ...response, npsScore: 0, csatScore: 1 }); // under another id: ignored
    expect(await signalsOf(id)).toEqual([
      { kind: 'SURVEY', label: 'CSAT', business_key: 'SURVEY:response-bk:CSAT' },
      { kind: 'SURVEY', label: 'NPS', business_key: 'SURVEY:response-bk:NPS' },
    ]);
    expect(await inputsOf(id)).toMatchObject({ averageNps: expect.stringMatching(/^10(\.0+)?$/), averageCsat: expect.stringMatching(/^2(\.0+)?$/) });
  });

  it('TierChanged and RepaymentReversed: the same change or reversal under two event ids counts once', async () => {
    const id = await make.customer();
    const tier = { accountId: 'acc-bk', customerId: id, previousTier: 'GOLD', tier: 'PLATINUM', direction: 'UP' as const, effectiveOn: today };
    await deliver(svc, 'TierChanged', id, tier);
    await deliver(svc, 'TierChanged', id, tier);
    const paid = (n: number, repaymentId: string) =>
      deliver(svc, 'InstalmentPaid', id, {
        loanId: 'loan-bk-rev',
        customerId: id,
        instalmentNumber: n,
        dueDate: today,
        paidOn: today,
        amountPaid: '550000.00',
        currency: 'XAF',
        onTime: true,
        daysLate: 0,
        repaymentId,
        interestPaid: '50000.00',
        penaltyPaid: '0.00',
      });
    await paid(1, 'rev-r1');
    await paid(2, 'rev-r2');
    const reversal = {
      loanId: 'loan-bk-rev',
      customerId: id,
      repaymentId: 'rev-r2',
      amount: '550000.00',
      currency: 'XAF',
      instalmentNumbers: [2],
      reversedAt: new Date().toISOString(),
    };
    await deliver(svc, 'RepaymentReversed', id, reversal);
    expect(await inputsOf(id)).toMatchObject({ instalmentsPaid: 1, loyaltyTier: 'PLATINUM' });
    // Paid again by a new repayment (a new fact), then the old reversal under another event id: nothing undone.
    await paid(2, 'rev-r3');
    await deliver(svc, 'RepaymentReversed', id, reversal);
    expect(await inputsOf(id)).toMatchObject({ instalmentsPaid: 2, interestPaidLast12Months: '100000.00' });
    const kinds = (await signalsOf(id)).map((s) => s.kind);
    expect(kinds.filter((k) => k === 'TIER')).toHaveLength(1);
    expect(kinds.filter((k) => k === 'REPAYMENT_REVERSED')).toHaveLength(1);
  });
});
