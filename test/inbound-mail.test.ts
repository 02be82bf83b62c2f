import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renewalReference } from '../lib/reference.js';
import { files, form, giveKey } from './support/documents.js';
import { type FakeResend, startFakeResend } from './support/fake-resend.js';
import { type Okey, startOkey, testWebhookSecret } from './support/okey.js';
import { emailReceived, svixHeaders } from './support/webhooks.js';

let fake: FakeResend;
let okey: Okey;
let marie: Awaited<ReturnType<Okey['login']>>;
let nadia: Awaited<ReturnType<Okey['login']>>;

beforeAll(async () => {
  fake = await startFakeResend();
  // With an API key okey reads each received message through the SDK, here from the local Resend.
  okey = await startOkey({ config: { RESEND_API_KEY: fake.apiKey, RESEND_BASE_URL: fake.url } });
  marie = await okey.login('mpayet');
  nadia = await okey.login('ntecher');
});
afterAll(async () => {
  await okey?.stop();
  await fake?.close();
});

/** A software-key request of Marie's, approved, mobile chosen: waiting for her email. */
async function awaitingEnrollment() {
  const keySerial = await giveKey(okey.db, 'mpayet');
  const created = await marie.post(
    '/api/renewals',
    form([['justificatif.pdf', files.pdf]], { keySerial, keyType: 'software', reason: 'autres' }),
  );
  const id = created.body.id as string;
  await okey.waitForStatus(marie.token, id, 'awaiting_approval');
  await (await okey.login('jhoarau')).post(`/api/renewals/${id}/approve`, {});
  await marie.post(`/api/renewals/${id}/mobile-os`, { os: 'android' });
  await okey.waitForStatus(marie.token, id, 'awaiting_enrollment_email');
  return id;
}

/** Posts a received email the way Resend delivers it, and tells the local Resend about it. */
async function deliver(
  mail: { from: string; subject: string; to?: string },
  options: { headers?: Record<string, string>; body?: string } = {},
) {
  const body = options.body ?? emailReceived({ to: 'okey@academie.example', ...mail });
  const { data } = JSON.parse(body);
  fake.receive({ id: data.email_id, from: mail.from, to: data.to, subject: mail.subject });
  const res = await fetch(`${okey.baseUrl}/webhooks/resend`, {
    method: 'POST',
    headers: options.headers ?? svixHeaders(testWebhookSecret, body),
    body,
  });
  return {
    status: res.status,
    body: await res.json(),
    emailId: data.email_id as string,
    raw: body,
  };
}

async function signalsReceived(renewalId: string) {
  const { workflowId } = (await nadia.get(`/api/renewals/${renewalId}`)).body.workflow;
  const history = await okey.env.client.workflow.getHandle(workflowId).fetchHistory();
  return (history.events ?? []).filter(
    (e) => e.workflowExecutionSignaledEventAttributes?.signalName === 'enrollmentEmailReceived',
  ).length;
}

const waitingForOperators = async () =>
  (await nadia.get('/api/ops/inbound-emails')).body.inboundEmails as {
    id: string;
    status: string;
    candidates: { id: string; reference: string }[];
  }[];

