import type { RiskWarningResolvers, RiskWarningRuleResolvers } from '../__generated__/resolvers-types.ts';

export const RiskWarning: RiskWarningResolvers = {
  __resolveReference: (ref, ctx) => ctx.loaders.warning.load(ref.id),
  loan: async (w, _args, ctx) => {
    const loan = await ctx.loaders.loan.load(w.loan_id);
    if (!loan) throw new Error(`Risk warning ${w.id} refers to a missing loan`);
    return loan;
  },
  customer: (w) => ({ id: w.customer_id }),
  ruleCode: (w) => w.rule_code,
  indicators: (w) => JSON.stringify(w.indicators),
  officerId: (w) => w.officer_id,
  raisedAt: (w) => w.raised_at,
  responseDueAt: (w) => w.response_due_at,
  acknowledgedAt: (w) => w.acknowledged_at,
  actionTakenAt: (w) => w.action_taken_at,
  resolvedAt: (w) => w.resolved_at,
  escalatedAt: (w) => w.escalated_at,
};

export const RiskWarningRule: RiskWarningRuleResolvers = {};
