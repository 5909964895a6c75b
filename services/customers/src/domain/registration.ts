import { type Validation, validateWith } from '@crm/service-kit';
import { Decimal } from 'decimal.js';
import { z } from 'zod';

type Gender = 'FEMALE' | 'MALE' | 'OTHER' | 'UNDISCLOSED';
type EnterpriseSize = 'MICRO' | 'SMALL' | 'MEDIUM';
type ContactChannel = 'PHONE' | 'SMS' | 'EMAIL' | 'APP' | 'MESSAGING' | 'VISIT' | 'BRANCH';

/** Registration as the domain sees it, once validated and normalised. */
export interface Registration {
  kind: 'INDIVIDUAL' | 'ENTERPRISE';
  status: 'PROSPECT' | 'ACTIVE';
  branchId: string;
  relationshipManagerId: string | null;
  individual: {
    firstName: string;
    lastName: string;
    gender: Gender | null;
    birthDate: string | null;
    nationalId: string | null;
    occupation: string | null;
    employer: string | null;
  } | null;
  enterprise: {
    legalName: string;
    registrationNumber: string;
    industry: string | null;
    size: EnterpriseSize | null;
    foundedOn: string | null;
    legalRepresentative: string | null;
    annualRevenue: Decimal | null;
    employees: number | null;
  } | null;
  tags: string[];
  referralCode: string | null;
  contact: {
    phone: string | null;
    email: string | null;
    region: string | null;
    city: string | null;
    district: string | null;
    line: string | null;
    preferredChannel: ContactChannel | null;
    preferredLanguage: string | null;
  };
}

const text = (max: number) => z.string().trim().min(1, 'must not be blank').max(max, `must be at most ${max} characters`);
const optionalText = (max: number) =>
  z
    .string()
    .trim()
    .max(max, `must be at most ${max} characters`)
    .nullish()
    .transform((v) => (v ? v : null));

/** Tags: trimmed, distinct, at most 20 of at most 50 characters. */
export const tagList = z
  .array(z.string().trim().min(1, 'must not be blank').max(50, 'must be at most 50 characters'))
  .max(20, 'at most 20 tags')
  .nullish()
  .transform((v) => [...new Set(v ?? [])].sort());

function notInFuture(today: string, what: string) {
  return (value: string | null | undefined, ctx: z.RefinementCtx) => {
    if (value && value > today) ctx.addIssue({ code: 'custom', message: `${what} cannot be in the future`, params: { code: 'DATE_IN_FUTURE' } });
  };
}

