import { createEvent } from '@crm/events';
import { countStatements } from '@crm/service-kit';
import { startTestService, type TestService } from '@crm/service-kit/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DB } from '../src/db/schema.ts';
import { loyaltyService } from '../src/service.ts';

/**
 * Events at broker speed (issue 17): the SQL statements loyalty runs per CustomerRegistered,
 * alone and in a batch, with the programme's reference data (rules, tiers, settings) cached and
 * balances derived from what the handler inserts.
 */
const registered = (customerId: string, referralCode: string | null = null) => {
  const at = '2026-11-20T08:00:00.000Z';
  const event = createEvent('CustomerRegistered', {
    subject: customerId,
    time: new Date(at),
    data: {
      customerId,
      kind: 'INDIVIDUAL',
      displayName: `Member ${customerId}`,
      status: 'ACTIVE',
      branchId: 'BR-001',
      relationshipManagerId: null,
      birthDate: null,
      registeredAt: at,
      referralCode,
    },
  });
  return { topic: 'crm.customers.v1', key: customerId, value: JSON.stringify(event) };
};

describe('SQL statements per CustomerRegistered', () => {
  let svc: TestService<DB>;
  beforeAll(async () => {
    svc = await startTestService(loyaltyService);
    // Warm the per-process caches of the programme (as a running service has them).
    await svc.consumer.handle(registered('cust-warm'));
  }, 120_000);
  afterAll(async () => {
    await svc?.stop();
  });

  it('alone, and per event in a batch of 50: set-based, as many for 50 as for 10', async () => {
    const one = await countStatements(() => svc.consumer.handle(registered('cust-one')));
    const ten = await countStatements(() => svc.consumer.handleBatch(Array.from({ length: 10 }, (_, i) => registered(`cust-t${i}`))));
    const batch = Array.from({ length: 50 }, (_, i) => registered(`cust-b${i}`));
    const many = await countStatements(() => svc.consumer.handleBatch(batch));
    console.log(
      `statements per CustomerRegistered: ${one.statements} alone; ${many.statements} for a batch of 50 (${(many.statements / 50).toFixed(2)} per event), ${ten.statements} for 10`,
    );
    const accounts = await svc.db.selectFrom('loyalty_account').select('customer_id').where('customer_id', 'like', 'cust-b%').execute();
    expect(accounts).toHaveLength(50);
    expect(one.statements).toBeGreaterThan(0);
    // Inbox, accounts, ledger, referral codes read, sequences, account states, outbox (and the transaction's own): no statement per event.
    expect(many.statements).toBe(ten.statements);
    expect(many.statements).toBeLessThanOrEqual(12);
  });

  it('InstalmentPaid: a batch of 50 on-time instalments of 50 members, as many statements as 10', async () => {
    const paid = (customerId: string, n: number) => {
      const at = '2026-12-10T09:00:00.000Z';
      const event = createEvent('InstalmentPaid', {
        subject: customerId,
        time: new Date(at),
        data: {
          customerId,
          loanId: `L-${customerId}`,
          instalmentNumber: n,
          dueDate: '2026-12-10',
          paidOn: '2026-12-10',
          amountPaid: '2500.00',
          currency: 'KES',
          onTime: true,
          daysLate: 0,
          repaymentId: `R-${customerId}-${n}`,
          interestPaid: null,
        },
      });
      return { topic: 'crm.credit.v1', key: customerId, value: JSON.stringify(event) };
    };
    const ten = await countStatements(() => svc.consumer.handleBatch(Array.from({ length: 10 }, (_, i) => paid(`cust-b${i}`, 1))));
    const many = await countStatements(() => svc.consumer.handleBatch(Array.from({ length: 50 }, (_, i) => paid(`cust-b${i}`, 2))));
    console.log(
      `statements per InstalmentPaid: ${many.statements} for a batch of 50 (${(many.statements / 50).toFixed(2)} per event), ${ten.statements} for 10`,
    );
    const earned = await svc.db.selectFrom('points_entry').select('id').where('rule_code', '=', 'ON_TIME_INSTALMENT').execute();
    expect(earned).toHaveLength(60);
    expect(many.statements).toBe(ten.statements);
    expect(many.statements).toBeLessThanOrEqual(12);
  });
});
