import type { UserError } from '@crm/service-kit';

/** At most this many customers per survey dispatch call. */
export const MAX_AUDIENCE = 10_000;

/** A survey goes to exactly one audience engagement can name: customer ids, a branch or a relationship manager. */
export function checkSurveyAudience(input: {
  customerIds?: readonly string[] | null;
  branchId?: string | null;
  relationshipManagerId?: string | null;
}): UserError | null {
  const given = [!!input.customerIds?.length, !!input.branchId, !!input.relationshipManagerId].filter(Boolean).length;
  return given === 1
    ? null
    : { field: 'customerIds', code: 'ONE_AUDIENCE_REQUIRED', message: 'Give exactly one of customerIds, branchId, relationshipManagerId' };
}

export function checkAudienceSize(size: number): UserError | null {
  return size <= MAX_AUDIENCE ? null : { field: 'customerIds', code: 'AUDIENCE_TOO_LARGE', message: `At most ${MAX_AUDIENCE} customers per dispatch` };
}

/** One error per listed id that is not in `known`, with its position in the list. */
export function missingIds(field: string, ids: readonly string[], known: ReadonlySet<string>, code: string, message: (id: string) => string): UserError[] {
  return ids.flatMap((id, i) => (known.has(id) ? [] : [{ field: `${field}.${i}`, code, message: message(id) }]));
}
