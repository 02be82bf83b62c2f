import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { defaultPayloadConverter } from '@temporalio/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../api/app.js';
import { demoPeople } from '../db/seed.js';
import { createLogger } from '../lib/log.js';
import { type Okey, startOkey, testWebhookSecret } from './support/okey.js';
import { emailReceived, svixHeaders } from './support/webhooks.js';

const pdf = readFileSync(new URL('./fixtures/justificatif.pdf', import.meta.url));
const lines: string[] = [];
const tokens: string[] = [];

let okey: Okey;
beforeAll(async () => {
  okey = await startOkey({
    log: createLogger({ level: 'debug', write: (line) => lines.push(line) }),
    config: { UPLOAD_MAX_FILES: '1', UPLOAD_MAX_FILE_MB: '1' },
  });
});
afterAll(async () => {
  await okey?.stop();
});

const login = async (uid: string) => {
  const session = await okey.login(uid);
  tokens.push(session.token);
  return session;
};

const pdfForm = (bytes: Uint8Array = pdf) => {
  const form = new FormData();
  form.append('files', new File([bytes], 'justificatif.pdf', { type: 'application/pdf' }));
  return form;
};

/** A PDF of `size` bytes: the real header, then padding. */
const bigPdf = (size: number) => {
  const bytes = new Uint8Array(size).fill(0x20);
  bytes.set(pdf.subarray(0, 8));
  return bytes;
};

