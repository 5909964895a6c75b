/** Scheduled runs of this service (value and grade evaluation arrive with the customer-domain issue). */
export const jobs = [] as const;