function registrationSchema(today: string) {
  const individual = z.object({
    firstName: text(100),
    lastName: text(100),
    gender: z
      .enum(['FEMALE', 'MALE', 'OTHER', 'UNDISCLOSED'])
      .nullish()
      .transform((v) => v ?? null),
    birthDate: z
      .string()
      .nullish()
      .transform((v) => v ?? null)
      .superRefine(notInFuture(today, 'Birth date')),
    nationalId: z
      .string()
      .trim()
      .regex(/^[A-Za-z0-9-]{4,32}$/, 'must be 4 to 32 letters, digits or dashes')
      .nullish()
      .transform((v) => v ?? null),
    occupation: optionalText(100),
    employer: optionalText(200),
  });
  const enterprise = z.object({
    legalName: text(200),
    registrationNumber: text(64),
    industry: optionalText(100),
    size: z
      .enum(['MICRO', 'SMALL', 'MEDIUM'])
      .nullish()
      .transform((v) => v ?? null),
    foundedOn: z
      .string()
      .nullish()
      .transform((v) => v ?? null)
      .superRefine(notInFuture(today, 'Founding date')),
    legalRepresentative: optionalText(200),
    annualRevenue: z
      .instanceof(Decimal)
      .nullish()
      .transform((v) => v ?? null)
      .superRefine((v, ctx) => {
        if (v?.isNegative()) ctx.addIssue({ code: 'custom', message: 'Annual revenue cannot be negative', params: { code: 'NEGATIVE_AMOUNT' } });
        if (v && v.decimalPlaces() > 2)
          ctx.addIssue({ code: 'custom', message: 'Annual revenue has at most 2 decimals', params: { code: 'TOO_MANY_DECIMALS' } });
      }),
    employees: z
      .number()
      .int()
      .min(0, 'cannot be negative')
      .nullish()
      .transform((v) => v ?? null),
  });
  const contact = z
    .object({
      phone: z
        .string()
        .trim()
        .regex(/^\+?[0-9 ()-]{6,20}$/, 'must be a phone number')
        .nullish()
        .transform((v) => v ?? null),
      email: z
        .email('must be an email address')
        .nullish()
        .transform((v) => v ?? null),
      address: z.object({ region: optionalText(100), city: optionalText(100), district: optionalText(100), line: optionalText(200) }).nullish(),
      preferredChannel: z
        .enum(['PHONE', 'SMS', 'EMAIL', 'APP', 'MESSAGING', 'VISIT', 'BRANCH'])
        .nullish()
        .transform((v) => v ?? null),
      preferredLanguage: z
        .string()
        .regex(/^[a-z]{2,3}(-[A-Z]{2})?$/, 'must be a language tag such as "en" or "fr-CM"')
        .nullish()
        .transform((v) => v ?? null),
    })
    .nullish()
    .transform((c) => ({
      phone: c?.phone ?? null,
      email: c?.email ?? null,
      region: c?.address?.region ?? null,
      city: c?.address?.city ?? null,
      district: c?.address?.district ?? null,
      line: c?.address?.line ?? null,
      preferredChannel: c?.preferredChannel ?? null,
      preferredLanguage: c?.preferredLanguage ?? null,
    }));

  return z
    .object({
      kind: z.enum(['INDIVIDUAL', 'ENTERPRISE']),
      branchId: text(64),
      relationshipManagerId: optionalText(64),
      status: z
        .enum(['PROSPECT', 'ACTIVE'], { message: 'a new customer is PROSPECT or ACTIVE' })
        .nullish()
        .transform((v) => v ?? 'PROSPECT'),
      individual: individual.nullish().transform((v) => v ?? null),
      enterprise: enterprise.nullish().transform((v) => v ?? null),
      contact,
      tags: tagList,
      referralCode: z
        .string()
        .trim()
        .regex(/^[A-Za-z0-9-]{3,32}$/, 'must be 3 to 32 letters, digits or dashes')
        .nullish()
        .transform((v) => v ?? null),
    })
    .superRefine((input, ctx) => {
      if (input.kind === 'INDIVIDUAL' && !input.individual)
        ctx.addIssue({ code: 'custom', path: ['individual'], message: 'An individual customer needs an individual profile', params: { code: 'REQUIRED' } });
      if (input.kind === 'INDIVIDUAL' && input.enterprise)
        ctx.addIssue({ code: 'custom', path: ['enterprise'], message: 'An individual customer has no enterprise profile', params: { code: 'NOT_ALLOWED' } });
      if (input.kind === 'ENTERPRISE' && !input.enterprise)
        ctx.addIssue({ code: 'custom', path: ['enterprise'], message: 'An enterprise customer needs an enterprise profile', params: { code: 'REQUIRED' } });
      if (input.kind === 'ENTERPRISE' && input.individual)
        ctx.addIssue({ code: 'custom', path: ['individual'], message: 'An enterprise customer has no individual profile', params: { code: 'NOT_ALLOWED' } });
    });
}

/** Validates a registration against the profile rules; `today` (YYYY-MM-DD) bounds dates. */
export function validateRegistration(input: unknown, today: string): Validation<Registration> {
  return validateWith(registrationSchema(today), input);
}

/** The name staff see: "First Last" for a person, the legal name for an enterprise. */
export function displayNameOf(registration: Registration): string {
  if (registration.individual) return `${registration.individual.firstName} ${registration.individual.lastName}`;
  return registration.enterprise?.legalName ?? '';
}

/** Shows only the last four characters of an identity number. */
export function maskNationalId(nationalId: string): string {
  const visible = nationalId.slice(-4);
  return `${'*'.repeat(Math.max(nationalId.length - 4, 0))}${visible}`;
}
