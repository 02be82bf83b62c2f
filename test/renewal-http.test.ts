import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Okey, startOkey, testWebhookSecret } from './support/okey.js';
import { emailReceived, svixHeaders } from './support/webhooks.js';

const pdf = readFileSync(new URL('./fixtures/justificatif.pdf', import.meta.url));

function pdfForm(name = 'justificatif.pdf') {
  const form = new FormData();
  form.append('files', new File([pdf], name, { type: 'application/pdf' }));
  return form;
}

let okey: Okey;
beforeAll(async () => {
  okey = await startOkey();
});
afterAll(async () => {
  await okey?.stop();
});

describe('the procedure’s example: software key 000508901031, reason Autres', () => {
  it('goes from creation to completed over HTTP, with the N+2 deciding for an absent N+1', async () => {
    const marie = await okey.login('mpayet');
    const keysRes = await marie.get('/api/keys');
    expect(keysRes.body.keys).toEqual([
      expect.objectContaining({
        serial: '000508901031',
        type: 'software',
        expiresOn: '2023-06-30',
        expired: true,
      }),
    ]);

    const created = await marie.post('/api/renewals', {
      keySerial: '000508901031',
      keyType: 'software',
      reason: 'autres',
    });
    expect(created.status).toBe(201);
    const id = created.body.id as string;
    expect(created.body).toMatchObject({
      status: 'awaiting_attachments',
      keyType: 'software',
      reason: 'autres',
      keySerial: '000508901031',
      keyExpiresOn: '2023-06-30',
      validator: { uid: 'jhoarau' },
      n2: { uid: 'sgrondin' },
    });
    await okey.waitForStatus(marie.token, id, 'awaiting_attachments');
    // Without documents nothing reaches the validator.
    expect(await okey.outbox(id)).toEqual([]);

    const upload = await marie.post(`/api/renewals/${id}/attachments`, pdfForm());
    expect(upload.status).toBe(201);
    expect(upload.body.attachments).toEqual([
      expect.objectContaining({
        filename: 'justificatif.pdf',
        contentType: 'application/pdf',
        size: pdf.length,
      }),
    ]);
    await okey.waitForStatus(marie.token, id, 'awaiting_approval');
    await expect
      .poll(async () => (await okey.outbox(id)).map((e) => e.template))
      .toEqual(['approval_requested']);
    expect((await okey.outbox(id))[0]?.to).toBe('jean.hoarau@academie.example');

    // Jean Hoarau is away: Sophie Grondin, the N+2, sees it and approves instead.
    const sophie = await okey.login('sgrondin');
    const waiting = await sophie.get('/api/approvals');
    expect(waiting.body.renewals).toEqual([expect.objectContaining({ id, capacity: 'n2' })]);
    const approved = await sophie.post(`/api/renewals/${id}/approve`, {
      comment: 'Vu, en l’absence du chef d’établissement',
    });
    expect(approved.status).toBe(200);
    expect(approved.body.status).toBe('awaiting_mobile_os');
    expect(approved.body.decision).toMatchObject({
      outcome: 'approved',
      capacity: 'n2',
      by: 'sgrondin',
    });
    const lateN1 = await (await okey.login('jhoarau')).post(`/api/renewals/${id}/approve`, {});
    expect(lateN1.status).toBe(409);

    const os = await marie.post(`/api/renewals/${id}/mobile-os`, { os: 'ios' });
    expect(os.status).toBe(200);
    expect(os.body).toMatchObject({ status: 'awaiting_enrollment_email', mobileOs: 'ios' });

    const body = emailReceived({
      from: 'Marie Payet <Marie.Payet@academie.example>',
      to: 'okey@academie.example',
      subject: 'Installation OKEY',
    });
    const hook = await fetch(`${okey.baseUrl}/webhooks/resend`, {
      method: 'POST',
      headers: svixHeaders(testWebhookSecret, body),
      body,
    });
    expect(hook.status).toBe(200);
    expect(await hook.json()).toMatchObject({ status: 'matched', renewalId: id });
    await okey.waitForStatus(marie.token, id, 'awaiting_charter');

    const charter = await marie.get(`/api/renewals/${id}/charter`);
    expect(charter.status).toBe(200);
    const code = charter.body.code as string;
    expect(charter.body.text.trim().split('\n').at(-1)).toContain(code);

    const wrong = await marie.post(`/api/renewals/${id}/charter`, {
      code: code === '000000' ? '111111' : '000000',
      acknowledged: true,
    });
    expect(wrong.status).toBe(422);
    expect(wrong.body.error.code).toBe('wrong_charter_code');
    expect((await marie.get(`/api/renewals/${id}`)).body.status).toBe('awaiting_charter');
    const signed = await marie.post(`/api/renewals/${id}/charter`, { code, acknowledged: true });
    expect(signed.status).toBe(200);
    expect(signed.body.status).toBe('awaiting_assignment');

    const nadia = await okey.login('ntecher');
    const queue = await nadia.get('/api/ops/renewals?status=awaiting_assignment');
    expect(queue.body.renewals.map((r: { id: string }) => r.id)).toContain(id);
    const assigned = await nadia.post(`/api/renewals/${id}/assign`, {
      newKeySerial: '000508907777',
    });
    expect(assigned.status).toBe(200);
    expect(assigned.body).toMatchObject({ status: 'completed', newKeySerial: '000508907777' });

    const done = await okey.waitForStatus(marie.token, id, 'completed');
    expect(done.steps.every((s: { state: string }) => s.state === 'done')).toBe(true);
    expect(done.steps.map((s: { step: string }) => s.step)).toContain('pin');
    await expect
      .poll(async () => (await okey.outbox(id)).map((e) => e.template).sort())
      .toEqual(['approval_requested', 'approved', 'key_ready']);
    const ready = (await okey.outbox(id)).find((e) => e.template === 'key_ready');
    expect(ready).toMatchObject({
      to: 'marie.payet@academie.example',
      subject: '[OKEY] Votre nouvelle clef est prête',
    });
    const keysAfter = await marie.get('/api/keys');
    expect(
      keysAfter.body.keys.map((k: { serial: string; state: string }) => [k.serial, k.state]),
    ).toEqual(
      expect.arrayContaining([
        ['000508901031', 'replaced'],
        ['000508907777', 'active'],
      ]),
    );
    expect(done.events.map((e: { type: string }) => e.type)).toEqual([
      'created',
      'attachments_added',
      'approved',
      // Jean Hoarau's late approval: refused, and written down.
      'late_decision_refused',
      'mobile_os_chosen',
      'enrollment_email_received',
      'charter_signed',
      'key_assigned',
    ]);
  });
});

