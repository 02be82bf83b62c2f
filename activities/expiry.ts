import { ApplicationFailure } from '@temporalio/activity';
import { and, eq, gte, lte, notInArray, sql } from 'drizzle-orm';
import { emails, keys, people, renewals, terminalStatuses } from '../db/schema.js';
import type { ActivityDeps } from './index.js';
import { renderEmail } from './templates.js';

const dayMs = 86_400_000;

/**
 * Invitations before expiry, run daily by a Temporal Schedule. Each holder of an active key with no
 * open renewal hears once per threshold: the email row is keyed by key, threshold and expiry date,
 * so a rerun, a retry or a second run the same day sends nothing more.
 */
export function createExpiryActivities(deps: ActivityDeps) {
  const { db } = deps;
  return {
    async sendExpiryInvitations({
      today,
      thresholds,
    }: {
      /** The date in La Réunion, YYYY-MM-DD, from the workflow. */
      today: string;
      /** Days before expiry, e.g. [45, 30, 7]. */
      thresholds: number[];
    }): Promise<{ invited: number }> {
      const horizon = Math.max(...thresholds);
      const open = db
        .select({ keySerial: renewals.keySerial })
        .from(renewals)
        .where(notInArray(renewals.status, [...terminalStatuses]));
      const due = await db
        .select({
          serial: keys.serial,
          type: keys.type,
          expiresOn: keys.expiresOn,
          first: people.firstName,
          last: people.lastName,
          email: people.email,
        })
        .from(keys)
        .innerJoin(people, eq(people.id, keys.personId))
        .where(
          and(
            eq(keys.state, 'active'),
            gte(keys.expiresOn, today),
            lte(keys.expiresOn, sql`(${today}::date + ${horizon}::int)`),
            notInArray(keys.serial, open),
          ),
        );
      let invited = 0;
      for (const key of due) {
        const daysLeft = Math.round((Date.parse(key.expiresOn) - Date.parse(today)) / dayMs);
        // The nearest threshold only: a key first seen 6 days before expiry gets the 7-day email.
        const threshold = Math.min(...thresholds.filter((t) => t >= daysLeft));
        const name = `${key.first} ${key.last}`;
        const rendered = renderEmail('expiry_invitation', {
          requesterName: name,
          recipientName: name,
          keySerial: key.serial,
          keyType: key.type,
          renewalUrl: `${deps.publicUrl}/`,
          approvalUrl: `${deps.publicUrl}/`,
          expiresOn: key.expiresOn,
          daysLeft,
        });
        const idempotencyKey = `expiry/${key.serial}/${threshold}/${key.expiresOn}`;
        if (await deliverOnce(deps, idempotencyKey, key.email, rendered)) invited += 1;
      }
      deps.log.info('expiry invitations', { today, due: due.length, invited });
      return { invited };
    },
  };
}

/** Claims the email row, then sends; false when that key was already sent or refused. */
async function deliverOnce(
  deps: ActivityDeps,
  idempotencyKey: string,
  to: string,
  rendered: { subject: string; text: string; html: string },
): Promise<boolean> {
  const { db } = deps;
  await db
    .insert(emails)
    .values({ idempotencyKey, template: 'expiry_invitation', to, ...rendered, status: 'pending' })
    .onConflictDoNothing();
  const [row] = await db
    .select({ status: emails.status })
    .from(emails)
    .where(eq(emails.idempotencyKey, idempotencyKey));
  if (row?.status !== 'pending') return false;
  try {
    const { providerId } = await deps.mailer.deliver(
      { from: deps.mailFrom, to, ...rendered },
      idempotencyKey,
    );
    await db
      .update(emails)
      .set({
        status: deps.mailer.kind === 'outbox' ? 'outbox' : 'sent',
        providerId,
        sentAt: sql`now()`,
      })
      .where(eq(emails.idempotencyKey, idempotencyKey));
    return true;
  } catch (err) {
    if (!(err instanceof ApplicationFailure && err.nonRetryable)) throw err;
    await db
      .update(emails)
      .set({ status: 'failed', error: err.message })
      .where(eq(emails.idempotencyKey, idempotencyKey));
    return false;
  }
}
