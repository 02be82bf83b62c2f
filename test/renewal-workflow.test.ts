import { randomUUID } from 'node:crypto';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import { MockActivityEnvironment, type TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createActivities } from '../activities/index.js';
import { outboxMailer } from '../activities/mailer.js';
import { emails, events, people, renewals } from '../db/schema.js';
import { currentCharterVersion } from '../lib/charter.js';
import { createLogger } from '../lib/log.js';
import { createRenewalWorker } from '../worker/worker.js';
import {
  attachmentsAddedSignal,
  cancelUpdate,
  decideUpdate,
  type RenewalInput,
  renewalWorkflow,
  signCharterUpdate,
  snapshotQuery,
} from '../workflows/renewal.js';
import { defaultTimers } from '../workflows/timers.js';
import { freshDatabase } from './support/db.js';
import { startTimeSkippingServer, workflowBundle } from './support/temporal.js';

let env: TestWorkflowEnvironment;
let db: Awaited<ReturnType<typeof freshDatabase>>;
let worker: Worker;
let running: Promise<void>;
const taskQueue = 'renewal-workflow-test';
const log = createLogger({ level: 'error' });
const ids: Record<string, string> = {};

beforeAll(async () => {
  [env, db] = await Promise.all([startTimeSkippingServer(), freshDatabase()]);
  for (const p of await db.db.select({ id: people.id, uid: people.uid }).from(people))
    ids[p.uid] = p.id;
  worker = await createRenewalWorker({
    connection: env.nativeConnection,
    namespace: 'default',
    taskQueue,
    workflowBundle: await workflowBundle(),
    db: db.db,
    mailer: outboxMailer,
    log,
    mailFrom: 'OKEY <okey@academie.example>',
    publicUrl: 'http://okey.test',
  });
  running = worker.run();
});

afterAll(async () => {
  worker?.shutdown();
  await running;
  await env?.teardown();
  await db?.drop();
});

/** A read-model row as the API writes it, then the workflow for it. */
async function start(
  overrides: Partial<RenewalInput> & { requester?: string; keySerial?: string } = {},
) {
  const renewalId = randomUUID();
  const keySerial = overrides.keySerial ?? '000508901031';
  await db.db.insert(renewals).values({
    id: renewalId,
    workflowId: `renewal-${renewalId}`,
    keySerial,
    requesterId: ids[overrides.requester ?? 'mpayet'] as string,
    keyType: overrides.keyType ?? 'software',
    reason: 'autres',
    validatorId: ids.jhoarau,
    n1Id: ids.jhoarau,
    n2Id: ids.sgrondin,
    status: 'awaiting_attachments',
  });
  const input: RenewalInput = {
    renewalId,
    keySerial,
    keyType: 'software',
    establishmentUai: '9740045X',
    hasAttachments: false,
    approverIds: { n1: ids.jhoarau ?? null, n2: ids.sgrondin ?? null },
    validator: 'n1',
    charterVersion: currentCharterVersion,
    timers: defaultTimers,
    ...overrides,
  };
  const handle = await env.client.workflow.start(renewalWorkflow, {
    taskQueue,
    workflowId: `renewal-${renewalId}`,
    args: [input],
  });
  return { handle, renewalId };
}

/** Ends a workflow the test no longer needs, and closes its row so the key can be renewed again. */
async function end(handle: { terminate(reason: string): Promise<unknown> }, renewalId: string) {
  await handle.terminate('test over');
  await db.db.update(renewals).set({ status: 'cancelled' }).where(eq(renewals.id, renewalId));
}

async function statusOf(renewalId: string) {
  const [row] = await db.db.select().from(renewals).where(eq(renewals.id, renewalId));
  return row?.status;
}

const refusal = (err: unknown) =>
  err instanceof WorkflowUpdateFailedError ? (err.cause as { type?: string })?.type : err;

