import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { emails } from '../db/schema.js';
import { files, form } from './support/documents.js';
import { type FakeResend, startFakeResend } from './support/fake-resend.js';
import { type Okey, startOkey } from './support/okey.js';
import { spawnWorker } from './support/worker-process.js';

let fake: FakeResend;
let okey: Okey;
const workers: Awaited<ReturnType<typeof spawnWorker>>[] = [];

beforeAll(async () => {
  fake = await startFakeResend();
  // The API only: the worker runs in child processes that the test can kill.
  okey = await startOkey({ worker: false });
});
afterAll(async () => {
  for (const w of workers) {
    w.kill('SIGTERM');
    await w.exited;
  }
  await okey?.stop();
  await fake?.close();
});

const startWorker = async () => {
  const worker = await spawnWorker({
    NODE_ENV: 'test',
    DATABASE_URL: okey.databaseUrl,
    TEMPORAL_ADDRESS: okey.env.address,
    TEMPORAL_TASK_QUEUE: okey.taskQueue,
    RESEND_API_KEY: fake.apiKey,
    RESEND_BASE_URL: fake.url,
    PUBLIC_URL: okey.config.PUBLIC_URL,
    LOG_LEVEL: 'info',
  });
  workers.push(worker);
  return worker;
};

describe('a worker killed while an email is in flight', () => {
  it('does not make the agent receive it twice, and the renewal goes on', async () => {
    const first = await startWorker();
    const marie = await okey.login('mpayet');
    const created = await marie.post(
      '/api/renewals',
      form([['justificatif.pdf', files.pdf]], {
        keySerial: '000508901031',
        keyType: 'software',
        reason: 'autres',
      }),
    );
    const id = created.body.id as string;
    await okey.waitForStatus(marie.token, id, 'awaiting_approval');

    // Resend will accept the rejection email and then never answer.
    fake.fail({ kind: 'accept_then_hang' }, 1, (b) => String(b.subject).includes('refusée'));
    const rejected = await (await okey.login('jhoarau')).post(`/api/renewals/${id}/reject`, {
      reason: 'Pas de télétravail prévu',
    });
    expect(rejected.body.status).toBe('rejected');
    const key = `${id}/rejected/decision`;
    await expect.poll(() => fake.messagesWithKey(key).length, { timeout: 20_000 }).toBe(1);
    const handle = okey.env.client.workflow.getHandle(rejected.body.workflow.workflowId);
    const inFlight = (await handle.describe()).raw.pendingActivities ?? [];
    expect(inFlight.map((a) => a.activityType?.name)).toEqual(['sendEmail']);

    first.kill('SIGKILL');
    expect(await first.exited).toBe('SIGKILL');
    await startWorker();

    // The activity times out on the dead worker, is retried on the new one, and Resend answers
    // the repeated key with the first result.
    expect(await handle.result()).toBe('rejected');
    expect(fake.messagesWithKey(key)).toHaveLength(1);
    expect(fake.messagesWithKey(key)[0]?.to).toEqual(['marie.payet@academie.example']);
    expect(fake.requests.filter((r) => r.idempotencyKey === key).map((r) => r.outcome)).toEqual([
      'accepted, hanging',
      'replayed',
    ]);
    const [row] = await okey.db.select().from(emails).where(eq(emails.idempotencyKey, key));
    expect(row).toMatchObject({ status: 'sent', providerId: fake.messagesWithKey(key)[0]?.id });
  }, 150_000);
});
