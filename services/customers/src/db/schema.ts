import type { EventTables } from '@crm/events';
import type { ColumnType, Generated, Insertable, Selectable } from 'kysely';

export type Gender = 'FEMALE' | 'MALE' | 'OTHER' | 'UNDISCLOSED';
export type EnterpriseSize = 'MICRO' | 'SMALL' | 'MEDIUM';
export type ContactChannel = 'PHONE' | 'SMS' | 'EMAIL' | 'APP' | 'MESSAGING' | 'VISIT' | 'BRANCH';

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;

export interface CustomerTable {
  id: string;
  kind: 'INDIVIDUAL' | 'ENTERPRISE';
  status: 'PROSPECT' | 'ACTIVE' | 'DORMANT' | 'CHURNED';
  display_name: string;
  branch_id: string;
  relationship_manager_id: string | null;
  phone: string | null;
  email: string | null;
  region: string | null;
  city: string | null;
  district: string | null;
  address_line: string | null;
  preferred_channel: ContactChannel | null;
  preferred_language: string | null;
  idempotency_key: string | null;
  created_by: string;
  created_at: Generated<Date>;
  updated_at: Timestamp;
}

export interface IndividualProfileTable {
  customer_id: string;
  first_name: string;
  last_name: string;
  gender: Gender | null;
  birth_date: string | null;
  national_id: string | null;
  occupation: string | null;
  employer: string | null;
}

export interface EnterpriseProfileTable {
  customer_id: string;
  legal_name: string;
  registration_number: string;
  industry: string | null;
  size: EnterpriseSize | null;
  founded_on: string | null;
  legal_representative: string | null;
  annual_revenue: string | null;
  employees: number | null;
}

export interface DB extends EventTables {
  customer: CustomerTable;
  individual_profile: IndividualProfileTable;
  enterprise_profile: EnterpriseProfileTable;
}

export type CustomerRow = Selectable<CustomerTable>;
export type NewCustomer = Insertable<CustomerTable>;
export type IndividualProfileRow = Selectable<IndividualProfileTable>;
export type EnterpriseProfileRow = Selectable<EnterpriseProfileTable>;
