import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { slots } from '../db/schema.js';
import { addWorkingDays, formatReunion } from '../workflows/calendar.js';
import { okeyStatus, okeyStepSince } from '../workflows/ui.js';
import { type Okey, startOkey, testWebhookSecret } from './support/okey.js';
import { emailsOf, historyOf, pdfForm } from './support/renewals.js';
import { startTimeSkippingServer } from './support/temporal.js';
import { emailReceived, svixHeaders } from './support/webhooks.js';

const hour = 3_600_000;
const day = 24 * hour;

let env: TestWorkflowEnvironment;
let okey: Okey;
beforeAll(async () => {
  env = await startTimeSkippingServer();
  okey = await startOkey({ env });
});
afterAll(async () => {
  await okey?.stop();
  await env?.teardown();
});

/** Moves the test server's clock (and every timer due meanwhile) forward to `instant`. */
async function skipTo(instant: number) {
  const now = await env.currentTimeMs();
  if (instant > now) await env.sleep(instant - now);
}

/** When (Réunion time, to the minute) each event of a type was recorded, in order. */
async function timesOf(renewalId: string, type: string, detail: Record<string, unknown> = {}) {
  const rows = await historyOf(okey.db, renewalId);
  return rows
    .filter((e) => e.type === type && Object.entries(detail).every(([k, v]) => e.detail[k] === v))
    .map((e) => formatReunion(e.at));
}

/** The next Friday 19 December, 17:55 in La Réunion, still ahead of the test server's clock. */
async function nextFriday19December(): Promise<{ year: number; at: number }> {
  const now = await env.currentTimeMs();
  for (let year = new Date(now).getUTCFullYear(); ; year++) {
    const at = Date.parse(`${year}-12-19T17:55:00+04:00`);
    if (new Date(at).getUTCDay() === 5 && at > now + 60_000) return { year, at };
  }
}

const local = (date: string, time: string) => Date.parse(`${date}T${time}:00+04:00`);