describe('the email.received webhook', () => {
  it('answers 401 to a wrong secret, a stale or future timestamp and a tampered body', async () => {
    const body = emailReceived({
      from: 'marie.payet@academie.example',
      to: 'okey@academie.example',
      subject: 'Installation',
    });
    const wrongSecret = `whsec_${Buffer.from('another-secret-of-32-bytes-long!!').toString('base64')}`;
    const minutes = (n: number) => new Date(Date.now() + n * 60_000);
    const cases: [string, Record<string, string>, string][] = [
      ['wrong secret', svixHeaders(wrongSecret, body), body],
      ['10 minutes old', svixHeaders(testWebhookSecret, body, minutes(-10)), body],
      ['10 minutes ahead', svixHeaders(testWebhookSecret, body, minutes(10)), body],
      ['tampered', svixHeaders(testWebhookSecret, body), body.replace('Installation', 'Autre')],
    ];
    for (const [what, headers, sent] of cases) {
      const res = await deliver({ from: 'x', subject: 'x' }, { headers, body: sent });
      expect({ what, status: res.status, body: res.body }).toEqual({
        what,
        status: 401,
        body: {
          error: {
            code: 'invalid_signature',
            message: 'Signature du webhook invalide ou expirée.',
          },
        },
      });
    }
    expect((await nadia.get('/api/ops/inbound-emails?status=all')).body.inboundEmails).toEqual([]);
  });

  it('matches the sender’s waiting request, reading the message through the SDK', async () => {
    const id = await awaitingEnrollment();
    // A delivery that lacks the sender and subject: okey reads them from Resend's API.
    const body = JSON.parse(
      emailReceived({ from: 'x', to: 'okey@academie.example', subject: 'x' }),
    );
    delete body.data.from;
    delete body.data.subject;
    const raw = JSON.stringify(body);
    const res = await deliver(
      { from: '"Marie Payet" <Marie.Payet+otp@Academie.example>', subject: 'Installation' },
      { body: raw },
    );
    expect(res).toMatchObject({ status: 200, body: { status: 'matched', renewalId: id } });
    await okey.waitForStatus(marie.token, id, 'awaiting_charter');

    // Resend delivers the same webhook again: nothing changes.
    const replay = await fetch(`${okey.baseUrl}/webhooks/resend`, {
      method: 'POST',
      headers: svixHeaders(testWebhookSecret, raw),
      body: raw,
    });
    expect(await replay.json()).toEqual({ status: 'duplicate' });

    // The agent sends a second email for the same step: recorded, nothing else.
    const eventsBefore = (await marie.get(`/api/renewals/${id}`)).body.events;
    const second = await deliver({ from: 'marie.payet@academie.example', subject: 'Renvoi' });
    expect(second.body).toEqual({ status: 'already_received', renewalId: id });
    const after = (await marie.get(`/api/renewals/${id}`)).body;
    expect(after.status).toBe('awaiting_charter');
    expect(after.events).toEqual(eventsBefore);
    expect(await signalsReceived(id)).toBe(1);
    expect((await waitingForOperators()).map((m) => m.id)).not.toContain(second.emailId);
  });

  it('uses the reference in the subject to choose between two waiting requests', async () => {
    const first = await awaitingEnrollment();
    const second = await awaitingEnrollment();
    const withoutRef = await deliver({ from: 'marie.payet@academie.example', subject: 'Fait' });
    expect(withoutRef.body).toEqual({ status: 'ambiguous' });

    const ref = renewalReference(second).toLowerCase();
    const withRef = await deliver({
      from: 'marie.payet@academie.example',
      subject: `Re: [OKEY] Votre demande est validée (${ref})`,
    });
    expect(withRef.body).toEqual({ status: 'matched', renewalId: second });
    await okey.waitForStatus(marie.token, second, 'awaiting_charter');
    expect((await marie.get(`/api/renewals/${first}`)).body.status).toBe(
      'awaiting_enrollment_email',
    );

    // The ambiguous one waits for an operator, who attaches it to the other request.
    const listed = (await waitingForOperators()).find((m) => m.id === withoutRef.emailId);
    expect(listed).toMatchObject({
      status: 'ambiguous',
      candidates: [{ id: first, reference: renewalReference(first) }],
    });
    expect((await marie.get('/api/ops/inbound-emails')).status).toBe(403);
    const attach = (emailId: string, renewalId: string) =>
      nadia.post(`/api/ops/inbound-emails/${encodeURIComponent(emailId)}/attach`, { renewalId });
    const attached = await attach(withoutRef.emailId, first);
    expect(attached).toMatchObject({ status: 200, body: { status: 'matched', renewalId: first } });
    await okey.waitForStatus(marie.token, first, 'awaiting_charter');
    expect((await waitingForOperators()).map((m) => m.id)).not.toContain(withoutRef.emailId);
    const twice = await attach(withoutRef.emailId, first);
    expect(twice.status).toBe(409);
    expect(twice.body.error.code).toBe('already_handled');
  });

  it('keeps an unknown sender for operators even with a valid reference', async () => {
    const id = await awaitingEnrollment();
    const stranger = await deliver({
      from: 'Marie <marie.payet.perso@gmail.example>',
      subject: `Installation ${renewalReference(id)}`,
    });
    expect(stranger.body).toEqual({ status: 'unmatched' });
    expect((await marie.get(`/api/renewals/${id}`)).body.status).toBe('awaiting_enrollment_email');
    expect(await waitingForOperators()).toContainEqual(
      expect.objectContaining({ id: stranger.emailId, status: 'unmatched', candidates: [] }),
    );

    const notForOkey = await deliver({
      from: 'marie.payet@academie.example',
      subject: 'Bonjour',
      to: 'secretariat@academie.example',
    });
    expect(notForOkey.body).toEqual({ status: 'ignored' });
    expect((await waitingForOperators()).map((m) => m.id)).not.toContain(notForOkey.emailId);

    // The operator recognises Marie's personal address and attaches the message by hand; only to
    // a request that waits for it.
    const path = `/api/ops/inbound-emails/${stranger.emailId}/attach`;
    const done = (await marie.get('/api/renewals')).body.renewals.find(
      (r: { status: string }) => r.status === 'awaiting_charter',
    );
    const wrong = await nadia.post(path, { renewalId: done.id });
    expect(wrong.status).toBe(409);
    expect(wrong.body.error.message).toMatch(/n’attend pas d’e-mail d’enrôlement/);
    expect((await nadia.post(path, { renewalId: 'pas-un-uuid' })).status).toBe(422);
    expect((await nadia.post(path, { renewalId: id })).status).toBe(200);
    await okey.waitForStatus(marie.token, id, 'awaiting_charter');
    expect(await signalsReceived(id)).toBe(1);
  });
});

