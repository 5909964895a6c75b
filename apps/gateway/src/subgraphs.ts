import type { Producer } from '@crm/events';

/** The four subgraphs, with the URL each listens on by default in distributed mode. */
export const SUBGRAPHS: readonly { name: Producer; defaultUrl: string; urlSetting: string }[] = [
  { name: 'customers', defaultUrl: 'http://localhost:4001/graphql', urlSetting: 'CUSTOMERS_URL' },
  { name: 'credit', defaultUrl: 'http://localhost:4002/graphql', urlSetting: 'CREDIT_URL' },
  { name: 'engagement', defaultUrl: 'http://localhost:4003/graphql', urlSetting: 'ENGAGEMENT_URL' },
  { name: 'loyalty', defaultUrl: 'http://localhost:4004/graphql', urlSetting: 'LOYALTY_URL' },
];
