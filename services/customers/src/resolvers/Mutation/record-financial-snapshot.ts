import { emit } from '@crm/events';
import { requireIdentity } from '@crm/service-kit';
import { Decimal } from 'decimal.js';
import { v7 as uuidv7 } from 'uuid';
import type { MutationResolvers } from '../../__generated__/resolvers-types.ts';
import { lockCustomer } from '../../db/customer.store.ts';
import { findSnapshotBefore, findSnapshotIdByIdempotencyKey, insertSnapshot, refreshCurrentFinancials } from '../../db/financial.store.ts';
import type { FinancialSnapshotRow } from '../../db/schema.ts';
import { isoDate } from '../../domain/dates.ts';
import { incomeChangeRatio, validateSnapshot } from '../../domain/financial.ts';
import { customerNotFound } from './errors.ts';

const money = (d: Decimal | null) => (d === null ? null : d.toFixed(2));

export const recordFinancialSnapshot: MutationResolvers['recordFinancialSnapshot'] = async (_parent, { input }, ctx) => {
  const identity = requireIdentity(ctx);
  const customerOf = async (id: string) => {
    ctx.loaders.customer.clear(id);
    return ctx.loaders.customer.load(id);
  };
  if (input.idempotencyKey) {
    const existing = await findSnapshotIdByIdempotencyKey(ctx.db, input.idempotencyKey);
    if (existing) return { snapshot: existing, customer: await customerOf(existing.customer_id), userErrors: [] };
  }
  const now = ctx.now();
  const validation = validateSnapshot(input, isoDate(now));
  if (!validation.ok) return { snapshot: null, customer: null, userErrors: validation.errors };
  const s = validation.snapshot;

  const result = await ctx.db.transaction().execute(async (tx) => {
    const customer = await lockCustomer(tx, ctx.scope, input.customerId);
    if (!customer) return { ok: false as const, error: customerNotFound() };
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
    return { ok: true as const, row };
  });
  if (!result.ok) return { snapshot: null, customer: null, userErrors: [result.error] };
  return { snapshot: result.row, customer: await customerOf(input.customerId), userErrors: [] };
};
