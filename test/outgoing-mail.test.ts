import { ApplicationFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { Resend } from 'resend';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createActivities } from '../activities/index.js';
import { resendMailer } from '../activities/mailer.js';
import { createLogger } from '../lib/log.js';
import { files, form, giveKey } from './support/documents.js';
import { type FakeResend, startFakeResend } from './support/fake-resend.js';
import { type Okey, startOkey } from './support/okey.js';

let fake: FakeResend;
let okey: Okey;

beforeAll(async () => {
  fake = await startFakeResend();
  okey = await startOkey({ mailer: resendMailer({ apiKey: fake.apiKey, baseUrl: fake.url }) });
});
afterAll(async () => {
  await okey?.stop();
  await fake?.close();
});

/** A software-key request by Marie with its document, waiting for Jean's decision. */
async function openRenewal() {
  const marie = await okey.login('mpayet');
  const keySerial = await giveKey(okey.db, 'mpayet');
  const created = await marie.post(
    '/api/renewals',
    form([['justificatif.pdf', files.pdf]], { keySerial, keyType: 'software', reason: 'autres' }),
  );
  expect(created.status).toBe(201);
  const id = created.body.id as string;
  await okey.waitForStatus(marie.token, id, 'awaiting_approval');
  return { id, marie };
}

const outcomesFor = (key: string) =>
  fake.requests.filter((r) => r.idempotencyKey === key).map((r) => r.outcome);