describe('the renewal workflow', () => {
  it('waits for documents before asking anyone, and can be cancelled meanwhile', async () => {
    const { handle, renewalId } = await start();
    await expect.poll(() => statusOf(renewalId)).toBe('awaiting_attachments');
    const result = await handle.executeUpdate(cancelUpdate, {
      args: [{ actorId: ids.mpayet as string }],
    });
    expect(result.status).toBe('cancelled');
    expect(await handle.result()).toBe('cancelled');
    expect(await statusOf(renewalId)).toBe('cancelled');
    const mails = await db.db.select().from(emails).where(eq(emails.renewalId, renewalId));
    expect(mails).toEqual([]);
  });

  it('lets only the N+1 or the N+2 decide, once, and a rejection needs a reason', async () => {
    const { handle, renewalId } = await start({
      keySerial: '000508901032',
      requester: 'lfontaine',
    });
    // Luc Fontaine is a permanent director: approved without anyone deciding.
    await handle.signal(attachmentsAddedSignal, { count: 1, actorId: ids.lfontaine as string });
    await expect.poll(() => statusOf(renewalId)).toBe('awaiting_mobile_os');
    const snapshot = await handle.query(snapshotQuery);
    expect(snapshot.decision).toMatchObject({
      capacity: 'automatic',
      automaticReason: 'permanent_director',
    });
    await end(handle, renewalId);

    const second = await start({ keySerial: '000508901031' });
    await second.handle.signal(attachmentsAddedSignal, { count: 1, actorId: ids.mpayet as string });
    await expect.poll(() => statusOf(second.renewalId)).toBe('awaiting_approval');
    const stranger = second.handle.executeUpdate(decideUpdate, {
      args: [{ outcome: 'approved', actorId: ids.ntecher as string, capacity: 'n1' }],
    });
    await expect(stranger.catch(refusal)).resolves.toBe('InvalidInput');
    const noReason = second.handle.executeUpdate(decideUpdate, {
      args: [{ outcome: 'rejected', actorId: ids.jhoarau as string, capacity: 'n1', reason: ' ' }],
    });
    await expect(noReason.catch(refusal)).resolves.toBe('InvalidInput');
    const approved = await second.handle.executeUpdate(decideUpdate, {
      args: [{ outcome: 'approved', actorId: ids.sgrondin as string, capacity: 'n2' }],
    });
    expect(approved.status).toBe('awaiting_mobile_os');
    const late = second.handle.executeUpdate(decideUpdate, {
      args: [
        { outcome: 'rejected', actorId: ids.jhoarau as string, capacity: 'n1', reason: 'non' },
      ],
    });
    // Refused as already decided, and written in the history (see test/approval-rules.test.ts).
    await expect(late.catch(refusal)).resolves.toBe('AlreadyDecided');
    await end(second.handle, second.renewalId);
  });

  it('refuses a wrong charter code and keeps the step open', async () => {
    const { handle, renewalId } = await start({
      keyType: 'hardware',
      hasAttachments: true,
      keySerial: '000508901032',
      requester: 'lfontaine',
    });
    await expect.poll(() => statusOf(renewalId)).toBe('awaiting_charter');
    const { charterCode } = await handle.query(snapshotQuery);
    expect(charterCode).toMatch(/^\d{6}$/);
    const wrong = handle.executeUpdate(signCharterUpdate, {
      args: [
        {
          code: charterCode === '123456' ? '654321' : '123456',
          acknowledged: true,
          actorId: ids.lfontaine as string,
        },
      ],
    });
    await expect(wrong.catch(refusal)).resolves.toBe('WrongCharterCode');
    const unticked = handle.executeUpdate(signCharterUpdate, {
      args: [
        { code: charterCode as string, acknowledged: false, actorId: ids.lfontaine as string },
      ],
    });
    await expect(unticked.catch(refusal)).resolves.toBe('InvalidInput');
    expect(await statusOf(renewalId)).toBe('awaiting_charter');
    const signed = await handle.executeUpdate(signCharterUpdate, {
      args: [{ code: charterCode as string, acknowledged: true, actorId: ids.lfontaine as string }],
    });
    expect(signed.status).toBe('awaiting_assignment');
    const history = await db.db.select().from(events).where(eq(events.renewalId, renewalId));
    expect(history.map((e) => e.type)).toEqual([
      'created',
      'approved_automatically',
      'charter_signed',
    ]);
    await end(handle, renewalId);
  });
});

describe('the email activity', () => {
  it('sends one email per renewal and step, however often it is retried', async () => {
    const { handle, renewalId } = await start();
    await end(handle, renewalId);
    const activities = createActivities({
      db: db.db,
      mailer: outboxMailer,
      log,
      mailFrom: 'OKEY <okey@academie.example>',
      publicUrl: 'http://okey.test',
    });
    const activityEnv = new MockActivityEnvironment();
    for (let attempt = 0; attempt < 3; attempt++) {
      await activityEnv.run(activities.sendEmail, {
        renewalId,
        template: 'approved' as const,
        step: 'decision',
      });
    }
    const rows = await db.db.select().from(emails).where(eq(emails.renewalId, renewalId));
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ status: 'outbox', to: 'marie.payet@academie.example' });
    expect(rows[0]?.text).toContain('Bonjour Marie Payet');
  });
});
