import type { MutationResolvers } from '../../__generated__/resolvers-types.ts';
import { applyForLoan } from './apply-for-loan.ts';
import { approveLoan } from './approve-loan.ts';
import { closeLoan } from './close-loan.ts';
import { createLoanProduct } from './create-loan-product.ts';
import { disburseLoan } from './disburse-loan.ts';
import { recordRepayment } from './record-repayment.ts';
import { writeOffLoan } from './write-off-loan.ts';

export const Mutation: MutationResolvers = {
  createLoanProduct,
  applyForLoan,
  approveLoan,
  disburseLoan,
  recordRepayment,
  closeLoan,
  writeOffLoan,
};