describe('outgoing mail through the resend SDK', () => {
  it('sends the validator one email with a link, keyed by request and step', async () => {
    const { id } = await openRenewal();
    const key = `${id}/approval_requested/v1`;
    await expect.poll(() => fake.messagesWithKey(key).length).toBe(1);
    const [mail] = fake.messagesWithKey(key);
    expect(mail).toMatchObject({
      from: 'OKEY <okey@academie.example>',
      to: ['jean.hoarau@academie.example'],
      subject: '[OKEY] Demande de renouvellement à valider (Marie Payet)',
    });
    expect(mail?.text).toContain(`${okey.config.PUBLIC_URL}/validations/${id}`);
    expect(mail?.html).toContain(`<a href="${okey.config.PUBLIC_URL}/validations/${id}">`);

    const nadia = await okey.login('ntecher');
    await expect
      .poll(async () => (await nadia.get(`/api/renewals/${id}`)).body.emails)
      .toEqual([
        expect.objectContaining({
          template: 'approval_requested',
          status: 'sent',
          error: null,
          to: 'jean.hoarau@academie.example',
        }),
      ]);
    // The agent does not see the delivery log.
    expect((await (await okey.login('mpayet')).get(`/api/renewals/${id}`)).body.emails).toBe(
      undefined,
    );
  });

  it('retries 429, 500 and a dropped connection with backoff and still sends once', async () => {
    const { id } = await openRenewal();
    const approvedEmail = (b: Record<string, unknown>) => String(b.subject).includes('validée');
    fake.fail({ kind: 'status', status: 429, name: 'rate_limit_exceeded' }, 1, approvedEmail);
    fake.fail({ kind: 'status', status: 500, name: 'internal_server_error' }, 1, approvedEmail);
    fake.fail({ kind: 'drop' }, 1, approvedEmail);

    const approved = await (await okey.login('jhoarau')).post(`/api/renewals/${id}/approve`, {});
    expect(approved.status).toBe(200);
    const key = `${id}/approved/decision`;
    await expect
      .poll(() => outcomesFor(key), { timeout: 30_000, interval: 200 })
      .toEqual(['failed 429', 'failed 500', 'dropped', 'accepted']);
    expect(fake.messagesWithKey(key)).toHaveLength(1);
    expect(fake.messagesWithKey(key)[0]?.to).toEqual(['marie.payet@academie.example']);
  });

  it('lets the agent go on while the mail service keeps failing', async () => {
    const { id, marie } = await openRenewal();
    const approvedEmail = (b: Record<string, unknown>) => String(b.subject).includes('validée');
    // Resend answers 500 to the "approved" email for a long while: its retries back off.
    fake.fail({ kind: 'status', status: 500, name: 'internal_server_error' }, 1000, approvedEmail);
    const approved = await (await okey.login('jhoarau')).post(`/api/renewals/${id}/approve`, {});
    expect(approved.body.status).toBe('awaiting_mobile_os');
    await expect
      .poll(() => outcomesFor(`${id}/approved/decision`).length, { timeout: 10_000 })
      .toBeGreaterThan(1);
    // The next step answers at once: the email is not in its path.
    const os = await marie.post(`/api/renewals/${id}/mobile-os`, { os: 'android' });
    expect(os.status).toBe(200);
    expect(os.body.status).toBe('awaiting_enrollment_email');
    expect(fake.messagesWithKey(`${id}/approved/decision`)).toHaveLength(0);
  });

  it('records a permanent refusal (422) on the request for operators, and the request goes on', async () => {
    const { id, marie } = await openRenewal();
    fake.fail(
      { kind: 'status', status: 422, name: 'validation_error', message: 'Invalid `to` field.' },
      1,
      (b) => String(b.subject).includes('refusée'),
    );
    const rejected = await (await okey.login('jhoarau')).post(`/api/renewals/${id}/reject`, {
      reason: 'Justificatif illisible',
    });
    expect(rejected.body.status).toBe('rejected');
    const key = `${id}/rejected/decision`;
    await expect.poll(() => outcomesFor(key)).toEqual(['failed 422']);

    const nadia = await okey.login('ntecher');
    const failed = expect.objectContaining({
      renewalId: id,
      template: 'rejected',
      status: 'failed',
      error: expect.stringContaining('422'),
    });
    await expect
      .poll(async () => (await nadia.get(`/api/renewals/${id}`)).body.emails)
      .toEqual([
        expect.objectContaining({ template: 'approval_requested', status: 'sent' }),
        failed,
      ]);
    expect((await nadia.get('/api/ops/emails?status=failed')).body.emails).toEqual([failed]);
    const queue = (await nadia.get('/api/ops/renewals?status=rejected')).body.renewals;
    expect(queue).toEqual([expect.objectContaining({ id, failedEmails: 1 })]);
    expect((await marie.get('/api/ops/emails')).status).toBe(403);
    // Not retried: a refusal stays a refusal.
    await new Promise((r) => setTimeout(r, 1500));
    expect(outcomesFor(key)).toEqual(['failed 422']);
    expect(fake.messagesWithKey(key)).toEqual([]);
  });
});

