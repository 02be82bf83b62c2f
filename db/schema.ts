import { sql } from 'drizzle-orm';
import {
  bigserial,
  boolean,
  customType,
  date,
  index,
  integer,
  jsonb,
  pgTable,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';
import type { Decision } from '../workflows/renewal.js';

const bytea = customType<{ data: Uint8Array; driverData: Uint8Array }>({
  dataType: () => 'bytea',
});

const createdAt = () => timestamp('created_at', { withTimezone: true }).notNull().defaultNow();

export const establishments = pgTable('establishments', {
  uai: text('uai').primaryKey(),
  name: text('name').notNull(),
  kind: text('kind').notNull(),
});

/** The directory: one row per member of staff, with the N+1 link that decides who approves. */
export const people = pgTable(
  'people',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    uid: text('uid').notNull().unique(),
    firstName: text('first_name').notNull(),
    lastName: text('last_name').notNull(),
    email: text('email').notNull(),
    title: text('title').notNull(),
    establishmentUai: text('establishment_uai').references(() => establishments.uai),
    managerId: uuid('manager_id'),
    /**
     * The N+2 when the directory names one: heads of school and inspectors, who are their own
     * N+1, and people whose N+1 is missing. Otherwise the N+2 is the N+1's own N+1.
     */
    n2Id: uuid('n2_id'),
    /** Primary-school director on a permanent post: approval is automatic. */
    isPermanentDirector: boolean('is_permanent_director').notNull().default(false),
    isOperator: boolean('is_operator').notNull().default(false),
    createdAt: createdAt(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex('people_email_idx').on(sql`lower(${t.email})`)],
);

/** ONDE delegations make an acting director's approval automatic while they are current. */
export const delegations = pgTable('delegations', {
  id: uuid('id').primaryKey().defaultRandom(),
  personId: uuid('person_id')
    .notNull()
    .references(() => people.id),
  kind: text('kind').notNull(),
  startsOn: date('starts_on').notNull(),
  endsOn: date('ends_on'),
});

export const keys = pgTable('keys', {
  serial: text('serial').primaryKey(),
  personId: uuid('person_id')
    .notNull()
    .references(() => people.id),
  type: text('type', { enum: ['software', 'hardware'] }).notNull(),
  expiresOn: date('expires_on').notNull(),
  state: text('state', { enum: ['active', 'replaced'] })
    .notNull()
    .default('active'),
  replacesSerial: text('replaces_serial'),
  createdAt: createdAt(),
});

export const terminalStatuses = ['completed', 'rejected', 'cancelled'] as const;

/**
 * Read model of each renewal. The workflow is the source of truth; activities keep this row
 * current (guarded by `version`) so that lists never have to ask Temporal.
 */
export const renewals = pgTable(
  'renewals',
  {
    id: uuid('id').primaryKey(),
    workflowId: text('workflow_id').notNull(),
    runId: text('run_id'),
    keySerial: text('key_serial')
      .notNull()
      .references(() => keys.serial),
    requesterId: uuid('requester_id')
      .notNull()
      .references(() => people.id),
    keyType: text('key_type', { enum: ['software', 'hardware'] }).notNull(),
    reason: text('reason', { enum: ['teletravail', 'applications', 'autres'] }).notNull(),
    comment: text('comment'),
    /** The person asked to decide (shown at creation, emailed); the N+1 unless the agent chose. */
    validatorId: uuid('validator_id').references(() => people.id),
    n1Id: uuid('n1_id').references(() => people.id),
    n2Id: uuid('n2_id').references(() => people.id),
    status: text('status').notNull(),
    stepSince: timestamp('step_since', { withTimezone: true }).notNull().defaultNow(),
    stepTimes: jsonb('step_times').$type<Record<string, string>>().notNull().default({}),
    decision: jsonb('decision').$type<Decision | null>(),
    mobileOs: text('mobile_os'),
    charterVersion: text('charter_version'),
    charterCode: text('charter_code'),
    newKeySerial: text('new_key_serial'),
    slotId: uuid('slot_id'),
    /** Why the request sits in the operators' queue: `no_approver` or `approval_stalled`. */
    attention: text('attention'),
    version: integer('version').notNull().default(0),
    createdAt: createdAt(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('renewals_one_open_per_key')
      .on(t.keySerial)
      .where(sql`${t.status} not in ('completed', 'rejected', 'cancelled')`),
    index('renewals_requester_idx').on(t.requesterId),
    index('renewals_status_idx').on(t.status),
  ],
);

/** Supporting documents: the bytes live here, workflows only ever see the row id. */
export const attachments = pgTable(
  'attachments',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    renewalId: uuid('renewal_id')
      .notNull()
      .references(() => renewals.id),
    filename: text('filename').notNull(),
    contentType: text('content_type').notNull(),
    size: integer('size').notNull(),
    sha256: text('sha256').notNull(),
    /** Emptied when the retention period ends; name, size and hash stay as proof. */
    content: bytea('content'),
    createdAt: createdAt(),
    deletedAt: timestamp('deleted_at', { withTimezone: true }),
  },
  (t) => [uniqueIndex('attachments_renewal_hash').on(t.renewalId, t.sha256)],
);

/**
 * Audit trail: who did what, when, per renewal. `seq` makes projection retries harmless; events
 * the API records after the workflow has closed (a late decision) have none and sort last.
 */
export const events = pgTable(
  'events',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    renewalId: uuid('renewal_id')
      .notNull()
      .references(() => renewals.id),
    seq: integer('seq'),
    type: text('type').notNull(),
    actorId: uuid('actor_id'),
    detail: jsonb('detail').$type<Record<string, unknown>>().notNull().default({}),
    at: timestamp('at', { withTimezone: true }).notNull(),
  },
  (t) => [uniqueIndex('events_renewal_seq').on(t.renewalId, t.seq)],
);

