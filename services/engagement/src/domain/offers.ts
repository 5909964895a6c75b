import type { UserError } from '@crm/service-kit';
import { addDays } from '@crm/service-kit';

/**
 * Next-best offers (issue 15): offer rules are data (table `offer_rule`), each a set of
 * conditions over what engagement knows of a customer; every rule whose conditions all hold makes
 * an offer, ranked by the rule's priority, with the reasons it holds (each condition and the
 * customer's value that met it). The generation job applies `planOffers` customer by customer.
 */

export type OfferKind = 'TOP_UP' | 'RENEWAL' | 'RATE_DISCOUNT' | 'REWARD';
export type OfferStatus = 'OPEN' | 'ACCEPTED' | 'DECLINED' | 'NOT_NOW' | 'WITHDRAWN';
export type OfferOutcome = 'ACCEPTED' | 'DECLINED' | 'NOT_NOW';
/** What a retention task achieved. */
export type RetentionOutcome = 'SAVED' | 'LOST' | 'NOT_REACHED';

export interface OfferReason {
  condition: string;
  value: string;
}

/**
 * A rule's conditions, all of which must hold (an absent one does not restrict). Lists hold when
 * the customer's value is one of them; a customer without the fact (no grade yet, no tier, never
 * scored for churn) does not meet a condition on it.
 */
export interface OfferConditions {
  /** The customer's grade (VIP, PREMIUM, STANDARD, BASIC). */
  grades?: string[];
  /** The segment as engagement knows it: the customer kind (INDIVIDUAL, ENTERPRISE). */
  customerKinds?: string[];
  /** The loyalty tier (BRONZE, SILVER, GOLD, PLATINUM...). */
  tiers?: string[];
  /** The latest churn-risk level (LOW, MEDIUM, HIGH). */
  churnLevels?: string[];
  /** Repayment record now: no active loan more than this many days past due. */
  maxDaysPastDue?: number;
  /** Repayment record: at least this many loans repaid on time and in full. */
  minLoansRepaidOnTime?: number;
  /** Products held: at least / at most this many active loans. */
  minActiveLoans?: number;
  maxActiveLoans?: number;
  /** Products held: an active loan of one of these product codes. */
  productsHeld?: string[];
}

/** What engagement knows of a customer, from its replicas (the facts a rule reads). */
export interface OfferFacts {
  customerId: string;
  grade: string | null;
  kind: string | null;
  tier: string | null;
  churnLevel: string | null;
  activeLoans: number;
  /** The largest days past due of the active loans (0 without any). */
  maxDaysPastDue: number;
  loansRepaidOnTime: number;
  /** Product codes of the active loans. */
  productsHeld: string[];
}

export interface OfferRule {
  code: string;
  kind: OfferKind;
  priority: number;
  conditions: OfferConditions;
  validDays: number;
  cooldownDays: number;
  active: boolean;
}

const inList = (name: string, allowed: string[] | undefined, value: string | null): OfferReason | null | undefined => {
  if (!allowed?.length) return undefined;
  return value !== null && allowed.includes(value) ? { condition: `${name} in ${allowed.join(', ')}`, value } : null;
};

/** The reasons a rule holds for the customer, or null when one of its conditions does not. */
export function matchOfferRule(facts: OfferFacts, c: OfferConditions): OfferReason[] | null {
  const checks: (OfferReason | null | undefined)[] = [
    inList('grade', c.grades, facts.grade),
    inList('customer kind', c.customerKinds, facts.kind),
    inList('loyalty tier', c.tiers, facts.tier),
    inList('churn risk', c.churnLevels, facts.churnLevel),
    c.maxDaysPastDue === undefined
      ? undefined
      : facts.maxDaysPastDue <= c.maxDaysPastDue
        ? { condition: `days past due at most ${c.maxDaysPastDue}`, value: String(facts.maxDaysPastDue) }
        : null,
    c.minLoansRepaidOnTime === undefined
      ? undefined
      : facts.loansRepaidOnTime >= c.minLoansRepaidOnTime
        ? { condition: `loans repaid on time at least ${c.minLoansRepaidOnTime}`, value: String(facts.loansRepaidOnTime) }
        : null,
    c.minActiveLoans === undefined
      ? undefined
      : facts.activeLoans >= c.minActiveLoans
        ? { condition: `active loans at least ${c.minActiveLoans}`, value: String(facts.activeLoans) }
        : null,
    c.maxActiveLoans === undefined
      ? undefined
      : facts.activeLoans <= c.maxActiveLoans
        ? { condition: `active loans at most ${c.maxActiveLoans}`, value: String(facts.activeLoans) }
        : null,
    c.productsHeld?.length
      ? facts.productsHeld.some((p) => c.productsHeld?.includes(p))
        ? { condition: `holds ${c.productsHeld.join(', ')}`, value: facts.productsHeld.filter((p) => c.productsHeld?.includes(p)).join(', ') }
        : null
      : undefined,
  ];
  if (checks.some((x) => x === null)) return null;
  return checks.filter((x): x is OfferReason => !!x);
}

