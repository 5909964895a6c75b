import type { EventTables } from '@crm/events';
import type { Generated, Selectable } from 'kysely';

export type LoanStatus = 'APPLIED' | 'APPROVED' | 'ACTIVE' | 'CLOSED' | 'WRITTEN_OFF';

export interface LoanTable {
  id: string;
  customer_id: string;
  product_code: string;
  status: LoanStatus;
  /** numeric(20, 2): read and written as a string, never a JS number. */
  principal: string;
  currency: string;
  annual_rate: string;
  term_months: number;
  officer_id: string | null;
  applied_at: Generated<Date>;
}

export interface DB extends EventTables {
  loan: LoanTable;
}

export type LoanRow = Selectable<LoanTable>;
