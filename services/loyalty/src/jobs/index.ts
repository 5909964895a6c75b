/** Scheduled runs of this service (expiry and tier evaluation arrive with the loyalty-domain issue). */
export const jobs = [] as const;