export interface RankedOffer {
  ruleCode: string;
  kind: OfferKind;
  rank: number;
  reasons: OfferReason[];
}

/** Every active rule that holds, ranked by priority (highest first, then rule code): rank 1, 2, ... */
export function rankOffers(facts: OfferFacts, rules: readonly OfferRule[]): RankedOffer[] {
  return rules
    .filter((r) => r.active)
    .flatMap((r) => {
      const reasons = matchOfferRule(facts, r.conditions);
      return reasons ? [{ rule: r, reasons }] : [];
    })
    .sort((a, b) => b.rule.priority - a.rule.priority || (a.rule.code < b.rule.code ? -1 : 1))
    .map((m, k) => ({ ruleCode: m.rule.code, kind: m.rule.kind, rank: k + 1, reasons: m.reasons }));
}

/** What the generation does for one customer: offers to make, open ones to re-rank, open ones to withdraw. */
export interface OfferPlan {
  make: (RankedOffer & { validUntil: string })[];
  refresh: { id: string; rank: number; reasons: OfferReason[] }[];
  withdraw: { id: string; reason: 'EXPIRED' | 'NO_LONGER_ELIGIBLE' }[];
}

/**
 * One customer's offers as of a date, from the rules that hold now:
 * - an open offer past its validity is withdrawn (EXPIRED); one whose rule no longer holds (or is
 *   inactive) is withdrawn (NO_LONGER_ELIGIBLE); one still holding gets its new rank and reasons;
 * - a rule that holds with no open offer makes one, valid for the rule's days, unless the customer
 *   answered or let expire an offer of that rule within its cooldown (`cooling`: rule codes).
 * A rerun for the same date and facts changes nothing.
 */
export function planOffers(
  ranked: readonly RankedOffer[],
  open: readonly { id: string; ruleCode: string; validUntil: string }[],
  cooling: ReadonlySet<string>,
  rules: ReadonlyMap<string, OfferRule>,
  asOf: string,
): OfferPlan {
  const plan: OfferPlan = { make: [], refresh: [], withdraw: [] };
  const holding = new Map(ranked.map((r) => [r.ruleCode, r]));
  const kept = new Set<string>();
  for (const o of open) {
    const now = holding.get(o.ruleCode);
    if (o.validUntil < asOf) plan.withdraw.push({ id: o.id, reason: 'EXPIRED' });
    else if (!now) plan.withdraw.push({ id: o.id, reason: 'NO_LONGER_ELIGIBLE' });
    else {
      plan.refresh.push({ id: o.id, rank: now.rank, reasons: now.reasons });
      kept.add(o.ruleCode);
    }
  }
  const expiredNow = new Set(open.filter((o) => o.validUntil < asOf).map((o) => o.ruleCode));
  for (const r of ranked) {
    if (kept.has(r.ruleCode) || cooling.has(r.ruleCode) || expiredNow.has(r.ruleCode)) continue;
    const rule = rules.get(r.ruleCode);
    if (!rule) continue;
    plan.make.push({ ...r, validUntil: addDays(asOf, rule.validDays) });
  }
  return plan;
}

const OFFER_KINDS: readonly OfferKind[] = ['TOP_UP', 'RENEWAL', 'RATE_DISCOUNT', 'REWARD'];
const CODE = /^[A-Z0-9_]{2,40}$/;
const err = (field: string, code: string, message: string): UserError => ({ field, code, message });

