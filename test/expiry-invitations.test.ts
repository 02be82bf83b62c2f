import { MockActivityEnvironment } from '@temporalio/testing';
import { like } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createActivities } from '../activities/index.js';
import { outboxMailer } from '../activities/mailer.js';
import { emails, renewals } from '../db/schema.js';
import { createLogger } from '../lib/log.js';
import { ensureExpirySchedule, expiryScheduleId } from '../worker/schedules.js';
import { reunionDate } from '../workflows/calendar.js';
import { type Okey, startOkey } from './support/okey.js';
import { addAgent } from './support/renewals.js';

const day = 86_400_000;
const plus = (date: string, days: number) =>
  reunionDate(Date.parse(`${date}T12:00:00+04:00`) + days * day);

let okey: Okey;
beforeAll(async () => {
  okey = await startOkey();
});
afterAll(async () => {
  await okey?.stop();
});

const invitations = async (serial: string) =>
  (
    await okey.db
      .select({ key: emails.idempotencyKey, to: emails.to, subject: emails.subject })
      .from(emails)
      .where(like(emails.idempotencyKey, `expiry/${serial}/%`))
  ).sort((a, b) => a.key.localeCompare(b.key));

describe('invitations before expiry', () => {
  it('email each holder once per threshold, 45, 30 and 7 days before, whatever the reruns', async () => {
    const activities = createActivities({
      db: okey.db,
      mailer: outboxMailer,
      log: createLogger({ level: 'error' }),
      mailFrom: 'OKEY <okey@academie.example>',
      publicUrl: 'http://okey.test',
    });
    // What the daily workflow does: find the keys due, then send each one's invitation.
    const activity = new MockActivityEnvironment();
    const run = async (today: string) => {
      const due: { keySerial: string; daysBefore: number }[] = await activity.run(
        activities.findExpiringKeys,
        { today, thresholds: [45, 30, 7] },
      );
      for (const key of due) await activity.run(activities.sendExpiryInvitation, key);
      return { invited: due.length };
    };
    const start = '2030-03-01';
    const expiresOn = plus(start, 45);
    await addAgent(okey.db, { uid: 'apotier', keySerial: '000508903001', expiresOn });
    const busy = await addAgent(okey.db, { uid: 'bhoarau', keySerial: '000508903002', expiresOn });
    await okey.db.insert(renewals).values({
      id: crypto.randomUUID(),
      workflowId: 'renewal-000508903002',
      keySerial: '000508903002',
      requesterId: busy,
      keyType: 'software',
      reason: 'autres',
      status: 'awaiting_approval',
    });

    const sentOn = async (offset: number) => (await run(plus(start, offset))).invited;
    expect(await sentOn(0)).toBe(1);
    expect(await sentOn(0)).toBe(0);
    expect(await sentOn(1)).toBe(0);
    expect(await sentOn(15)).toBe(1); // 30 days left
    expect(await sentOn(20)).toBe(0);
    expect(await sentOn(38)).toBe(1); // 7 days left
    expect(await sentOn(44)).toBe(0);
    expect(await sentOn(46)).toBe(0); // expired: no longer invited

    expect(await invitations('000508903001')).toEqual([
      expect.objectContaining({ key: `expiry/000508903001/${expiresOn}/30` }),
      expect.objectContaining({ key: `expiry/000508903001/${expiresOn}/45` }),
      expect.objectContaining({
        key: `expiry/000508903001/${expiresOn}/7`,
        to: 'apotier@academie.example',
      }),
    ]);
    // A key with an open renewal is left alone.
    expect(await invitations('000508903002')).toEqual([]);
  });

  it('runs daily from a Temporal Schedule that every start creates or updates, never duplicates', async () => {
    const today = reunionDate(Date.now());
    await addAgent(okey.db, {
      uid: 'cpayet',
      keySerial: '000508903003',
      expiresOn: plus(today, 30),
    });
    const options = { taskQueue: okey.taskQueue, cron: '0 6 * * *', thresholds: [45, 30, 7] };
    expect(await ensureExpirySchedule(okey.env.client, options)).toBe('created');
    expect(await ensureExpirySchedule(okey.env.client, { ...options, cron: '30 6 * * *' })).toBe(
      'updated',
    );
    const handle = okey.env.client.schedule.getHandle(expiryScheduleId);
    const described = await handle.describe();
    expect(described.spec.timezone).toBe('Indian/Reunion');
    expect(described.spec.calendars?.[0]).toMatchObject({
      hour: [{ start: 6, end: 6, step: 1 }],
      minute: [{ start: 30, end: 30, step: 1 }],
    });

    await handle.trigger();
    await expect
      .poll(() => invitations('000508903003'), { timeout: 20_000 })
      .toEqual([
        expect.objectContaining({
          key: `expiry/000508903003/${plus(today, 30)}/30`,
          to: 'cpayet@academie.example',
        }),
      ]);
  });
});
