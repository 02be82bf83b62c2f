import { eq } from 'drizzle-orm';
import { Hono } from 'hono';
import { Resend } from 'resend';
import { z } from 'zod';
import { inboundEmails } from '../../db/schema.js';
import { enrollmentEmailReceivedSignal } from '../../workflows/renewal.js';
import type { AppEnv } from '../context.js';
import { HttpError } from '../errors.js';
import { type InboundMessage, matchInbound, normalizeAddress } from '../inbound.js';

/** A signed body is authentic, not necessarily well formed: it is checked before use. */
const receivedEvent = z.object({
  type: z.literal('email.received'),
  created_at: z.string().optional(),
  data: z.object({
    email_id: z.string().min(1).max(200),
    from: z.string().max(1000).optional(),
    to: z.array(z.string().max(1000)).max(100).optional(),
    subject: z.string().max(2000).optional(),
    created_at: z.string().optional(),
  }),
});
type ReceivedEvent = z.infer<typeof receivedEvent>;

const dateOr = (...candidates: (string | undefined)[]) => {
  for (const c of candidates) {
    const d = c ? new Date(c) : null;
    if (d && !Number.isNaN(d.getTime())) return d;
  }
  return new Date();
};

/**
 * Resend's webhooks, signed the Svix way and verified on the raw body (a bad signature or a
 * timestamp more than 5 minutes off gets 401). Only `email.received` matters: an agent's
 * enrollment email reaching the OKEY mailbox. A replayed delivery finds its row and changes
 * nothing; a message okey cannot place is kept for operators.
 */
export const webhookRoutes = new Hono<AppEnv>().post('/resend', async (c) => {
  const { config, db, temporal } = c.var.deps;
  if (!config.RESEND_WEBHOOK_SECRET) {
    throw new HttpError(503, 'webhook_disabled', 'RESEND_WEBHOOK_SECRET n’est pas configuré.');
  }
  const resend = new Resend(config.RESEND_API_KEY ?? 're_verify_only', {
    baseUrl: config.RESEND_BASE_URL ?? 'https://api.resend.com',
  });
  const payload = await c.req.text();
  let verified: unknown;
  try {
    // Verification is local: the SDK needs an API key only to call the API.
    verified = resend.webhooks.verify({
      payload,
      headers: {
        id: c.req.header('svix-id') ?? '',
        timestamp: c.req.header('svix-timestamp') ?? '',
        signature: c.req.header('svix-signature') ?? '',
      },
      webhookSecret: config.RESEND_WEBHOOK_SECRET,
    });
  } catch {
    throw new HttpError(401, 'invalid_signature', 'Signature du webhook invalide ou expirée.');
  }
  if ((verified as { type?: unknown })?.type !== 'email.received') {
    return c.json({ status: 'ignored' });
  }
  const event = receivedEvent.parse(verified);
  const emailId = event.data.email_id;
  const [seen] = await db
    .select({ status: inboundEmails.status })
    .from(inboundEmails)
    .where(eq(inboundEmails.id, emailId));
  if (seen) return c.json({ status: 'duplicate' });

  const message = await readMessage(c, resend, event);
  const match = await matchInbound(db, config.OKEY_MAILBOX, message);
  const renewalId =
    match.status === 'matched'
      ? match.renewal.id
      : match.status === 'already_received'
        ? match.renewalId
        : null;
  const inserted = await db.transaction(async (tx) => {
    const rows = await tx
      .insert(inboundEmails)
      .values({
        id: emailId,
        fromAddress: normalizeAddress(message.from),
        subject: message.subject,
        receivedAt: dateOr(event.data.created_at, event.created_at),
        renewalId,
        status: match.status,
      })
      .onConflictDoNothing()
      .returning({ id: inboundEmails.id });
    if (rows.length > 0 && match.status === 'matched') {
      // Inside the transaction: if Temporal is unreachable the row goes too, and Resend's retry
      // of this webhook finds nothing recorded and tries again.
      await temporal.workflow
        .getHandle(match.renewal.workflowId, match.renewal.runId ?? undefined)
        .signal(enrollmentEmailReceivedSignal, { inboundEmailId: emailId });
    }
    return rows.length > 0;
  });
  if (!inserted) return c.json({ status: 'duplicate' });
  c.var.log.info('inbound email recorded', { emailId, status: match.status, renewalId });
  return c.json({ status: match.status, ...(renewalId ? { renewalId } : {}) });
});

/**
 * The message as Resend stored it. With an API key okey reads it through the SDK, which is
 * authoritative; without one, or if the read fails, the webhook's own fields serve.
 */
async function readMessage(
  c: { var: AppEnv['Variables'] },
  resend: Resend,
  event: ReceivedEvent,
): Promise<InboundMessage> {
  const fromHook = {
    from: event.data.from ?? '',
    to: event.data.to ?? [],
    subject: event.data.subject ?? '',
  };
  if (c.var.deps.config.RESEND_API_KEY) {
    const { data, error } = await resend.emails.receiving.get(event.data.email_id);
    if (data) return { from: data.from, to: data.to, subject: data.subject ?? '' };
    c.var.log.warn('inbound email fetch failed', {
      emailId: event.data.email_id,
      error: error?.name ?? 'unknown',
    });
  }
  if (!fromHook.from) {
    // Without a sender nothing can be matched; a non-2xx answer makes Resend deliver it again.
    throw new HttpError(
      503,
      'inbound_unreadable',
      'Le message reçu ne peut pas être lu pour le moment ; réessayez plus tard.',
    );
  }
  return fromHook;
}