/** Checks a rule as an administrator writes it: code, priority 1-100, validity 1-365 days, cooldown 0-730, sensible conditions. */
export function validateOfferRule(r: {
  code: string;
  kind: string;
  title: string;
  priority: number;
  validDays: number;
  cooldownDays: number;
  conditions: OfferConditions;
}): UserError[] {
  const errors: UserError[] = [];
  if (!CODE.test(r.code)) errors.push(err('code', 'INVALID_CODE', 'a code is 2 to 40 capitals, digits or underscores'));
  if (!OFFER_KINDS.includes(r.kind as OfferKind)) errors.push(err('kind', 'INVALID_VALUE', `one of ${OFFER_KINDS.join(', ')}`));
  if (!r.title.trim()) errors.push(err('title', 'REQUIRED', 'say what is offered'));
  else if (r.title.length > 200) errors.push(err('title', 'TOO_BIG', 'at most 200 characters'));
  if (!Number.isInteger(r.priority) || r.priority < 1 || r.priority > 100) errors.push(err('priority', 'OUT_OF_RANGE', 'between 1 and 100'));
  if (!Number.isInteger(r.validDays) || r.validDays < 1 || r.validDays > 365) errors.push(err('validDays', 'OUT_OF_RANGE', 'between 1 and 365'));
  if (!Number.isInteger(r.cooldownDays) || r.cooldownDays < 0 || r.cooldownDays > 730) errors.push(err('cooldownDays', 'OUT_OF_RANGE', 'between 0 and 730'));
  const c = r.conditions;
  for (const key of ['maxDaysPastDue', 'minLoansRepaidOnTime', 'minActiveLoans', 'maxActiveLoans'] as const) {
    const v = c[key];
    if (v !== undefined && (!Number.isInteger(v) || v < 0 || v > 10_000)) errors.push(err(`conditions.${key}`, 'OUT_OF_RANGE', 'between 0 and 10,000'));
  }
  if (c.minActiveLoans !== undefined && c.maxActiveLoans !== undefined && c.minActiveLoans > c.maxActiveLoans)
    errors.push(err('conditions.maxActiveLoans', 'INVALID_RANGE', 'must not be below minActiveLoans'));
  for (const key of ['grades', 'customerKinds', 'tiers', 'churnLevels', 'productsHeld'] as const) {
    const v = c[key];
    if (v && v.length > 50) errors.push(err(`conditions.${key}`, 'TOO_BIG', 'at most 50 values'));
    if (v?.some((x) => !x.trim() || x.length > 40)) errors.push(err(`conditions.${key}`, 'INVALID', 'values are 1 to 40 characters'));
  }
  if (!Object.values(c).some((v) => v !== undefined && (!Array.isArray(v) || v.length > 0)))
    errors.push(err('conditions', 'REQUIRED', 'a rule needs at least one condition'));
  return errors;
}

/**
 * What opened a retention task, from its business key (domain/tasks.ts `retentionTask`): a grade
 * at risk, a tier downgrade warning, a high churn risk; null for a task created by hand.
 */
export function retentionOrigin(dedupeKey: string | null): 'GRADE_AT_RISK' | 'TIER_DOWNGRADE' | 'CHURN_HIGH' | null {
  const prefix = dedupeKey?.split(':')[0];
  return prefix === 'GRADE_AT_RISK' || prefix === 'TIER_DOWNGRADE' || prefix === 'CHURN_HIGH' ? prefix : null;
}

/** The "did it work" KPIs of offers and retention (issue 15), part of `engagementKpi` (domain/kpis.ts). */
export const OFFER_KPIS = {
  OFFER_ACCEPTANCE_RATE: {
    metric: 'OFFER_ACCEPTANCE_RATE',
    formula:
      "Share of offers accepted: over the offers answered in the period (outcome recorded in [from, to]), numerator = those ACCEPTED, denominator = those answered (ACCEPTED, DECLINED or NOT_NOW); offers withdrawn without an answer do not count. MONTH is the month answered; BRANCH the customer's branch now; OFFICER the relationship manager the offer was made to.",
    dimensions: ['BRANCH', 'OFFICER', 'MONTH'],
    kind: 'RATIO',
  },
  AT_RISK_GRADE_SAVE_RATE: {
    metric: 'AT_RISK_GRADE_SAVE_RATE',
    formula:
      "Share of at-risk grades saved: over the retention tasks opened for a grade at risk (CustomerGradeAtRisk) whose outcome was recorded in the period, numerator = those SAVED, denominator = those with an outcome (SAVED, LOST, NOT_REACHED). MONTH is the month recorded; BRANCH the customer's branch now; OFFICER the task's assignee.",
    dimensions: ['BRANCH', 'OFFICER', 'MONTH'],
    kind: 'RATIO',
  },
  RETENTION_SAVE_RATE: {
    metric: 'RETENTION_SAVE_RATE',
    formula:
      'Share of retention tasks that kept the customer: over every retention task (grade at risk, tier downgrade warning, high churn risk, by hand) whose outcome was recorded in the period, numerator = those SAVED, denominator = those with an outcome. MONTH, BRANCH and OFFICER as AT_RISK_GRADE_SAVE_RATE.',
    dimensions: ['BRANCH', 'OFFICER', 'MONTH'],
    kind: 'RATIO',
  },
} as const;
