import { isoDate } from '@crm/service-kit';
import { startTestService, type TestService } from '@crm/service-kit/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reverseRepaymentSignals } from '../src/commands/reverse-repayment-signals.ts';
import type { DB } from '../src/db/schema.ts';
import { findValueInputs } from '../src/db/value.store.ts';
import { customersService } from '../src/service.ts';
import { deliver, given, send } from './given.ts';

const today = isoDate(new Date());

describe('a reversed repayment undoes its effect on the value score inputs', () => {
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
  const disbursed = (customerId: string, loanId: string) =>
    deliver(svc, 'LoanDisbursed', customerId, {
      loanId,
      customerId,
      productCode: 'MICRO',
      principal: '1000000.00',
      currency: 'XAF',
      disbursedOn: today,
      firstDueDate: today,
      instalmentCount: 2,
      officerId: 'officer-7',
      loanCycle: 1,
    });
  const paid = (customerId: string, loanId: string, n: number, split: { interestPaid: string; penaltyPaid: string }) =>
    deliver(svc, 'InstalmentPaid', customerId, {
      loanId,
      customerId,
      instalmentNumber: n,
      dueDate: today,
      paidOn: today,
      amountPaid: '550000.00',
      currency: 'XAF',
      onTime: true,
      daysLate: 0,
      repaymentId: `${loanId}-r${n}`,
      ...split,
    });
  const reversed = (customerId: string, loanId: string, instalmentNumbers: number[], loanReopened: boolean) =>
    deliver(svc, 'RepaymentReversed', customerId, {
      loanId,
      customerId,
      repaymentId: `${loanId}-r2`,
      amount: '550000.00',
      currency: 'XAF',
      instalmentNumbers,
      reversedAt: new Date().toISOString(),
      paidOn: today,
      reason: 'cheque bounced',
      principalUnpaid: '500000.00',
      interestUnpaid: '45000.00',
      penaltyUnpaid: '5000.00',
      loanReopened,
    });

  it('InstalmentPaid twice then RepaymentReversed of one instalment leaves the inputs of one InstalmentPaid; a redelivery changes nothing', async () => {
    const once = await make.customer();
    await disbursed(once, 'loan-once');
    await paid(once, 'loan-once', 1, { interestPaid: '50000.00', penaltyPaid: '0.00' });

    const twice = await make.customer();
    await disbursed(twice, 'loan-twice');
    await paid(twice, 'loan-twice', 1, { interestPaid: '50000.00', penaltyPaid: '0.00' });
    await paid(twice, 'loan-twice', 2, { interestPaid: '45000.00', penaltyPaid: '5000.00' });
    expect(await inputsOf(twice)).toMatchObject({ interestPaidLast12Months: '95000.00', instalmentsPaid: 2, instalmentsPaidOnTime: 2 });

    const reversal = await reversed(twice, 'loan-twice', [2], false);
    const expected = await inputsOf(once);
    expect(expected).toMatchObject({ interestPaidLast12Months: '50000.00', penaltyPaidLast12Months: '0.00', instalmentsPaid: 1, instalmentsPaidOnTime: 1 });
    expect(await inputsOf(twice)).toEqual(expected);

    await send(svc, reversal);
    expect(await inputsOf(twice)).toEqual(expected);
    // Past the inbox too (a replay from the dead-letter topic into a fresh inbox): the event id keys the effect.
    const again = await svc.db.transaction().execute((tx) =>
      reverseRepaymentSignals(tx, {
        sourceEventId: reversal.id,
        customerId: twice,
        loanId: 'loan-twice',
        repaymentId: 'loan-twice-r2',
        amount: '550000.00',
        instalmentNumbers: [2],
        reversedOn: today,
        loanReopened: false,
      }),
    );
    expect(again).toBeNull();
    expect(await inputsOf(twice)).toEqual(expected);

    // Paid again later: credit's new InstalmentPaid counts afresh.
    await paid(twice, 'loan-twice', 2, { interestPaid: '45000.00', penaltyPaid: '5000.00' });
    expect(await inputsOf(twice)).toMatchObject({ interestPaidLast12Months: '95000.00', penaltyPaidLast12Months: '5000.00', instalmentsPaid: 2 });
  });

  it('a reversal that reopens a closed loan brings its balance and product back', async () => {
    const id = await make.customer();
    await disbursed(id, 'loan-reopened');
    const open = await inputsOf(id);
    expect(open).toMatchObject({ outstandingPrincipal: '1000000.00', activeLoans: 1 });
    await paid(id, 'loan-reopened', 1, { interestPaid: '50000.00', penaltyPaid: '0.00' });
    await paid(id, 'loan-reopened', 2, { interestPaid: '45000.00', penaltyPaid: '5000.00' });
    await deliver(svc, 'LoanClosed', id, {
      loanId: 'loan-reopened',
      customerId: id,
      closedOn: today,
      principal: '1000000.00',
      currency: 'XAF',
      repaidOnTimeInFull: true,
    });
    expect(await inputsOf(id)).toMatchObject({ outstandingPrincipal: '0', activeLoans: 0 });

    const reversal = await reversed(id, 'loan-reopened', [2], true);
    const after = await inputsOf(id);
    expect(after).toMatchObject({
      outstandingPrincipal: '1000000.00',
      activeLoans: 1,
      interestPaidLast12Months: '50000.00',
      penaltyPaidLast12Months: '0.00',
      instalmentsPaid: 1,
      instalmentsPaidOnTime: 1,
    });
    await send(svc, reversal);
    expect(await inputsOf(id)).toEqual(after);
  });
});
