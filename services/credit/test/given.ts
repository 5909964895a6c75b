import { createEvent, definitionOfType } from '@crm/events';
import type { Identity } from '@crm/service-kit';
import { staff, type TestService } from '@crm/service-kit/testing';
import { v7 as uuidv7 } from 'uuid';
import { expect } from 'vitest';
import type { DB, LoanRow } from '../src/db/schema.ts';
import type { LoanStatus } from '../src/domain/loans.ts';
import { Money } from '../src/domain/money.ts';

export const riskOfficer: Identity = { userId: 'risk-1', roles: ['risk_officer'], branchId: 'BR-001' };
export const manager: Identity = { userId: 'bm-1', roles: ['branch_manager'], branchId: 'BR-001' };

const PRODUCT = `mutation($input: CreateLoanProductInput!) { createLoanProduct(input: $input) { product { id code dayCount } userErrors { field code message } } }`;
const APPLY = `mutation($input: ApplyForLoanInput!) { applyForLoan(input: $input) { loan { id status } userErrors { field code message } } }`;
const APPROVE = `mutation($input: ApproveLoanInput!) { approveLoan(input: $input) { loan { id status } userErrors { field code message } } }`;
const DISBURSE = `mutation($input: DisburseLoanInput!) { disburseLoan(input: $input) { loan { id status } userErrors { field code message } } }`;
export const REPAY = `mutation($input: RecordRepaymentInput!) { recordRepayment(input: $input) {
  repayment { id amount { amount currency } penaltyPaid interestPaid principalPaid prepaidPrincipal paidOn externalReference }
  loan { id status }
  userErrors { field code message } } }`;

export interface UserErrorShape {
  field: string | null;
  code: string;
  message: string;
}

export const productInput = (over: Record<string, unknown> = {}) => ({
  code: 'MICRO-M',
  name: 'Micro business, monthly',
  type: 'MICRO_BUSINESS',
  currency: 'USD',
  minPrincipal: '100.00',
  maxPrincipal: '50000.00',
  minRate: '0.05',
  maxRate: '0.36',
  minTerm: 3,
  maxTerm: 36,
  frequency: 'MONTHLY',
  amortisation: 'EQUAL_INSTALMENT',
  penaltyRate: '0.365',
  graceDays: 3,
  overpaymentPolicy: 'REFUSE',
  ...over,
});

/** One instalment of a stored loan, with the payments allocated to it (principal and interest, by date). */
export interface StoredInstalment {
  dueDate: string;
  principal: string;
  interest: string;
  payments?: { paidOn: string; principal: string; interest: string }[];
}

/** A loan as the database holds it; every field has a default. */
export interface StoredLoan {
  id?: string;
  customerId?: string;
  status?: LoanStatus;
  productCode?: string;
  currency?: string;
  principal?: string;
  annualRate?: string;
  termMonths?: number;
  officerId?: string;
  penaltyRate?: string;
  graceDays?: number;
  /** Product penalty cap (share of the overdue amount) and rounding mode: null / HALF_UP by default. */
  penaltyCapRate?: string | null;
  roundingMode?: 'HALF_UP' | 'HALF_EVEN';
  disbursedOn?: string | null;
  instalments?: StoredInstalment[];
}

