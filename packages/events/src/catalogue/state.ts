import { z } from 'zod';
import { riskClass } from './credit.ts';
import { consentPurpose, customerGrade, customerKind, customerStatus, specialCareFlag } from './customers.ts';
import { defineState, f } from './define.ts';
import { complaintStatus } from './engagement.ts';

/**
 * State records: the full current state of each main aggregate after every change, on a
 * compacted topic per aggregate (`crm.<producer>.<aggregate>.state.v1`, key = `subject` = the
 * aggregate id), written through the outbox in the transaction of the change. A new consumer
 * reads the topic from the beginning and keeps the last record per key.
 *
 * Free text (task titles, complaint descriptions, notes) stays in the owning service; contact
 * details are carried for servicing, and for marketing only while the customer's
 * MARKETING_CONTACT consent is granted (see packages/events/README.md).
 */

const contactDetails = z.object({ phone: z.string().nullable(), email: z.string().nullable() });

export const stateRecords = {
  CustomerState: defineState(
    'customers',
    'customer',
    'CustomerState',
    'The current state of a customer (keyed by customer id). `contact` is for servicing the customer’s own contracts (notices, collections); `marketingContact` is null unless MARKETING_CONTACT consent is granted, and is the only contact a marketing sender may use.',
    z.object({
      customerId: f.id,
      kind: customerKind,
      status: customerStatus,
      displayName: z.string().min(1),
      branchId: f.id,
      relationshipManagerId: f.id.nullable(),
      grade: customerGrade.nullable(),
      birthDate: f.date.nullable(),
      industry: z.string().nullable(),
      preferredChannel: z.string().nullable(),
      preferredLanguage: z.string().nullable(),
      /** The window the customer prefers to be contacted in, local time "HH:MM-HH:MM"; null when none (absent in older records). */
      contactTime: z.string().nullable().default(null),
      /** Interest codes (e.g. AGRICULTURE, SAVINGS), for offers and segments (absent in older records). */
      interests: z.array(z.string()).default([]),
      /** NONE, PRIMARY, SECONDARY, VOCATIONAL, TERTIARY or POSTGRADUATE (individuals); null when unknown (absent in older records). */
      educationLevel: z.string().nullable().default(null),
      contact: contactDetails,
      marketingContact: contactDetails.nullable(),
      /** Every purpose with its current answer (false when never granted). */
      consents: z.array(z.object({ purpose: consentPurpose, granted: z.boolean() })),
      specialCare: z.array(specialCareFlag),
      registeredAt: f.instant,
      updatedAt: f.instant,
    }),
  ),
  LoanState: defineState(
    'credit',
    'loan',
    'LoanState',
    'The current state of a loan (keyed by loan id): status, outstanding principal, delinquency and risk class.',
    z.object({
      loanId: f.id,
      customerId: f.id,
      productCode: z.string(),
      status: z.enum(['APPLIED', 'APPROVED', 'ACTIVE', 'CLOSED', 'WRITTEN_OFF']),
      currency: f.currency,
      principal: f.money,
      outstandingPrincipal: f.money,
      annualRate: f.decimal,
      termCount: z.number().int().nullable(),
      branchId: f.id.nullable(),
      officerId: f.id.nullable(),
      disbursedOn: f.date.nullable(),
      closedOn: f.date.nullable(),
      writtenOffOn: f.date.nullable(),
      scheduleVersion: z.number().int(),
      /** As of the latest event that changed the bucket (days past due grow daily without an event; derive them from the schedule). */
      delinquencyBucket: z.string(),
      riskClass,
    }),
  ),
  LoyaltyAccountState: defineState(
    'loyalty',
    'account',
    'LoyaltyAccountState',
    'The current state of a loyalty account (keyed by account id): points balance and tier.',
    z.object({
      accountId: f.id,
      customerId: f.id,
      tier: z.string(),
      tierSince: f.date.nullable(),
      downgradeOn: f.date.nullable(),
      balance: z.number().int(),
      openedAt: f.instant,
    }),
  ),
  TaskState: defineState(
    'engagement',
    'task',
    'TaskState',
    'The current state of a task (keyed by task id); title and description stay in engagement.',
    z.object({
      taskId: f.id,
      customerId: f.id,
      loanId: f.id.nullable(),
      type: z.string(),
      priority: z.enum(['LOW', 'NORMAL', 'HIGH', 'URGENT']),
      status: z.enum(['OPEN', 'IN_PROGRESS', 'DONE', 'CANCELLED']),
      assigneeId: f.id.nullable(),
      dueAt: f.instant,
      createdAt: f.instant,
      startedAt: f.instant.nullable(),
      completedAt: f.instant.nullable(),
      cancelledAt: f.instant.nullable(),
      /** A retention task's recorded outcome (SAVED, LOST, NOT_REACHED); null until recorded, absent in older records. */
      outcome: z.string().nullable().optional(),
    }),
  ),
  ComplaintState: defineState(
    'engagement',
    'complaint',
    'ComplaintState',
    'The current state of a complaint (keyed by complaint id); the description and resolution text stay in engagement.',
    z.object({
      complaintId: f.id,
      customerId: f.id,
      kind: z.enum(['COMPLAINT', 'SUGGESTION', 'PRAISE']),
      category: z.string(),
      severity: z.enum(['LOW', 'MEDIUM', 'HIGH', 'CRITICAL']),
      channel: z.string(),
      status: complaintStatus,
      assigneeId: f.id.nullable(),
      receivedAt: f.instant,
      acknowledgeDueAt: f.instant,
      resolveDueAt: f.instant,
      acknowledgedAt: f.instant.nullable(),
      resolvedAt: f.instant.nullable(),
      closedAt: f.instant.nullable(),
      reopenedCount: z.number().int(),
      compensation: f.money.nullable(),
      currency: f.currency.nullable(),
    }),
  ),
} as const;
