/** Scheduled runs of this service (the end-of-day delinquency run arrives with the credit-domain issue). */
export const jobs = [] as const;