/** Fixture builders: each creates through the API (or the event a real producer sends) and returns what it made. */
export function given(svc: TestService<DB>) {
  return {
    async customer(id: string, over: { industry?: string | null; branchId?: string } = {}) {
      const event = createEvent('CustomerRegistered', {
        subject: id,
        data: {
          customerId: id,
          kind: 'ENTERPRISE',
          displayName: `Customer ${id}`,
          status: 'ACTIVE',
          branchId: over.branchId ?? 'BR-001',
          relationshipManagerId: 'officer-1',
          birthDate: null,
          registeredAt: '2025-01-01T00:00:00.000Z',
          industry: over.industry ?? null,
        },
      });
      await svc.consumer.handle({ topic: 'crm.customers.v1', key: id, value: JSON.stringify(event) });
      return id;
    },
    async product(over: Record<string, unknown> = {}) {
      const res = await svc.graphql<{ createLoanProduct: { product: { id: string; code: string } | null; userErrors: UserErrorShape[] } }>(
        PRODUCT,
        { input: productInput(over) },
        staff.admin,
      );
      expect(res.errors).toBeUndefined();
      expect(res.data?.createLoanProduct.userErrors).toEqual([]);
      const p = res.data?.createLoanProduct.product;
      if (!p) throw new Error('no product');
      return p;
    },
    async apply(input: Record<string, unknown>) {
      const res = await svc.graphql<{ applyForLoan: { loan: { id: string; status: string } | null; userErrors: UserErrorShape[] } }>(
        APPLY,
        { input },
        staff.officer,
      );
      expect(res.errors).toBeUndefined();
      return res.data?.applyForLoan ?? { loan: null, userErrors: [] };
    },
    async approve(loanId: string) {
      const res = await svc.graphql<{ approveLoan: { userErrors: UserErrorShape[] } }>(APPROVE, { input: { loanId } }, manager);
      expect(res.data?.approveLoan.userErrors).toEqual([]);
    },
    async disburse(loanId: string, disbursedOn?: string) {
      const res = await svc.graphql<{ disburseLoan: { loan: { status: string } | null; userErrors: UserErrorShape[] } }>(
        DISBURSE,
        { input: { loanId, disbursedOn } },
        staff.officer,
      );
      expect(res.errors).toBeUndefined();
      return res.data?.disburseLoan ?? { loan: null, userErrors: [] };
    },
    /** Applies, approves and disburses; returns the loan id. */
    async activeLoan(customerId: string, productCode: string, over: Record<string, unknown> = {}, disbursedOn?: string) {
      const applied = await this.apply({
        customerId,
        productCode,
        principal: '1200.00',
        annualRate: '0.12',
        termCount: 3,
        purpose: 'Stock for the shop',
        ...over,
      });
      expect(applied.userErrors).toEqual([]);
      const id = applied.loan?.id;
      if (!id) throw new Error('no loan');
      await this.approve(id);
      const d = await this.disburse(id, disbursedOn);
      expect(d.userErrors).toEqual([]);
      return id;
    },
    /**
     * A loan written straight to the tables (its product, the loan, schedule version 1, one
     * repayment per payment with its allocation): for reads and set-wise SQL over many loans in
     * states no single API path makes quickly. Prefer `activeLoan` when the API can make it.
     */
    async storedLoan(over: StoredLoan = {}): Promise<LoanRow> {
      const id = over.id ?? uuidv7();
      const currency = over.currency ?? 'USD';
      const productCode = over.productCode ?? `P-${id}`;
      await svc.db
        .insertInto('loan_product')
        .values({
          id: uuidv7(),
          code: productCode,
          name: `Product ${productCode}`,
          type: 'MICRO_BUSINESS',
          currency,
          min_principal: '1.00',
          max_principal: '100000000.00',
          min_rate: '0',
          max_rate: '1',
          min_term: 1,
          max_term: 60,
          frequency: 'MONTHLY',
          amortisation: 'EQUAL_PRINCIPAL',
          day_count: 'THIRTY_360',
          penalty_rate: over.penaltyRate ?? '0.365',
          grace_days: over.graceDays ?? 3,
          overpayment_policy: 'REFUSE',
          penalty_cap_rate: over.penaltyCapRate ?? null,
          rounding_mode: over.roundingMode ?? 'HALF_UP',
        })
        .onConflict((oc) => oc.column('code').doNothing())
        .execute();
      const product = await svc.db.selectFrom('loan_product').select('id').where('code', '=', productCode).executeTakeFirstOrThrow();
      const instalments = over.instalments ?? [];
      const loan = await svc.db
        .insertInto('loan')
        .values({
          id,
          customer_id: over.customerId ?? 'c-1',
          product_code: productCode,
          product_id: product.id,
          status: over.status ?? 'ACTIVE',
          principal: over.principal ?? '1200.00',
          currency,
          annual_rate: over.annualRate ?? '0.120000',
          term_months: over.termMonths ?? Math.max(1, instalments.length),
          term_count: instalments.length || null,
          officer_id: over.officerId ?? 'rm-1',
          purpose: null,
          branch_id: null,
          approved_by: null,
          approved_at: null,
          loan_cycle: null,
          idempotency_key: null,
          risk_class_override: null,
          risk_class_override_reason: null,
          write_off_reason: null,
          disbursed_on: over.disbursedOn === undefined ? (instalments.length ? '2026-01-01' : null) : over.disbursedOn,
          schedule_version: instalments.length ? 1 : 0,
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      for (const [k, i] of instalments.entries()) {
        await svc.db
          .insertInto('instalment')
          .values({ loan_id: id, version: 1, number: k + 1, due_date: i.dueDate, principal: i.principal, interest: i.interest })
          .execute();
        for (const p of i.payments ?? []) {
          const repaymentId = uuidv7();
          const amount = new Money(p.principal).plus(p.interest).toFixed();
          await svc.db
            .insertInto('repayment')
            .values({
              id: repaymentId,
              loan_id: id,
              amount,
              currency,
              paid_on: p.paidOn,
              channel: 'CASH',
              external_reference: `ref-${repaymentId}`,
              penalty_paid: '0',
              interest_paid: p.interest,
              principal_paid: p.principal,
              prepaid_principal: '0',
              recorded_by: 'test',
            })
            .execute();
          await svc.db
            .insertInto('repayment_allocation')
            .values({
              repayment_id: repaymentId,
              loan_id: id,
              version: 1,
              number: k + 1,
              paid_on: p.paidOn,
              penalty: '0',
              interest: p.interest,
              principal: p.principal,
            })
            .execute();
        }
      }
      return loan;
    },
    async repay(input: Record<string, unknown>) {
      const res = await svc.graphql<{
        recordRepayment: {
          repayment: { id: string; penaltyPaid: string; interestPaid: string; principalPaid: string; prepaidPrincipal: string } | null;
          loan: { status: string } | null;
          userErrors: UserErrorShape[];
        };
      }>(REPAY, { input }, staff.officer);
      expect(res.errors).toBeUndefined();
      const out = res.data?.recordRepayment;
      if (!out) throw new Error('no payload');
      return out;
    },
  };
}

/** Domain event types written to the outbox for a loan, in order (state records left out: see src/events/state.ts). */
export async function eventsOf(svc: TestService<DB>, loanId: string): Promise<string[]> {
  const rows = await svc.db.selectFrom('event_outbox').select(['type', 'event']).orderBy('seq').execute();
  return rows
    .filter((r) => !definitionOfType(r.type)?.state)
    .filter((r) => {
      const e: unknown = typeof r.event === 'string' ? JSON.parse(r.event) : r.event;
      return (
        typeof e === 'object' && e !== null && 'data' in e && typeof e.data === 'object' && e.data !== null && 'loanId' in e.data && e.data.loanId === loanId
      );
    })
    .map((r) => r.type.replace(/^crm\.credit\.(\w+)\.v1$/, '$1'));
}
