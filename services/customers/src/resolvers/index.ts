import { scalarResolvers } from '@crm/service-kit';
import type { Resolvers } from '../__generated__/resolvers-types.ts';
import { Address, ContactDetails, Customer, CustomerConnection, EnterpriseProfile, IndividualProfile } from './Customer.ts';
import { registerCustomer } from './Mutation/register-customer.ts';
import { Query } from './Query.ts';

export const resolvers: Resolvers = {
  ...scalarResolvers,
  Query,
  Mutation: { registerCustomer },
  Customer,
  IndividualProfile,
  EnterpriseProfile,
  ContactDetails,
  Address,
  CustomerConnection,
};
