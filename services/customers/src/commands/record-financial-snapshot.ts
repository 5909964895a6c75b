import { emit } from '@crm/events';
import { findIdempotentReplay, type Identity, isoDate, runCommand, type UserError } from '@crm/service-kit';
import { Decimal } from 'decimal.js';
import { v7 as uuidv7 } from 'uuid';
import type { RecordFinancialSnapshotInput } from '../__generated__/resolvers-types.ts';
import type { CustomersContext } from '../context.ts';
import { lockCustomer } from '../db/customer.store.ts';
import { findSnapshotBefore, findSnapshotIdByIdempotencyKey, insertSnapshot, refreshCurrentFinancials } from '../db/financial.store.ts';
import type { FinancialSnapshotRow } from '../db/schema.ts';
import { incomeChangeRatio, validateSnapshot } from '../domain/financial.ts';
import { customerNotFound } from './errors.ts';

const money = (d: Decimal | null) => (d === null ? null : d.toFixed(2));

export type RecordFinancialSnapshotResult = { snapshot: FinancialSnapshotRow; userErrors: [] } | { snapshot: null; userErrors: UserError[] };

/**
 * Records a dated financial snapshot: refreshes the customer's current financials and emits
 * FinancialSnapshotRecorded with the previous income and score. A repeated idempotency key
 * returns the snapshot it recorded.
 */
export function recordFinancialSnapshot(
  ctx: CustomersContext,
  identity: Identity,
  input: RecordFinancialSnapshotInput,
): Promise<RecordFinancialSnapshotResult> {
  return runCommand(
    ctx,
    { action: 'recordFinancialSnapshot', entityType: 'Customer', entityId: input.customerId },
    async (tx, audit): Promise<RecordFinancialSnapshotResult> => {
      // the replay check in the writing transaction: a second identical request waits, then replays
      const existing = await findIdempotentReplay(tx, 'financial_snapshot', input.idempotencyKey, (key) => findSnapshotIdByIdempotencyKey(tx, key));
      if (existing) {
        audit.entity(existing.customer_id);
        await lockCustomer(tx, ctx.scope, existing.customer_id); // FORBIDDEN outside the caller's scope
        audit.detail({ snapshotId: existing.id, replayed: true });
        return { snapshot: existing, userErrors: [] };
      }
      const now = ctx.now();
      const validation = validateSnapshot(input, isoDate(now));
      if (!validation.ok) return { snapshot: null, userErrors: validation.errors };
      const s = validation.value;
      const customer = await lockCustomer(tx, ctx.scope, input.customerId);
      if (!customer) return { snapshot: null, userErrors: [customerNotFound()] };
      const previous = await findSnapshotBefore(tx, customer.id, s.asOf);
      const row: FinancialSnapshotRow = {
        id: uuidv7(),
        customer_id: customer.id,
        as_of: s.asOf,
        currency: s.currency,
        monthly_income: money(s.monthlyIncome),
        assets: money(s.assets),
        liabilities: money(s.liabilities),
        external_credit_score: s.externalCreditScore,
        risk_appetite: s.riskAppetite,
        income_band: s.incomeBand,
        debt_ratio: s.debtRatio?.toFixed(4) ?? null,
        idempotency_key: input.idempotencyKey ?? null,
        recorded_by: identity.userId,
        recorded_at: now,
      };
      await insertSnapshot(tx, row);
      await refreshCurrentFinancials(tx, customer.id);
      const previousIncome = previous?.monthly_income ? new Decimal(previous.monthly_income) : null;
      await emit(tx, 'FinancialSnapshotRecorded', {
        subject: customer.id,
        time: now,
        data: {
          customerId: customer.id,
          snapshotId: row.id,
          asOf: s.asOf,
          currency: s.currency,
          monthlyIncome: row.monthly_income,
          previousMonthlyIncome: previous?.monthly_income ?? null,
          incomeChangeRatio: incomeChangeRatio(previousIncome, s.monthlyIncome)?.toFixed(4) ?? null,
          externalCreditScore: s.externalCreditScore,
          previousExternalCreditScore: previous?.external_credit_score ?? null,
          debtRatio: row.debt_ratio,
        },
      });
      audit.detail({ snapshotId: row.id, asOf: s.asOf });
      audit.changes(previous ? { incomeBand: previous.income_band, debtRatio: previous.debt_ratio, riskAppetite: previous.risk_appetite } : null, {
        incomeBand: row.income_band,
        debtRatio: row.debt_ratio,
        riskAppetite: row.risk_appetite,
      });
      return { snapshot: row, userErrors: [] };
    },
  );
}
