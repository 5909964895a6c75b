/** A crisis measure's relief (credit's CrisisReliefGranted, issue 15) as the customer's notice says it. */
export function crisisReliefText(r: {
  kind: string;
  instalments: number | null;
  effectiveOn: string | null;
  waiverFrom: string | null;
  waiverTo: string | null;
}): string {
  if (r.kind === 'PAYMENT_HOLIDAY')
    return `a payment holiday: the instalments due from ${r.effectiveOn ?? ''} move ${r.instalments ?? 0} ${r.instalments === 1 ? 'period' : 'periods'} later`;
  return `no late-payment penalty from ${r.waiverFrom ?? ''} to ${r.waiverTo ?? ''}`;
}