/** Every email okey sends, keyed by renewal and step so that a retry never sends twice. */
export const emails = pgTable('emails', {
  id: uuid('id').primaryKey().defaultRandom(),
  idempotencyKey: text('idempotency_key').notNull().unique(),
  renewalId: uuid('renewal_id').references(() => renewals.id),
  template: text('template').notNull(),
  to: text('to').notNull(),
  subject: text('subject').notNull(),
  text: text('text').notNull(),
  html: text('html').notNull(),
  status: text('status', { enum: ['pending', 'sent', 'outbox', 'failed'] }).notNull(),
  providerId: text('provider_id'),
  error: text('error'),
  createdAt: createdAt(),
  sentAt: timestamp('sent_at', { withTimezone: true }),
});

export const inboundStatuses = [
  'matched',
  'unmatched',
  'ambiguous',
  'already_received',
  'ignored',
] as const;

/**
 * Messages received by the OKEY mailbox (enrollment emails), matched or kept for operators.
 * `unmatched` and `ambiguous` ones wait for an operator to attach them to a request.
 */
export const inboundEmails = pgTable('inbound_emails', {
  id: text('id').primaryKey(),
  fromAddress: text('from_address').notNull(),
  subject: text('subject').notNull(),
  receivedAt: timestamp('received_at', { withTimezone: true }).notNull(),
  renewalId: uuid('renewal_id').references(() => renewals.id),
  status: text('status', { enum: inboundStatuses }).notNull(),
  /** The operator who attached an unmatched message to a request by hand. */
  attachedById: uuid('attached_by_id').references(() => people.id),
  attachedAt: timestamp('attached_at', { withTimezone: true }),
  createdAt: createdAt(),
});

export const slots = pgTable('slots', {
  id: uuid('id').primaryKey().defaultRandom(),
  startsAt: timestamp('starts_at', { withTimezone: true }).notNull(),
  location: text('location').notNull(),
  renewalId: uuid('renewal_id').references(() => renewals.id),
});
