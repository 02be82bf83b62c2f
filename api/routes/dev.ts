import { desc } from 'drizzle-orm';
import { Hono } from 'hono';
import { z } from 'zod';
import { emails } from '../../db/schema.js';
import { emailReceived, svixHeaders } from '../../lib/resend-webhook.js';
import type { AppEnv } from '../context.js';
import { HttpError, jsonBody } from '../errors.js';

/**
 * Development only: what okey would have sent, and a stand-in for Resend delivering an email to
 * the OKEY mailbox (signed, then passed through the real webhook, verification included).
 */
export function devRoutes(app: Hono<AppEnv>) {
  return new Hono<AppEnv>()
    .get('/outbox', async (c) => {
      const rows = await c.var.deps.db.select().from(emails).orderBy(desc(emails.createdAt));
      return c.json({
        emails: rows.map((e) => ({
          to: e.to,
          subject: e.subject,
          text: e.text,
          template: e.template,
          renewalId: e.renewalId,
          status: e.status,
          createdAt: e.createdAt.toISOString(),
        })),
      });
    })
    .post('/inbound-email', async (c) => {
      const { config } = c.var.deps;
      const { from, subject } = await jsonBody(
        c,
        z.object({ from: z.string().min(3), subject: z.string().default('Installation OKEY') }),
      );
      if (!config.RESEND_WEBHOOK_SECRET) {
        throw new HttpError(503, 'webhook_disabled', 'RESEND_WEBHOOK_SECRET n’est pas configuré.');
      }
      const body = emailReceived({ from, to: config.OKEY_MAILBOX, subject });
      const res = await app.request('/webhooks/resend', {
        method: 'POST',
        headers: svixHeaders(config.RESEND_WEBHOOK_SECRET, body),
        body,
      });
      return c.json(await res.json(), res.status as 200);
    });
}