describe('Luc Fontaine’s hardware key', () => {
  it('is approved automatically, then booked, picked up and completed', async () => {
    const luc = await okey.login('lfontaine');
    const form = pdfForm('ordre de mission.pdf');
    form.append('keySerial', '000508901032');
    form.append('keyType', 'hardware');
    form.append('reason', 'teletravail');
    const created = await luc.post('/api/renewals', form);
    expect(created.status).toBe(201);
    const id = created.body.id as string;
    // The answer already shows the workflow's first projection: documents came with the request.
    const stateOf = (step: string) =>
      created.body.steps.find((s: { step: string }) => s.step === step)?.state;
    expect([stateOf('request'), stateOf('attachments'), stateOf('pin')]).toEqual([
      'done',
      'done',
      'done',
    ]);
    expect(created.body.events.map((e: { type: string }) => e.type)).toContain('created');
    const charterStep = await okey.waitForStatus(luc.token, id, 'awaiting_charter');
    expect(charterStep.decision).toMatchObject({
      outcome: 'approved',
      capacity: 'automatic',
      automaticReason: 'permanent_director',
    });
    expect((await okey.outbox(id)).map((e) => e.template)).not.toContain('approval_requested');

    const { code } = (await luc.get(`/api/renewals/${id}/charter`)).body;
    expect(
      (await luc.post(`/api/renewals/${id}/charter`, { code, acknowledged: true })).body.status,
    ).toBe('awaiting_assignment');
    const nadia = await okey.login('ntecher');
    const assigned = await nadia.post(`/api/renewals/${id}/assign`, {
      newKeySerial: '000508908888',
    });
    expect(assigned.body.status).toBe('awaiting_appointment');

    const slots = (await luc.get('/api/appointments/slots')).body.slots as { id: string }[];
    expect(slots.length).toBeGreaterThan(0);
    const booked = await luc.post(`/api/renewals/${id}/appointment`, { slotId: slots[0]?.id });
    expect(booked.status).toBe(200);
    expect(booked.body).toMatchObject({
      status: 'awaiting_pickup',
      appointment: { slotId: slots[0]?.id },
    });
    const freeNow = (await luc.get('/api/appointments/slots')).body.slots as { id: string }[];
    expect(freeNow.map((s) => s.id)).not.toContain(slots[0]?.id);

    expect((await luc.post(`/api/renewals/${id}/handover`)).status).toBe(403);
    const handed = await nadia.post(`/api/renewals/${id}/handover`);
    expect(handed.status).toBe(200);
    expect(handed.body.status).toBe('completed');
    await expect
      .poll(async () => (await okey.outbox(id)).map((e) => e.template).sort())
      .toEqual(['appointment_confirmed', 'approved', 'key_ready']);
  });
});

describe('a rejection', () => {
  it('needs a reason, ends the request and tells the agent why', async () => {
    // Marie's first key is replaced by now; give her a fresh one to renew.
    const marie = await okey.login('mpayet');
    const created = await marie.post('/api/renewals', {
      keySerial: '000508907777',
      keyType: 'software',
      reason: 'applications',
    });
    expect(created.status).toBe(201);
    const id = created.body.id as string;
    await marie.post(`/api/renewals/${id}/attachments`, pdfForm());
    await okey.waitForStatus(marie.token, id, 'awaiting_approval');

    const jean = await okey.login('jhoarau');
    const noReason = await jean.post(`/api/renewals/${id}/reject`, {});
    expect(noReason.status).toBe(422);
    expect(noReason.body.error.fields).toHaveProperty('reason');
    const rejected = await jean.post(`/api/renewals/${id}/reject`, {
      reason: 'Pas de télétravail prévu',
    });
    expect(rejected.status).toBe(200);
    expect(rejected.body).toMatchObject({
      status: 'rejected',
      decision: {
        outcome: 'rejected',
        capacity: 'n1',
        reason: 'Pas de télétravail prévu',
        by: 'jhoarau',
      },
    });
    await expect
      .poll(async () => (await okey.outbox(id)).map((e) => e.template).sort())
      .toEqual(['approval_requested', 'rejected']);
    const mail = await okey.call(null, 'GET', '/dev/outbox');
    const sent = mail.body.emails.find(
      (e: { renewalId: string; template: string }) =>
        e.renewalId === id && e.template === 'rejected',
    );
    expect(sent.text).toContain('Motif : Pas de télétravail prévu');
    expect((await marie.post(`/api/renewals/${id}/cancel`)).status).toBe(409);
  });
});
