import { and, asc, desc, eq, inArray } from 'drizzle-orm';
import { Hono } from 'hono';
import { z } from 'zod';
import type { Database } from '../../db/client.js';
import { emails, inboundEmails, inboundStatuses } from '../../db/schema.js';
import { renewalReference } from '../../lib/reference.js';
import { enrollmentEmailReceivedSignal } from '../../workflows/renewal.js';
import { requireOperator } from '../auth.js';
import type { AppEnv } from '../context.js';
import { HttpError, jsonBody, notFound } from '../errors.js';
import { candidatesFor } from '../inbound.js';
import { findRenewal } from '../views.js';

/** What happened to each email of a renewal; shown to operators with the request. */
export async function emailsOf(db: Database, renewalId: string) {
  const rows = await db
    .select()
    .from(emails)
    .where(eq(emails.renewalId, renewalId))
    .orderBy(asc(emails.createdAt));
  return rows.map(emailView);
}

const emailView = (e: typeof emails.$inferSelect) => ({
  id: e.id,
  renewalId: e.renewalId,
  reference: e.renewalId ? renewalReference(e.renewalId) : null,
  template: e.template,
  to: e.to,
  subject: e.subject,
  status: e.status,
  error: e.error,
  createdAt: e.createdAt.toISOString(),
  sentAt: e.sentAt?.toISOString() ?? null,
});

const waitingForOperator = ['unmatched', 'ambiguous'] as const;

/** DSI operators: emails that could not be delivered, and received messages okey could not place. */
export const opsRoutes = new Hono<AppEnv>()
  .use('*', requireOperator)

  .get('/emails', async (c) => {
    const status = z
      .enum(['pending', 'sent', 'outbox', 'failed'], {
        message: 'pending, sent, outbox ou failed attendu',
      })
      .default('failed')
      .parse(c.req.query('status'));
    const rows = await c.var.deps.db
      .select()
      .from(emails)
      .where(eq(emails.status, status))
      .orderBy(desc(emails.createdAt));
    return c.json({ emails: rows.map(emailView) });
  })

  .get('/inbound-emails', async (c) => {
    const { db } = c.var.deps;
    const status = z
      .enum([...inboundStatuses, 'all'], { message: `attendus : ${inboundStatuses.join(', ')}` })
      .optional()
      .parse(c.req.query('status'));
    const wanted = status === 'all' ? [...inboundStatuses] : status ? [status] : waitingForOperator;
    const rows = await db
      .select()
      .from(inboundEmails)
      .where(inArray(inboundEmails.status, [...wanted]))
      .orderBy(desc(inboundEmails.receivedAt));
    const views = await Promise.all(
      rows.map(async (m) => ({
        id: m.id,
        from: m.fromAddress,
        subject: m.subject,
        receivedAt: m.receivedAt.toISOString(),
        status: m.status,
        renewalId: m.renewalId,
        candidates: (waitingForOperator as readonly string[]).includes(m.status)
          ? (await candidatesFor(db, m.fromAddress)).map((r) => ({
              id: r.id,
              reference: renewalReference(r.id),
              keySerial: r.keySerial,
            }))
          : [],
      })),
    );
    return c.json({ inboundEmails: views });
  })

  .post('/inbound-emails/:id/attach', async (c) => {
    const { db, temporal } = c.var.deps;
    const { renewalId } = await jsonBody(
      c,
      z.object({ renewalId: z.string().uuid('identifiant de demande invalide') }),
    );
    const id = c.req.param('id');
    const [message] = await db.select().from(inboundEmails).where(eq(inboundEmails.id, id));
    if (!message) throw notFound('Message');
    if (!(waitingForOperator as readonly string[]).includes(message.status)) {
      throw new HttpError(
        409,
        'already_handled',
        `Ce message est déjà traité (état ${message.status}).`,
      );
    }
    const r = await findRenewal(db, renewalId);
    if (r.status !== 'awaiting_enrollment_email') {
      throw new HttpError(
        409,
        'invalid_state',
        `Cette demande n’attend pas d’e-mail d’enrôlement (état ${r.status}).`,
      );
    }
    await db.transaction(async (tx) => {
      const updated = await tx
        .update(inboundEmails)
        .set({
          status: 'matched',
          renewalId: r.id,
          attachedById: c.var.user.id,
          attachedAt: new Date(),
        })
        .where(and(eq(inboundEmails.id, id), inArray(inboundEmails.status, waitingForOperator)))
        .returning({ id: inboundEmails.id });
      if (updated.length === 0) {
        throw new HttpError(409, 'already_handled', 'Ce message vient d’être traité.');
      }
      await temporal.workflow
        .getHandle(r.workflowId, r.runId ?? undefined)
        .signal(enrollmentEmailReceivedSignal, { inboundEmailId: id });
    });
    c.var.log.info('inbound email attached', { emailId: id, renewalId: r.id });
    return c.json({ id, status: 'matched', renewalId: r.id });
  });

export const failedEmailCounts = async (db: Database, ids: string[]) => {
  if (ids.length === 0) return new Map<string, number>();
  const rows = await db
    .select({ renewalId: emails.renewalId })
    .from(emails)
    .where(and(eq(emails.status, 'failed'), inArray(emails.renewalId, ids)));
  const counts = new Map<string, number>();
  for (const { renewalId } of rows) {
    if (renewalId) counts.set(renewalId, (counts.get(renewalId) ?? 0) + 1);
  }
  return counts;
};
