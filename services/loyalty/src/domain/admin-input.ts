import { minorUnits, type Validation, validateWith } from '@crm/service-kit';
import { Decimal } from 'decimal.js';
import { z } from 'zod';

const code = z
  .string()
  .trim()
  .refine((v) => /^[A-Z][A-Z0-9_]{1,39}$/.test(v), { message: 'must be UPPER_SNAKE, 2 to 40 characters', params: { code: 'INVALID_CODE' } });
const text = z.string().trim().min(1, 'must not be blank').max(500);
const decimal = z.custom<Decimal>((v) => v instanceof Decimal || typeof v === 'string').transform((v) => new Decimal(v));

const parse = validateWith;

export function validateAdjustment(input: unknown): Validation<{ customerId: string; points: number; reason: string }> {
  return parse(
    z.object({
      customerId: z.string().min(1),
      points: z
        .number()
        .int()
        .refine((p) => p !== 0, { message: 'must not be zero', params: { code: 'ZERO_POINTS' } })
        .refine((p) => Math.abs(p) <= 1_000_000, { message: 'at most 1,000,000 points at once', params: { code: 'TOO_BIG' } }),
      reason: text,
    }),
    input,
  );
}

export function validateReward(input: unknown) {
  return parse(
    z
      .object({
        code,
        name: text,
        kind: z.enum(['GIFT', 'RATE_DISCOUNT_VOUCHER', 'FEE_WAIVER']),
        pointsCost: z.number().int().positive({ message: 'must be positive' }),
        stock: z
          .number()
          .int()
          .min(0, 'must not be negative')
          .nullish()
          .transform((v) => v ?? null),
        minTier: z
          .string()
          .nullish()
          .transform((v) => v ?? null),
        rateDiscountBps: z
          .number()
          .int()
          .min(1)
          .max(10_000)
          .nullish()
          .transform((v) => v ?? null),
        faceValue: decimal
          .refine((d) => d.gte(0) && d.decimalPlaces() <= 2, {
            message: 'must be a non-negative amount with at most 2 decimals',
            params: { code: 'INVALID_AMOUNT' },
          })
          .nullish()
          .transform((v) => v ?? null),
        currency: z
          .string()
          .regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code')
          .nullish()
          .transform((v) => v ?? null),
        active: z
          .boolean()
          .nullish()
          .transform((v) => v ?? true),
      })
      .superRefine((r, ctx) => {
        if (r.kind === 'RATE_DISCOUNT_VOUCHER' && r.rateDiscountBps === null) {
          ctx.addIssue({ code: 'custom', path: ['rateDiscountBps'], message: 'a rate-discount voucher needs its discount', params: { code: 'REQUIRED' } });
        }
        if (r.faceValue !== null && r.currency === null) {
          ctx.addIssue({ code: 'custom', path: ['currency'], message: 'an amount needs its currency', params: { code: 'REQUIRED' } });
        }
      }),
    input,
  );
}

export function validateRule(input: unknown) {
  return parse(
    z
      .object({
        code,
        description: text,
        calculation: z.enum(['FIXED', 'PROPORTIONAL']),
        points: z
          .number()
          .int()
          .min(0)
          .nullish()
          .transform((v) => v ?? 0),
        rate: decimal
          .refine((d) => d.gt(0), { message: 'must be positive', params: { code: 'TOO_SMALL' } })
          .nullish()
          .transform((v) => v ?? null),
        tierMultiplier: z
          .boolean()
          .nullish()
          .transform((v) => v ?? true),
        active: z
          .boolean()
          .nullish()
          .transform((v) => v ?? true),
      })
      .superRefine((r, ctx) => {
        if (r.calculation === 'PROPORTIONAL' && r.rate === null) {
          ctx.addIssue({ code: 'custom', path: ['rate'], message: 'a proportional rule needs a rate', params: { code: 'REQUIRED' } });
        }
      }),
    input,
  );
}

export function validateTier(input: unknown) {
  return parse(
    z.object({
      code,
      name: text,
      rank: z.number().int().min(1),
      threshold: z.number().int().min(0),
      multiplier: decimal.refine((d) => d.gt(0) && d.lte(100) && d.decimalPlaces() <= 3, {
        message: 'must be above 0, at most 100, 3 decimals',
        params: { code: 'INVALID_MULTIPLIER' },
      }),
      rateDiscountBps: z.number().int().min(0).max(10_000),
      feeWaiversPerYear: z.number().int().min(0),
      priorityService: z.boolean(),
      dedicatedManager: z.boolean(),
      birthdayGift: z.boolean(),
    }),
    input,
  );
}

export function validateSettings(input: unknown) {
  const opt = (min: number, max: number) =>
    z
      .number()
      .int()
      .min(min)
      .max(max)
      .nullish()
      .transform((v) => v ?? undefined);
  return parse(
    z.object({
      pointsValidityMonths: opt(1, 120),
      expiryWarningDays: opt(0, 365),
      tierWindowMonths: opt(1, 36),
      tierGraceDays: opt(0, 365),
      // numeric(18, 6): above zero, at most 6 decimals and 12 whole digits.
      pointValue: decimal
        .refine((d) => d.gt(0) && d.decimalPlaces() <= 6 && d.lt('1e12'), {
          message: 'must be above 0 with at most 6 decimals',
          params: { code: 'INVALID_AMOUNT' },
        })
        .nullish()
        .transform((v) => v ?? undefined),
      pointValueCurrency: z
        .string()
        .refine((c) => minorUnits(c) !== null, { message: 'must be an ISO 4217 code', params: { code: 'INVALID_CURRENCY' } })
        .nullish()
        .transform((v) => v ?? undefined),
    }),
    input,
  );
}

/** The point value and its currency go together: both set or neither (after the change). */
export function pointValueComplete(s: { point_value: string | null; point_value_currency: string | null }): boolean {
  return (s.point_value === null) === (s.point_value_currency === null);
}
