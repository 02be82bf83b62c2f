import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Mailer } from '../../activities/mailer.js';
import { outboxMailer } from '../../activities/mailer.js';
import { createApp } from '../../api/app.js';
import { loadConfig } from '../../lib/config.js';
import { createLogger, type Logger } from '../../lib/log.js';
import { createRenewalWorker } from '../../worker/worker.js';
import { freshDatabase } from './db.js';
import { startDevServer, workflowBundle } from './temporal.js';

export type Okey = Awaited<ReturnType<typeof startOkey>>;

export interface OutboxEmail {
  template: string;
  to: string;
  subject: string;
  text: string;
  renewalId: string;
  status: string;
}

/**
 * okey as it runs for real: a fresh PostgreSQL database, a Temporal server, the worker and the
 * API listening on a free port. Tests talk to it over HTTP.
 */
export async function startOkey(
  options: {
    env?: TestWorkflowEnvironment;
    config?: Record<string, string>;
    mailer?: Mailer;
    log?: Logger;
    /** false: no worker in this process (a test runs its own, e.g. in a child process). */
    worker?: boolean;
  } = {},
) {
  const database = await freshDatabase();
  const env = options.env ?? (await startDevServer());
  const taskQueue = `okey-test-${Math.random().toString(36).slice(2, 10)}`;
  const config = loadConfig({
    NODE_ENV: 'test',
    TEMPORAL_TASK_QUEUE: taskQueue,
    RESEND_WEBHOOK_SECRET: testWebhookSecret,
    ...options.config,
  });
  const log = options.log ?? createLogger({ level: 'error' });
  const worker =
    options.worker === false
      ? null
      : await createRenewalWorker({
          connection: env.nativeConnection,
          namespace: env.namespace ?? 'default',
          taskQueue,
          workflowBundle: await workflowBundle(),
          db: database.db,
          mailer: options.mailer ?? outboxMailer,
          log,
          mailFrom: config.MAIL_FROM,
          publicUrl: config.PUBLIC_URL,
          okeyMailbox: config.OKEY_MAILBOX,
          retentionDays: config.DOCUMENT_RETENTION_DAYS,
        });
  const running = worker?.run();
  const app = createApp({ db: database.db, temporal: env.client, config, log });
  const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' });
  await new Promise((resolve) => server.once('listening', resolve));
  const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  async function call(token: string | null, method: string, path: string, body?: unknown) {
    const headers: Record<string, string> = {};
    if (token) headers.authorization = `Bearer ${token}`;
    let payload: RequestInit['body'];
    if (body instanceof FormData) payload = body;
    else if (body !== undefined) {
      headers['content-type'] = 'application/json';
      payload = JSON.stringify(body);
    }
    const res = await fetch(`${baseUrl}${path}`, { method, headers, body: payload });
    const text = await res.text();
    // biome-ignore lint/suspicious/noExplicitAny: response bodies are asserted field by field
    let json: any = null;
    try {
      json = text ? JSON.parse(text) : null;
    } catch {
      json = text;
    }
    return { status: res.status, body: json, headers: res.headers };
  }

  async function login(uid: string) {
    const res = await call(null, 'POST', '/auth/dev-login', { uid });
    if (res.status !== 200) throw new Error(`dev-login ${uid}: ${res.status}`);
    const token = res.body.token as string;
    return {
      token,
      get: (path: string) => call(token, 'GET', path),
      post: (path: string, body?: unknown) => call(token, 'POST', path, body),
    };
  }

  /** Polls the read model until the renewal reaches `status` (signals are asynchronous). */
  async function waitForStatus(token: string, id: string, status: string, timeoutMs = 20_000) {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const res = await call(token, 'GET', `/api/renewals/${id}`);
      if (res.body?.status === status) return res.body;
      if (Date.now() > deadline) {
        throw new Error(`renewal ${id} is ${res.body?.status}, expected ${status}`);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  /** The emails okey kept for one renewal (GET /dev/outbox), as a test reads them. */
  async function outbox(renewalId: string) {
    const res = await call(null, 'GET', '/dev/outbox');
    return (res.body.emails as OutboxEmail[]).filter((e) => e.renewalId === renewalId);
  }

  return {
    baseUrl,
    outbox,
    db: database.db,
    databaseUrl: database.url,
    env,
    config,
    taskQueue,
    call,
    login,
    waitForStatus,
    async stop() {
      await new Promise((resolve) => server.close(resolve));
      worker?.shutdown();
      await running;
      if (!options.env) await env.teardown();
      await database.drop();
    },
  };
}

export const testWebhookSecret = `whsec_${Buffer.from('okey-test-webhook-secret-32bytes!').toString('base64')}`;
