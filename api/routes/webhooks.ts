import { and, eq, sql } from 'drizzle-orm';
import { Hono } from 'hono';
import { Resend } from 'resend';
import { inboundEmails, people, renewals } from '../../db/schema.js';
import { enrollmentEmailReceivedSignal } from '../../workflows/renewal.js';
import type { AppEnv } from '../context.js';
import { HttpError } from '../errors.js';

/** `"Marie Payet" <Marie.Payet+okey@academie.example>` → `marie.payet@academie.example`. */
export function normalizeAddress(raw: string): string {
  const inBrackets = /<([^>]+)>/.exec(raw)?.[1] ?? raw;
  const [local = '', domain = ''] = inBrackets.trim().toLowerCase().split('@');
  return `${local.split('+')[0]}@${domain}`;
}

interface ReceivedEvent {
  type: string;
  created_at: string;
  data: { email_id: string; from: string; to: string[]; subject: string; created_at?: string };
}

/**
 * Resend's webhooks, signed the Svix way. Only `email.received` matters: an agent's enrollment
 * email reaching the OKEY mailbox. A replayed delivery finds its row and changes nothing.
 */
export const webhookRoutes = new Hono<AppEnv>().post('/resend', async (c) => {
  const { config, db, temporal } = c.var.deps;
  if (!config.RESEND_WEBHOOK_SECRET) {
    throw new HttpError(503, 'webhook_disabled', 'RESEND_WEBHOOK_SECRET n’est pas configuré.');
  }
  const payload = await c.req.text();
  let event: ReceivedEvent;
  try {
    // The SDK only needs a key to call the API; verification is local.
    event = new Resend(config.RESEND_API_KEY ?? 're_verify_only').webhooks.verify({
      payload,
      headers: {
        id: c.req.header('svix-id') ?? '',
        timestamp: c.req.header('svix-timestamp') ?? '',
        signature: c.req.header('svix-signature') ?? '',
      },
      webhookSecret: config.RESEND_WEBHOOK_SECRET,
    }) as unknown as ReceivedEvent;
  } catch {
    throw new HttpError(401, 'invalid_signature', 'Signature du webhook invalide ou expirée.');
  }
  if (event.type !== 'email.received') return c.json({ status: 'ignored' });

  const data = event.data;
  const toMailbox = data.to.some((t) => normalizeAddress(t) === config.OKEY_MAILBOX.toLowerCase());
  const from = normalizeAddress(data.from);
  const candidates = toMailbox
    ? await db
        .select({ id: renewals.id, workflowId: renewals.workflowId, runId: renewals.runId })
        .from(renewals)
        .innerJoin(people, eq(people.id, renewals.requesterId))
        .where(
          and(
            eq(renewals.status, 'awaiting_enrollment_email'),
            eq(sql`lower(${people.email})`, from),
          ),
        )
    : [];
  const match = candidates.length === 1 ? candidates[0] : undefined;
  const inserted = await db
    .insert(inboundEmails)
    .values({
      id: data.email_id,
      fromAddress: from,
      subject: data.subject ?? '',
      receivedAt: new Date(data.created_at ?? event.created_at),
      renewalId: match?.id ?? null,
      status: !toMailbox ? 'ignored' : match ? 'matched' : 'unmatched',
    })
    .onConflictDoNothing()
    .returning({ id: inboundEmails.id });
  if (inserted.length === 0) return c.json({ status: 'duplicate' });
  if (match) {
    await temporal.workflow
      .getHandle(match.workflowId, match.runId ?? undefined)
      .signal(enrollmentEmailReceivedSignal, { inboundEmailId: data.email_id });
    c.var.log.info('enrollment email matched', { renewalId: match.id, emailId: data.email_id });
    return c.json({ status: 'matched', renewalId: match.id });
  }
  c.var.log.info('inbound email kept for operators', { emailId: data.email_id });
  return c.json({ status: toMailbox ? 'unmatched' : 'ignored' });
});
