import type { MutationResolvers } from '../../__generated__/resolvers-types.ts';
import { updateRiskWarningRule as updateRiskWarningRuleCommand } from '../../commands/update-risk-warning-rule.ts';

/** Changes an early-warning rule's threshold, severity or activity. */
export const updateRiskWarningRule: MutationResolvers['updateRiskWarningRule'] = (_parent, { input }, ctx) => updateRiskWarningRuleCommand(ctx, input);
