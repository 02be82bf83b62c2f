import { createHmac, randomUUID } from 'node:crypto';

/**
 * Signs a body the way Resend (through Svix) does, written from the Svix spec rather than with
 * the SDK that verifies it: v1,base64(HMAC-SHA256(secret, "id.timestamp.body")). For the tests
 * and for the development route that plays an agent's enrollment email.
 */
export function svixHeaders(secret: string, body: string, at = new Date()) {
  const id = `msg_${randomUUID().replaceAll('-', '')}`;
  const timestamp = String(Math.floor(at.getTime() / 1000));
  const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
  const signature = createHmac('sha256', key).update(`${id}.${timestamp}.${body}`).digest('base64');
  return {
    'content-type': 'application/json',
    'svix-id': id,
    'svix-timestamp': timestamp,
    'svix-signature': `v1,${signature}`,
  };
}

/** An `email.received` event shaped as Resend sends it. */
export function emailReceived(options: { from: string; to: string; subject: string }) {
  const now = new Date().toISOString();
  return JSON.stringify({
    type: 'email.received',
    created_at: now,
    data: {
      email_id: randomUUID(),
      created_at: now,
      from: options.from,
      to: [options.to],
      bcc: [],
      cc: [],
      message_id: `<${randomUUID()}@mail.academie.example>`,
      subject: options.subject,
      attachments: [],
    },
  });
}