describe('a request made on Friday 19 December at 17:55, Réunion time', () => {
  let year: number;
  let marieId: string;
  let lucId: string;

  it('counts neither the weekend nor 20 December before reminding anyone', async () => {
    const friday = await nextFriday19December();
    year = friday.year;
    await skipTo(friday.at);
    const marie = await okey.login('mpayet');
    const luc = await okey.login('lfontaine');
    const [withDocuments, without] = await Promise.all([
      marie.post(
        '/api/renewals',
        pdfForm({ keySerial: '000508901031', keyType: 'software', reason: 'autres' }),
      ),
      luc.post('/api/renewals', {
        keySerial: '000508901032',
        keyType: 'hardware',
        reason: 'teletravail',
      }),
    ]);
    expect([withDocuments.status, without.status]).toEqual([201, 201]);
    marieId = withDocuments.body.id;
    lucId = without.body.id;
    await expect
      .poll(() => timesOf(marieId, 'created'))
      .toEqual([`vendredi 19 décembre ${year} à 17:55`]);
    await okey.waitForStatus(luc.token, lucId, 'awaiting_attachments');

    // Monday noon: Saturday 20 December (a holiday too) and Sunday have not counted.
    await skipTo(local(`${year}-12-22`, '12:00'));
    expect(await timesOf(marieId, 'reminder_sent')).toEqual([]);
    expect(await timesOf(lucId, 'reminder_sent')).toEqual([]);

    await skipTo(local(`${year}-12-24`, '18:00'));
    const third = `mercredi 24 décembre ${year} à 17:55`;
    expect(await timesOf(marieId, 'reminder_sent', { template: 'reminder_approval' })).toEqual([
      third,
    ]);
    expect(await timesOf(lucId, 'reminder_sent', { template: 'reminder_attachments' })).toEqual([
      third,
    ]);
    expect(await emailsOf(okey.db, marieId)).toContainEqual({
      template: 'reminder_approval',
      to: 'jean.hoarau@academie.example',
    });
    expect(await emailsOf(okey.db, lucId)).toContainEqual({
      template: 'reminder_attachments',
      to: 'luc.fontaine@academie.example',
    });
  });

  it('tells the N+2 after 5 working days, past Christmas', async () => {
    await skipTo(local(`${year}-12-29`, '17:00'));
    expect(await timesOf(marieId, 'reminder_sent', { template: 'approval_escalated_n2' })).toEqual(
      [],
    );
    await skipTo(local(`${year}-12-29`, '18:00'));
    expect(await timesOf(marieId, 'reminder_sent', { template: 'approval_escalated_n2' })).toEqual([
      `lundi 29 décembre ${year} à 17:55`,
    ]);
    expect(await emailsOf(okey.db, marieId)).toContainEqual({
      template: 'approval_escalated_n2',
      to: 'sophie.grondin@academie.example',
    });
  });

  it('puts the request in the operators’ queue as stalled after 10 working days', async () => {
    const nadia = await okey.login('ntecher');
    expect((await nadia.get('/api/ops/renewals?attention=true')).body.renewals).toEqual([]);
    // 31 December is worked, 1 January is not.
    await skipTo(local(`${year + 1}-01-06`, '18:00'));
    expect(await timesOf(marieId, 'sent_to_operators', { why: 'approval_stalled' })).toEqual([
      `mardi 6 janvier ${year + 1} à 17:55`,
    ]);
    const queue = await nadia.get('/api/ops/renewals?attention=true');
    expect(queue.body.renewals).toEqual([
      expect.objectContaining({
        id: marieId,
        status: 'awaiting_approval',
        attention: 'approval_stalled',
      }),
    ]);

    // What the Temporal UI shows: still awaiting approval since the Friday, and why it is stuck.
    const handle = env.client.workflow.getHandle('renewal-000508901031');
    const described = await handle.describe();
    expect(described.typedSearchAttributes.get(okeyStatus)).toBe('awaiting_approval');
    expect(formatReunion(described.typedSearchAttributes.get(okeyStepSince) as Date)).toBe(
      `vendredi 19 décembre ${year} à 17:55`,
    );
    const metadata = await handle.query<{ currentDetails: string }>('__temporal_workflow_metadata');
    expect(metadata.currentDetails).toContain('validation bloquée');
    expect(metadata.currentDetails).toContain(`vendredi 19 décembre ${year} à 17:55`);
  });

  it('cancels a request still without documents after 30 days, and says so by email', async () => {
    await skipTo(local(`${year + 1}-01-18`, '17:00'));
    expect(await timesOf(lucId, 'cancelled')).toEqual([]);
    await skipTo(local(`${year + 1}-01-18`, '18:00'));
    expect(await timesOf(lucId, 'cancelled', { automatic: true })).toEqual([
      `dimanche 18 janvier ${year + 1} à 17:55`,
    ]);
    const luc = await okey.login('lfontaine');
    expect((await luc.get(`/api/renewals/${lucId}`)).body.status).toBe('cancelled');
    expect(await emailsOf(okey.db, lucId)).toContainEqual({
      template: 'auto_cancelled',
      to: 'luc.fontaine@academie.example',
    });
  });
});

