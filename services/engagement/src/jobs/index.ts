/** Scheduled runs of this service (SLA checks, greetings, churn scoring arrive with the engagement-domain issue). */
export const jobs = [] as const;
