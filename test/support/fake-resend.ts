import { createHash, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface SentMessage {
  id: string;
  idempotencyKey: string | null;
  from: string;
  to: string[];
  subject: string;
  text: string;
  html: string;
}

/** What the server does with a matching POST /emails instead of answering normally. */
export type Failure =
  | { kind: 'status'; status: number; name: string; message?: string }
  /** The connection is cut before anything is recorded. */
  | { kind: 'drop' }
  /** The message is recorded and its key remembered, but the answer never leaves. */
  | { kind: 'accept_then_hang' }
  /** Processing takes `ms`: the key is in progress meanwhile. */
  | { kind: 'delay'; ms: number };

interface Rule {
  failure: Failure;
  times: number;
  when: (body: Record<string, unknown>) => boolean;
}

export interface ReceivedEmail {
  id: string;
  from: string;
  to: string[];
  subject: string;
  text?: string;
}

/**
 * A local stand-in for the Resend API, for the real resend SDK pointed at it with `baseUrl`.
 * POST /emails records messages and treats Idempotency-Key as Resend documents it: the same key
 * with the same body answers the first response without sending again; the same key with another
 * body is 409 `invalid_idempotent_request`; the same key while the first request is still being
 * processed is 409 `concurrent_idempotent_requests`. Only accepted emails remember their key,
 * so a request that failed may be retried. GET /emails/receiving/:id serves inbound messages.
 */
export async function startFakeResend(options: { apiKey?: string } = {}) {
  const apiKey = options.apiKey ?? 're_test_key';
  const messages: SentMessage[] = [];
  const requests: { idempotencyKey: string | null; subject: string; outcome: string }[] = [];
  const keys = new Map<string, { bodyHash: string; response: { id: string } } | 'processing'>();
  const rules: Rule[] = [];
  const received = new Map<string, ReceivedEmail>();
  const hanging = new Set<ServerResponse>();

  const json = (res: ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  };
  const error = (res: ServerResponse, status: number, name: string, message: string) =>
    json(res, status, { statusCode: status, name, message });

  async function sendEmail(req: IncomingMessage, res: ServerResponse, raw: string) {
    const key = req.headers['idempotency-key'];
    const idempotencyKey = typeof key === 'string' ? key : null;
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(raw);
    } catch {
      return error(res, 400, 'validation_error', 'Invalid JSON body');
    }
    const log = (outcome: string) =>
      requests.push({ idempotencyKey, subject: String(body.subject ?? ''), outcome });
    const bodyHash = createHash('sha256').update(raw).digest('hex');
    if (idempotencyKey !== null) {
      if (idempotencyKey.length < 1 || idempotencyKey.length > 256) {
        log('invalid_idempotency_key');
        return error(res, 400, 'invalid_idempotency_key', 'Key must be 1-256 characters');
      }
      const seen = keys.get(idempotencyKey);
      if (seen === 'processing') {
        log('concurrent');
        return error(res, 409, 'concurrent_idempotent_requests', 'Request still in progress');
      }
      if (seen) {
        if (seen.bodyHash !== bodyHash) {
          log('invalid_idempotent_request');
          return error(res, 409, 'invalid_idempotent_request', 'Key used with another payload');
        }
        log('replayed');
        return json(res, 200, seen.response);
      }
    }
    const rule = rules.find((r) => r.times > 0 && r.when(body));
    if (rule) rule.times -= 1;
    const failure = rule?.failure;
    if (failure?.kind === 'drop') {
      log('dropped');
      req.socket.destroy();
      return;
    }
    if (failure?.kind === 'status') {
      log(`failed ${failure.status}`);
      return error(res, failure.status, failure.name, failure.message ?? failure.name);
    }
    const to = Array.isArray(body.to) ? body.to.map(String) : body.to ? [String(body.to)] : [];
    if (!body.from || to.length === 0 || !body.subject) {
      log('invalid');
      return error(res, 422, 'validation_error', 'from, to and subject are required');
    }
    const id = randomUUID();
    if (idempotencyKey) keys.set(idempotencyKey, 'processing');
    if (failure?.kind === 'delay') await new Promise((r) => setTimeout(r, failure.ms));
    messages.push({
      id,
      idempotencyKey,
      from: String(body.from),
      to,
      subject: String(body.subject),
      text: String(body.text ?? ''),
      html: String(body.html ?? ''),
    });
    if (idempotencyKey) keys.set(idempotencyKey, { bodyHash, response: { id } });
    if (failure?.kind === 'accept_then_hang') {
      log('accepted, hanging');
      hanging.add(res);
      res.once('close', () => hanging.delete(res));
      return;
    }
    log('accepted');
    return json(res, 200, { id });
  }

  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    if (req.headers.authorization !== `Bearer ${apiKey}`) {
      return error(res, 401, 'missing_api_key', 'Missing or wrong API key');
    }
    const url = new URL(req.url ?? '/', 'http://fake');
    if (req.method === 'POST' && url.pathname === '/emails') return sendEmail(req, res, raw);
    const inbound = /^\/emails\/receiving\/([^/]+)$/.exec(url.pathname);
    if (req.method === 'GET' && inbound?.[1]) {
      const email = received.get(decodeURIComponent(inbound[1]));
      if (!email) return error(res, 404, 'not_found', 'Email not found');
      return json(res, 200, {
        object: 'email',
        id: email.id,
        to: email.to,
        from: email.from,
        created_at: new Date().toISOString(),
        subject: email.subject,
        bcc: null,
        cc: null,
        reply_to: null,
        received_for: email.to,
        html: null,
        text: email.text ?? null,
        headers: {},
        message_id: `<${email.id}@mail.example>`,
        attachments: [],
      });
    }
    return error(res, 404, 'not_found', 'Route not found');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    url,
    apiKey,
    messages,
    requests,
    /** The next `times` emails matching `when` meet `failure` instead of a normal answer. */
    fail(failure: Failure, times = 1, when: Rule['when'] = () => true) {
      rules.push({ failure, times, when });
    },
    /** A message Resend received, for GET /emails/receiving/:id. */
    receive(email: ReceivedEmail) {
      received.set(email.id, email);
    },
    messagesWithKey: (key: string) => messages.filter((m) => m.idempotencyKey === key),
    close() {
      for (const res of hanging) res.destroy();
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

export type FakeResend = Awaited<ReturnType<typeof startFakeResend>>;
