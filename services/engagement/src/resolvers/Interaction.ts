import type { InteractionResolvers } from '../__generated__/resolvers-types.ts';

export const Interaction: InteractionResolvers = {
  __resolveReference: (ref, ctx) => ctx.loaders.interaction.load(ref.id),
  customer: (i) => ({ id: i.customer_id }),
  staffId: (i) => i.staff_id,
  occurredAt: (i) => i.occurred_at,
  recordedAt: (i) => i.recorded_at,
};
