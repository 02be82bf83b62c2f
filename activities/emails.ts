import { ApplicationFailure } from '@temporalio/activity';
import { eq, sql } from 'drizzle-orm';
import { alias } from 'drizzle-orm/pg-core';
import type { Database } from '../db/client.js';
import { emails, keys, people, renewals, slots } from '../db/schema.js';
import type { Logger } from '../lib/log.js';
import { renewalReference } from '../lib/reference.js';
import type { Mailer } from './mailer.js';
import {
  approverTemplates,
  type RenderedEmail,
  renderEmail,
  type TemplateName,
} from './templates.js';

export interface EmailDeps {
  db: Database;
  mailer: Mailer;
  mailFrom: string;
  publicUrl: string;
  /** The mailbox agents write to for the enrollment step. */
  okeyMailbox?: string;
}

export type EmailOutcome = 'sent' | 'outbox' | 'failed';

export interface SendEmailArgs {
  renewalId: string;
  template: TemplateName;
  /** Distinguishes two emails of one template on one request (e.g. the 2nd reminder). */
  step: string;
  /** ISO date announced by the message (automatic cancellation, for instance). */
  deadline?: string;
}

/**
 * Emails keyed by renewal (or key), template and step. The row is written before the first
 * attempt and every retry sends the stored row as it is, with the row's key as Resend's
 * Idempotency-Key: Resend answers a repeated key and body with the first result instead of
 * sending again, so a worker that dies after Resend accepted the message does not send it twice.
 */
export function createEmailActivities(deps: EmailDeps, log: () => Logger) {
  const { db } = deps;

  async function deliverOnce(
    idempotencyKey: string,
    meta: { renewalId: string | null; template: TemplateName },
    compose: () => Promise<{ to: string } & RenderedEmail>,
  ): Promise<EmailOutcome> {
    let [row] = await db.select().from(emails).where(eq(emails.idempotencyKey, idempotencyKey));
    if (row && row.status !== 'pending') return row.status;
    if (!row) {
      const composed = await compose();
      await db
        .insert(emails)
        .values({ idempotencyKey, ...meta, ...composed, status: 'pending' })
        .onConflictDoNothing();
      [row] = await db.select().from(emails).where(eq(emails.idempotencyKey, idempotencyKey));
      if (!row) throw new Error(`Email ${idempotencyKey} vanished after insert`);
    }
    const fields = { renewalId: meta.renewalId, template: meta.template };
    try {
      const { providerId } = await deps.mailer.deliver(
        { from: deps.mailFrom, to: row.to, subject: row.subject, text: row.text, html: row.html },
        idempotencyKey,
      );
      const status = deps.mailer.kind === 'outbox' ? 'outbox' : 'sent';
      await db
        .update(emails)
        .set({ status, providerId, error: null, sentAt: sql`now()` })
        .where(eq(emails.idempotencyKey, idempotencyKey));
      log().info('email delivered', { ...fields, via: deps.mailer.kind });
      return status;
    } catch (err) {
      if (err instanceof ApplicationFailure && err.nonRetryable) {
        await db
          .update(emails)
          .set({ status: 'failed', error: err.message })
          .where(eq(emails.idempotencyKey, idempotencyKey));
        log().error('email refused', fields);
        // A refused email must not block the renewal: operators see it as failed.
        return 'failed';
      }
      // Remembered for operators while Temporal retries; cleared once the email goes.
      await db
        .update(emails)
        .set({ error: (err as Error).message.slice(0, 500) })
        .where(eq(emails.idempotencyKey, idempotencyKey));
      throw err;
    }
  }

  return {
    /** One email about a renewal, once. */
    async sendEmail(args: SendEmailArgs): Promise<EmailOutcome> {
      return deliverOnce(
        `${args.renewalId}/${args.template}/${args.step}`,
        { renewalId: args.renewalId, template: args.template },
        async () => {
          const ctx = await renewalEmailContext(db, deps, args);
          return { to: ctx.to, ...renderEmail(args.template, ctx.template) };
        },
      );
    },

    /** The invitation to renew a key before it expires, once per key, expiry date and threshold. */
    async sendExpiryInvitation(args: { keySerial: string; daysBefore: number }) {
      const [key] = await db
        .select({
          expiresOn: keys.expiresOn,
          type: keys.type,
          first: people.firstName,
          last: people.lastName,
          email: people.email,
        })
        .from(keys)
        .innerJoin(people, eq(people.id, keys.personId))
        .where(eq(keys.serial, args.keySerial));
      if (!key) throw ApplicationFailure.nonRetryable(`Unknown key ${args.keySerial}`);
      const name = `${key.first} ${key.last}`;
      return deliverOnce(
        `expiry/${args.keySerial}/${key.expiresOn}/${args.daysBefore}`,
        { renewalId: null, template: 'expiry_invitation' },
        async () => ({
          to: key.email,
          ...renderEmail('expiry_invitation', {
            requesterName: name,
            recipientName: name,
            keySerial: args.keySerial,
            keyType: key.type,
            keyExpiresOn: key.expiresOn,
            renewalUrl: `${deps.publicUrl}/renouveler?clef=${encodeURIComponent(args.keySerial)}`,
            approvalUrl: `${deps.publicUrl}/validations`,
          }),
        }),
      );
    },
  };
}

async function renewalEmailContext(db: Database, deps: EmailDeps, args: SendEmailArgs) {
  const validator = alias(people, 'validator');
  const n2 = alias(people, 'n2');
  const [row] = await db
    .select({
      keySerial: renewals.keySerial,
      keyType: renewals.keyType,
      status: renewals.status,
      decision: renewals.decision,
      requester: { first: people.firstName, last: people.lastName, email: people.email },
      validator: { first: validator.firstName, last: validator.lastName, email: validator.email },
      n2: { first: n2.firstName, last: n2.lastName, email: n2.email },
      slot: { startsAt: slots.startsAt, location: slots.location },
    })
    .from(renewals)
    .innerJoin(people, eq(people.id, renewals.requesterId))
    .leftJoin(validator, eq(validator.id, renewals.validatorId))
    .leftJoin(n2, eq(n2.id, renewals.n2Id))
    .leftJoin(slots, eq(slots.id, renewals.slotId))
    .where(eq(renewals.id, args.renewalId));
  if (!row) throw ApplicationFailure.nonRetryable(`Unknown renewal ${args.renewalId}`);
  const recipient =
    args.template === 'approval_escalated_n2'
      ? row.n2
      : approverTemplates.includes(args.template)
        ? row.validator
        : row.requester;
  if (!recipient) {
    throw ApplicationFailure.nonRetryable(
      `Renewal ${args.renewalId} has nobody to receive ${args.template}`,
    );
  }
  return {
    to: recipient.email,
    template: {
      requesterName: `${row.requester.first} ${row.requester.last}`,
      recipientName: `${recipient.first} ${recipient.last}`,
      keySerial: row.keySerial,
      keyType: row.keyType,
      status: row.status,
      renewalUrl: `${deps.publicUrl}/demandes/${args.renewalId}`,
      approvalUrl: `${deps.publicUrl}/validations/${args.renewalId}`,
      reference: renewalReference(args.renewalId),
      mailbox: deps.okeyMailbox,
      reason: row.decision?.reason,
      appointment: row.slot ?? undefined,
      deadline: args.deadline ? new Date(args.deadline) : undefined,
    },
  };
}