describe('every response', () => {
  it.each([
    ['a public route', null, '/healthz', 200],
    ['a refused request', null, '/api/me', 401],
    ['an unknown route', null, '/nulle-part', 404],
  ])('carries the security headers, on %s', async (_what, token, path, status) => {
    const res = await okey.call(token, 'GET', path);
    expect(res.status).toBe(status);
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("style-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain('unsafe-inline');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('x-frame-options')).toBe('DENY');
  });

  it('carries a request id: the caller’s when it is a plain token, a new one otherwise', async () => {
    const plain = await fetch(`${okey.baseUrl}/healthz`, {
      headers: { 'x-request-id': 'abc-123' },
    });
    expect(plain.headers.get('x-request-id')).toBe('abc-123');
    const forged = await fetch(`${okey.baseUrl}/healthz`, {
      headers: { 'x-request-id': 'a","level":"error' },
    });
    expect(forged.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });
});

describe('body limits', () => {
  it('keep JSON small, even on a route that takes uploads', async () => {
    const marie = await login('mpayet');
    const big = { keySerial: '000508901031', comment: 'x'.repeat(150_000) };
    for (const path of ['/api/renewals', `/api/renewals/${crypto.randomUUID()}/approve`]) {
      const res = await marie.post(path, big);
      expect(res.status).toBe(413);
      expect(res.body.error).toMatchObject({ code: 'too_large', message: expect.any(String) });
    }
  });

  it('let documents through up to the upload limits, and no further', async () => {
    const marie = await login('mpayet');
    const pdfForm = (bytes: Uint8Array) => {
      const form = new FormData();
      form.append('files', new File([bytes], 'justificatif.pdf', { type: 'application/pdf' }));
      for (const [k, v] of Object.entries({ keySerial: '000508901031', keyType: 'software' })) {
        form.append(k, v);
      }
      form.append('reason', 'autres');
      return form;
    };
    // 1.5 MB: past the JSON limit, within the body limit, refused by the per-file limit.
    const oneAndHalf = await marie.post('/api/renewals', pdfForm(bigPdf(1_500_000)));
    expect(oneAndHalf.status).toBe(413);
    expect(oneAndHalf.body.error.code).toBe('file_too_large');
    // 2.5 MB: past the body limit for one file of 1 MB, refused before it is read.
    const tooBig = await marie.post('/api/renewals', pdfForm(bigPdf(2_500_000)));
    expect(tooBig.status).toBe(413);
    expect(tooBig.body.error.code).toBe('too_large');
  });
});

/** okey's API with other settings, on the same database and worker. */
async function serveWith(config: Record<string, unknown>) {
  const app = createApp({
    db: okey.db,
    temporal: okey.env.client,
    config: { ...okey.config, ...config },
    log: createLogger({ level: 'error' }),
  });
  const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' });
  await new Promise((resolve) => server.once('listening', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    post: async (path: string, body: unknown, headers: Record<string, string> = {}) => {
      const res = await fetch(`${base}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify(body),
      });
      // biome-ignore lint/suspicious/noExplicitAny: response bodies are asserted field by field
      const json: any = await res.json();
      return { status: res.status, body: json, headers: res.headers };
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

describe('rate limits', () => {
  it('slow down failed sign-in attempts from one address', async () => {
    const api = await serveWith({ RATE_LIMIT_SIGNIN_PER_MIN: 3, TRUST_PROXY: true });
    const from = (ip: string) => ({ 'x-forwarded-for': `10.0.0.1, ${ip}` });
    const statuses = [];
    for (let i = 0; i < 4; i++) {
      statuses.push(
        (await api.post('/auth/dev-login', { uid: 'inconnu' }, from('192.0.2.7'))).status,
      );
    }
    expect(statuses).toEqual([404, 404, 404, 429]);
    const limited = await api.post('/auth/dev-login', { uid: 'mpayet' }, from('192.0.2.7'));
    expect(limited.status).toBe(429);
    expect(limited.body.error).toMatchObject({ code: 'too_many_requests' });
    expect(limited.body.error.message).toContain('Trop de tentatives');
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    // Another address is not affected, and people who get in are not counted.
    const signIns = [];
    for (let i = 0; i < 5; i++) {
      signIns.push(
        (await api.post('/auth/dev-login', { uid: 'mpayet' }, from('192.0.2.8'))).status,
      );
    }
    expect(signIns).toEqual([200, 200, 200, 200, 200]);
    await api.close();
  });

  it('slow down charter code attempts', async () => {
    const luc = await login('lfontaine');
    const form = pdfForm();
    form.append('keySerial', '000508901032');
    form.append('keyType', 'hardware');
    form.append('reason', 'teletravail');
    const created = await luc.post('/api/renewals', form);
    expect(created.status).toBe(201);
    await okey.waitForStatus(luc.token, created.body.id, 'awaiting_charter');

    const api = await serveWith({ RATE_LIMIT_CHARTER_PER_MIN: 2 });
    const attempt = () =>
      api.post(
        `/api/renewals/${created.body.id}/charter`,
        { code: '000000', acknowledged: true },
        { authorization: `Bearer ${luc.token}` },
      );
    const statuses = [(await attempt()).status, (await attempt()).status, (await attempt()).status];
    expect(statuses).toEqual([422, 422, 429]);
    await api.close();
  });
});

describe('logs and Temporal', () => {
  it('carry ids, never names, emails or tokens, through a whole renewal', async () => {
    const marie = await login('mpayet');
    const created = await marie.post('/api/renewals', {
      keySerial: '000508901031',
      keyType: 'software',
      reason: 'autres',
      comment: 'Renouvellement pour Marie Payet',
    });
    const id = created.body.id as string;
    await marie.post(`/api/renewals/${id}/attachments`, pdfForm());
    await okey.waitForStatus(marie.token, id, 'awaiting_approval');
    const jean = await login('jhoarau');
    expect((await jean.post(`/api/renewals/${id}/approve`, {})).status).toBe(200);
    await marie.post(`/api/renewals/${id}/mobile-os`, { os: 'android' });
    const body = emailReceived({
      from: 'Marie Payet <marie.payet@academie.example>',
      to: 'okey@academie.example',
      subject: 'Installation OKEY',
    });
    await fetch(`${okey.baseUrl}/webhooks/resend`, {
      method: 'POST',
      headers: svixHeaders(testWebhookSecret, body),
      body,
    });
    await okey.waitForStatus(marie.token, id, 'awaiting_charter');
    const { code } = (await marie.get(`/api/renewals/${id}/charter`)).body;
    expect(
      (await marie.post(`/api/renewals/${id}/charter`, { code: 'faux', acknowledged: true }))
        .status,
    ).toBe(422);
    await marie.post(`/api/renewals/${id}/charter`, { code, acknowledged: true });
    const nadia = await login('ntecher');
    await nadia.post(`/api/renewals/${id}/assign`, { newKeySerial: '000508907001' });
    await okey.waitForStatus(marie.token, id, 'completed');
    expect((await okey.call(`${marie.token}x`, 'GET', '/api/me')).status).toBe(401);
    expect((await jean.get(`/api/renewals/${id}/charter`)).status).toBe(403);

    const parsed = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(parsed.filter((l) => l.msg === 'request').length).toBeGreaterThan(10);
    expect(parsed.filter((l) => l.activity).length).toBeGreaterThan(5);
    for (const l of parsed) {
      expect(l.requestId ?? l.workflowId, JSON.stringify(l)).toBeTruthy();
      if (l.activity) expect(l.workflowId, JSON.stringify(l)).toBeTruthy();
    }
    const all = lines.join('\n');
    expectNoPersonalData(all);
    for (const token of tokens) {
      expect(all).not.toContain(token);
      expect(all).not.toContain(token.split('.')[2]);
    }

    // What Temporal stores unencrypted: search attributes, memo, and the workflow's input.
    const handle = okey.env.client.workflow.getHandle(created.body.workflow.workflowId);
    const described = await handle.describe();
    expectNoPersonalData(JSON.stringify([described.searchAttributes, described.memo ?? null]));
    const history = await handle.fetchHistory();
    const input =
      history.events?.[0]?.workflowExecutionStartedEventAttributes?.input?.payloads ?? [];
    expect(input.length).toBe(1);
    expectNoPersonalData(JSON.stringify(input.map((p) => defaultPayloadConverter.fromPayload(p))));
  });
});

function expectNoPersonalData(text: string) {
  const lower = text.toLowerCase();
  for (const p of demoPeople) {
    expect(lower).not.toContain(p.email);
    expect(text).not.toContain(p.uid);
    expect(text).not.toMatch(new RegExp(`\\b(${p.firstName}|${p.lastName})\\b`));
  }
}
