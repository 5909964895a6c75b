import { scalarResolvers } from '@crm/service-kit';
import type { Resolvers } from '../__generated__/resolvers-types.ts';
import { Customer } from './Customer.ts';
import { Interaction } from './Interaction.ts';
import { logInteraction } from './Mutation/log-interaction.ts';
import { Query } from './Query.ts';
import { Task } from './Task.ts';

export const resolvers: Resolvers = {
  DateTime: scalarResolvers.DateTime,
  Query,
  Mutation: { logInteraction },
  Customer,
  Interaction,
  Task,
};