describe('a signed but malformed delivery', () => {
  it('is refused with 422 when the email id is not a string, and recorded nowhere', async () => {
    const body = JSON.stringify({
      type: 'email.received',
      created_at: new Date().toISOString(),
      data: {
        email_id: { id: 1 },
        from: 'marie.payet@academie.example',
        to: ['okey@academie.example'],
      },
    });
    const res = await fetch(`${okey.baseUrl}/webhooks/resend`, {
      method: 'POST',
      headers: svixHeaders(testWebhookSecret, body),
      body,
    });
    expect(res.status).toBe(422);
    const listed = await nadia.get('/api/ops/inbound-emails?status=all');
    expect(JSON.stringify(listed.body)).not.toContain('[object Object]');
  });

  it('takes an unreadable date as the time it arrived', async () => {
    const id = await awaitingEnrollment();
    const body = emailReceived({
      from: 'marie.payet@academie.example',
      to: 'okey@academie.example',
      subject: 'Installation',
    }).replaceAll(/"created_at":"[^"]+"/g, '"created_at":"nope"');
    const { data } = JSON.parse(body);
    fake.receive({ id: data.email_id, from: data.from, to: data.to, subject: data.subject });
    const res = await deliver({ from: data.from, subject: data.subject }, { body });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: 'matched', renewalId: id });
  });
});

describe('in development, POST /dev/inbound-email', () => {
  it('plays the agent’s enrollment email through the signed webhook', async () => {
    const id = await awaitingEnrollment();
    const res = await okey.call(null, 'POST', '/dev/inbound-email', {
      from: 'Marie Payet <marie.payet@academie.example>',
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: 'matched', renewalId: id });
    await okey.waitForStatus(marie.token, id, 'awaiting_charter');
  });
});