describe('emails the workflow sends on its timers', () => {
  const activities = () =>
    createActivities({
      db: okey.db,
      mailer: resendMailer({ apiKey: fake.apiKey, baseUrl: fake.url }),
      log: createLogger({ level: 'error' }),
      mailFrom: okey.config.MAIL_FROM,
      publicUrl: okey.config.PUBLIC_URL,
      okeyMailbox: okey.config.OKEY_MAILBOX,
    });
  const run = <A extends unknown[], R>(fn: (...args: A) => Promise<R>, ...args: A) =>
    new MockActivityEnvironment().run(fn, ...args);

  it.each([
    ['reminder_approval', 'jean.hoarau@academie.example', 'attend toujours votre décision'],
    ['approval_escalated_n2', 'sophie.grondin@academie.example', 'En tant que N+2'],
    ['reminder_attachments', 'marie.payet@academie.example', 'sera annulée le 9 avril 2026'],
  ] as const)('sends %s to %s', async (template, to, words) => {
    const { id } = await openRenewal();
    const { sendEmail } = activities();
    const args = { renewalId: id, template, step: 'r1', deadline: '2026-04-09T08:00:00Z' };
    expect(await run(sendEmail, args)).toBe('sent');
    expect(await run(sendEmail, args)).toBe('sent');
    const sent = fake.messagesWithKey(`${id}/${template}/r1`);
    expect(sent).toHaveLength(1);
    expect(sent[0]?.to).toEqual([to]);
    expect(sent[0]?.text).toContain(words);
  });

  it('invites a key holder once per threshold before expiry', async () => {
    const keySerial = await giveKey(okey.db, 'lfontaine', 'hardware');
    const { sendExpiryInvitation } = activities();
    await run(sendExpiryInvitation, { keySerial, daysBefore: 45 });
    await run(sendExpiryInvitation, { keySerial, daysBefore: 45 });
    await run(sendExpiryInvitation, { keySerial, daysBefore: 30 });
    const sent = fake.messages.filter((m) => m.idempotencyKey?.startsWith(`expiry/${keySerial}/`));
    expect(sent.map((m) => m.idempotencyKey)).toEqual([
      `expiry/${keySerial}/2027-06-30/45`,
      `expiry/${keySerial}/2027-06-30/30`,
    ]);
    expect(sent[0]).toMatchObject({
      to: ['luc.fontaine@academie.example'],
      subject: '[OKEY] Votre clef OTP arrive à expiration',
    });
    expect(sent[0]?.text).toContain('expire le 30 juin 2027');
    expect(sent[0]?.text).toContain(`${okey.config.PUBLIC_URL}/renouveler?clef=${keySerial}`);
  });
});

describe('the local Resend answers idempotency keys the way Resend does', () => {
  const email = {
    from: 'OKEY <okey@academie.example>',
    to: 'marie.payet@academie.example',
    subject: 'Test',
    text: 'Bonjour',
  };
  const resend = () => new Resend(fake.apiKey, { baseUrl: fake.url });

  it('returns the first answer for the same key and body, and sends nothing more', async () => {
    const first = await resend().emails.send(email, { idempotencyKey: 'conformance/same' });
    const again = await resend().emails.send(email, { idempotencyKey: 'conformance/same' });
    expect(first.data?.id).toBeTruthy();
    expect(again.data?.id).toBe(first.data?.id);
    expect(fake.messagesWithKey('conformance/same')).toHaveLength(1);
  });

  it('refuses the same key with another body (409 invalid_idempotent_request), permanently', async () => {
    await resend().emails.send(email, { idempotencyKey: 'conformance/other' });
    const other = await resend().emails.send(
      { ...email, subject: 'Autre' },
      { idempotencyKey: 'conformance/other' },
    );
    expect(other.error).toMatchObject({ statusCode: 409, name: 'invalid_idempotent_request' });
    const mailer = resendMailer({ apiKey: fake.apiKey, baseUrl: fake.url });
    const refused = await mailer
      .deliver({ ...email, subject: 'Autre', html: '' }, 'conformance/other')
      .catch((e) => e);
    expect(refused).toBeInstanceOf(ApplicationFailure);
    expect(refused.nonRetryable).toBe(true);
  });

  it('answers 409 concurrent_idempotent_requests while the first is in progress: a retry', async () => {
    fake.fail({ kind: 'delay', ms: 500 }, 1, (b) => b.subject === 'Lent');
    const slow = resend().emails.send(
      { ...email, subject: 'Lent' },
      { idempotencyKey: 'conformance/slow' },
    );
    await new Promise((r) => setTimeout(r, 100));
    const mailer = resendMailer({ apiKey: fake.apiKey, baseUrl: fake.url });
    const meanwhile = await mailer
      .deliver({ ...email, subject: 'Lent', html: '' }, 'conformance/slow')
      .catch((e) => e);
    expect(meanwhile).toBeInstanceOf(Error);
    expect(meanwhile).not.toBeInstanceOf(ApplicationFailure);
    expect(meanwhile.message).toContain('concurrent_idempotent_requests');
    expect((await slow).data?.id).toBeTruthy();
    expect(fake.messagesWithKey('conformance/slow')).toHaveLength(1);
  });
});