describe('the agent’s own steps', () => {
  it('are each reminded once after 5 working days: mobile, enrollment email, charter', async () => {
    const marie = await okey.login('mpayet');
    const nadia = await okey.login('ntecher');
    const [renewal] = (await marie.get('/api/renewals')).body.renewals;
    const id = renewal.id as string;
    const overridden = await nadia.post(`/api/renewals/${id}/override`, {
      decision: 'approved',
      reason: 'N+1 et N+2 injoignables, télétravail validé par la DSI',
    });
    expect(overridden.status).toBe(200);
    expect(overridden.body.decision).toMatchObject({ capacity: 'dsi', by: 'ntecher' });

    const remindedAfter = async (step: string) => {
      const since = Date.parse((await marie.get(`/api/renewals/${id}`)).body.stepSince);
      const due = addWorkingDays(since, 5);
      const reminders = () =>
        timesOf(id, 'reminder_sent', { template: 'reminder_agent_step', step });
      await skipTo(due - hour);
      expect(await reminders()).toEqual([]);
      await skipTo(due + 2 * day);
      expect(await reminders()).toEqual([formatReunion(due)]);
    };

    await remindedAfter('awaiting_mobile_os');
    expect((await marie.post(`/api/renewals/${id}/mobile-os`, { os: 'android' })).status).toBe(200);
    await remindedAfter('awaiting_enrollment_email');
    const body = emailReceived({
      from: 'marie.payet@academie.example',
      to: 'okey@academie.example',
      subject: 'Installation',
    });
    await fetch(`${okey.baseUrl}/webhooks/resend`, {
      method: 'POST',
      headers: svixHeaders(testWebhookSecret, body),
      body,
    });
    await okey.waitForStatus(marie.token, id, 'awaiting_charter');
    await remindedAfter('awaiting_charter');
    const agentReminders = (await emailsOf(okey.db, id)).filter(
      (e) => e.template === 'reminder_agent_step',
    );
    expect(agentReminders).toEqual(
      Array(3).fill({ template: 'reminder_agent_step', to: 'marie.payet@academie.example' }),
    );
    const { code } = (await marie.get(`/api/renewals/${id}/charter`)).body;
    const signed = await marie.post(`/api/renewals/${id}/charter`, { code, acknowledged: true });
    expect(signed.body.status).toBe('awaiting_assignment');
  });
});

describe('a pickup appointment', () => {
  it('is reminded the day before; missed, its slot is freed and the agent books again', async () => {
    const luc = await okey.login('lfontaine');
    const nadia = await okey.login('ntecher');
    const created = await luc.post(
      '/api/renewals',
      pdfForm({ keySerial: '000508901032', keyType: 'hardware', reason: 'teletravail' }),
    );
    const id = created.body.id as string;
    await okey.waitForStatus(luc.token, id, 'awaiting_charter');
    const { code } = (await luc.get(`/api/renewals/${id}/charter`)).body;
    await luc.post(`/api/renewals/${id}/charter`, { code, acknowledged: true });
    await nadia.post(`/api/renewals/${id}/assign`, { newKeySerial: '000508909999' });
    await okey.waitForStatus(luc.token, id, 'awaiting_appointment');

    const now = await env.currentTimeMs();
    const first = Math.ceil(now / day) * day + 3 * day + 5 * hour; // 09:00 Réunion, 3 days on
    const [slotA, slotB] = await okey.db
      .insert(slots)
      .values([
        { startsAt: new Date(first), location: 'Rectorat, DSI' },
        { startsAt: new Date(first + 2 * day), location: 'Rectorat, DSI' },
      ])
      .returning({ id: slots.id });
    const booked = await luc.post(`/api/renewals/${id}/appointment`, { slotId: slotA?.id });
    expect(booked.body.status).toBe('awaiting_pickup');

    await skipTo(first - day - hour);
    expect(await timesOf(id, 'reminder_sent', { template: 'appointment_reminder' })).toEqual([]);
    await skipTo(first - day + hour);
    expect(await timesOf(id, 'reminder_sent', { template: 'appointment_reminder' })).toEqual([
      formatReunion(first - day),
    ]);

    // Nobody came: three hours after the slot began, it is freed and Luc is asked to rebook.
    await skipTo(first + 4 * hour);
    expect(await timesOf(id, 'appointment_missed')).toEqual([formatReunion(first + 3 * hour)]);
    const [freed] = await okey.db
      .select()
      .from(slots)
      .where(eq(slots.id, slotA?.id as string));
    expect(freed?.renewalId).toBeNull();
    const view = (await luc.get(`/api/renewals/${id}`)).body;
    expect(view).toMatchObject({ status: 'awaiting_appointment', appointment: null });
    expect(await emailsOf(okey.db, id)).toContainEqual({
      template: 'appointment_missed',
      to: 'luc.fontaine@academie.example',
    });

    const rebooked = await luc.post(`/api/renewals/${id}/appointment`, { slotId: slotB?.id });
    expect(rebooked.body.status).toBe('awaiting_pickup');
    const handed = await nadia.post(`/api/renewals/${id}/handover`);
    expect(handed.body.status).toBe('completed');
  });
});
