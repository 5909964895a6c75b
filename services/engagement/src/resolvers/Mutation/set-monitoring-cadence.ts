import type { MutationResolvers } from '../../__generated__/resolvers-types.ts';
import { setMonitoringCadence as run } from '../../commands/set-monitoring-cadence.ts';

export const setMonitoringCadence: MutationResolvers['setMonitoringCadence'] = (_parent, { input }, ctx) => run(ctx, input);
