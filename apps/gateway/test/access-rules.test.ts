/**
 * The composed API against the subgraphs' access rules: every Query and Mutation field of the
 * composed schema has a role rule in the subgraph that resolves it, every field of
 * SENSITIVE_FIELDS is marked with its class there, and every field that looks personal is either
 * sensitive or reviewed as impersonal below.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { accessRulesOf, SENSITIVE_FIELDS } from '@crm/service-kit';
import type * as GraphQL from 'graphql';
import { describe, expect, it } from 'vitest';
import { creditService, customersService, engagementService, loyaltyService } from '../src/services.ts';

const require = createRequire(import.meta.resolve('@apollo/gateway'));
const graphql = require('graphql') as typeof GraphQL;
const { buildSubgraphSchema } = require('@apollo/subgraph') as typeof import('@apollo/subgraph');

const api = graphql.buildSchema(readFileSync(new URL('../schema.graphql', import.meta.url), 'utf8'));
const subgraphs = [customersService, creditService, engagementService, loyaltyService].map((s) => ({
  name: s.name,
  rules: accessRulesOf(buildSubgraphSchema({ typeDefs: s.typeDefs }) as unknown as Parameters<typeof accessRulesOf>[0]),
}));

/** Fields whose names look personal but hold product configuration or the caller's own input. */
const IMPERSONAL = new Set([
  'LoanProduct.name',
  'RiskClassOverride.reason', // a risk officer's justification, shown to risk staff only (the type's rule)
  'RiskClassChange.reason', // system text: the rule that moved the class
  'RiskWarningRule.description',
  'CustomerDocument.title', // reached only through Customer.documents, which is sensitive
  'CustomerSegment.name',
  'CustomerSegment.description',
  'UpdateCustomerProfilePayload.changes', // the caller's own change, returned to the caller
  'Survey.name',
  'SurveyQuestion.text',
  'CareHoliday.name',
  'CareEvent.title',
  'CareEvent.location',
  'ChurnSignalWeight.description',
  'Notification.reason', // an enum: why a notification was suppressed or failed
  'WorklistRankFactor.reason', // system text: why a task ranks where it does (a factor's rule and value)
  'Expert.name', // a staff member's name in the internal expert directory, no customer data
  'EngagementJobCount.name',
  'LoyaltyTier.name',
  'LoyaltyEarningRule.description',
  'LoyaltyReward.name',
  'LoyaltyJobCount.name',
  'JobCount.name',
  'JobRun.outcome',
  'LoyaltyProgrammeChange.before', // programme configuration
  'LoyaltyProgrammeChange.after',
  'AuditRecord.outcome',
  'AuditRecord.changes', // masked by field name when written (MASKED_FIELDS)
  'AuditRecord.detail',
  'AuditChange.before',
  'AuditChange.after',
  // issue 15: outcomes are enums; a crisis measure's name and an offer rule's title are institution configuration
  'RiskWarning.outcome',
  'Task.outcome',
  'CrisisMeasure.name',
  'OfferRule.title',
]);
const LOOKS_PERSONAL =
  /^(first|last|legal)Name$|birthDate|nationalId|registrationNumber|^phone$|^email$|^address$|employer|legalRepresentative|^(note|notes|reason|cancelReason|description|summary|text|findings|resolution|comment|outcome|indicators|name|title|location|detail|changes|before|after)$/;

function objectTypes(schema: GraphQL.GraphQLSchema): GraphQL.GraphQLObjectType[] {
  return Object.values(schema.getTypeMap()).filter((t): t is GraphQL.GraphQLObjectType => graphql.isObjectType(t) && !t.name.startsWith('__'));
}

describe('access rules of the composed API', () => {
  it('gives every Query and Mutation field a role rule in the subgraph that resolves it', () => {
    const missing: string[] = [];
    for (const root of [api.getQueryType(), api.getMutationType()]) {
      for (const field of Object.values(root?.getFields() ?? {})) {
        const key = `${root?.name}.${field.name}`;
        const owners = subgraphs.filter((s) => s.rules.has(key));
        if (!owners.length || owners.some((s) => !s.rules.get(key)?.roles?.length)) missing.push(key);
      }
    }
    expect(missing).toEqual([]);
  });

  it('marks every field of SENSITIVE_FIELDS with its class in the owning subgraph', () => {
    const wrong: string[] = [];
    for (const [key, data] of Object.entries(SENSITIVE_FIELDS)) {
      const [type, field] = key.split('.') as [string, string];
      if (!(api.getType(type) as GraphQL.GraphQLObjectType | undefined)?.getFields?.()[field]) wrong.push(`${key}: not in the composed API`);
      const marks = subgraphs.filter((s) => s.rules.has(key)).map((s) => s.rules.get(key)?.sensitive);
      if (!marks.length || marks.some((m) => m !== data))
        wrong.push(`${key}: ${marks.map((m) => m ?? 'unmarked').join(',') || 'no subgraph'} instead of ${data}`);
    }
    expect(wrong).toEqual([]);
  });

  it('leaves no personal-looking field unreviewed, and no sensitive mark outside the list', () => {
    const listed = new Set(Object.keys(SENSITIVE_FIELDS));
    const unreviewed = objectTypes(api)
      .flatMap((t) => Object.keys(t.getFields()).map((f) => `${t.name}.${f}`))
      .filter((key) => LOOKS_PERSONAL.test(key.split('.')[1] ?? '') && !listed.has(key) && !IMPERSONAL.has(key));
    expect(unreviewed).toEqual([]);
    const unlisted = subgraphs.flatMap((s) => [...s.rules].filter(([key, r]) => r.sensitive && !listed.has(key)).map(([key]) => `${s.name}: ${key}`));
    expect(unlisted).toEqual([]);
  });
});
