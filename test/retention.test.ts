import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { attachments } from '../db/schema.js';
import { files, form, giveKey, variantPdf } from './support/documents.js';
import { type Okey, startOkey } from './support/okey.js';
import { startTimeSkippingServer } from './support/temporal.js';

let env: TestWorkflowEnvironment;
let okey: Okey;

beforeAll(async () => {
  env = await startTimeSkippingServer();
  // 30 days rather than the default 90: the period comes from configuration.
  okey = await startOkey({ env, config: { DOCUMENT_RETENTION_DAYS: '30' } });
});
afterAll(async () => {
  await okey?.stop();
  await env?.teardown();
});

const day = 24 * 60 * 60 * 1000;

describe('retention of supporting documents', () => {
  it('deletes the contents 30 days after the request ends, keeping name, size and hash', async () => {
    const marie = await okey.login('mpayet');
    const keySerial = await giveKey(okey.db, 'mpayet');
    const created = await marie.post(
      '/api/renewals',
      form(
        [
          ['justificatif.pdf', files.pdf],
          ['photo été.jpg', files.jpeg],
        ],
        { keySerial, keyType: 'software', reason: 'teletravail' },
      ),
    );
    expect(created.status).toBe(201);
    const id = created.body.id as string;
    await okey.waitForStatus(marie.token, id, 'awaiting_approval');
    // A request still open keeps its documents, however long it waits.
    const open = await marie.post(
      '/api/renewals',
      form([['autre.pdf', variantPdf('open')]], {
        keySerial: await giveKey(okey.db, 'mpayet'),
        keyType: 'software',
        reason: 'autres',
      }),
    );
    const openId = open.body.id as string;

    expect((await marie.post(`/api/renewals/${id}/cancel`)).status).toBe(200);
    const ended = await okey.waitForStatus(marie.token, id, 'cancelled');
    const docs = ended.attachments as { url: string; sha256: string; size: number }[];
    const get = (url: string) =>
      fetch(`${okey.baseUrl}${url}`, { headers: { authorization: `Bearer ${marie.token}` } });

    await env.sleep(29 * day);
    expect((await get(docs[0]?.url as string)).status).toBe(200);

    const retention = env.client.workflow.getHandle(`retention-${id}`);
    expect(await retention.result()).toEqual({ purged: 2 });
    const { events } = await retention.fetchHistory();
    const timer = events?.find((e) => e.timerStartedEventAttributes)?.timerStartedEventAttributes;
    expect(Number(timer?.startToFireTimeout?.seconds)).toBe((30 * day) / 1000);

    const gone = await get(docs[0]?.url as string);
    expect(gone.status).toBe(410);
    expect(((await gone.json()) as { error: unknown }).error).toMatchObject({
      code: 'document_deleted',
      message: expect.stringMatching(
        /^Le document « justificatif.pdf » a été supprimé le .+ à la fin de sa durée de conservation/,
      ),
    });
    const after = (await marie.get(`/api/renewals/${id}`)).body.attachments;
    expect(after).toEqual([
      expect.objectContaining({
        filename: 'justificatif.pdf',
        size: files.pdf.length,
        sha256: docs[0]?.sha256,
        deletedAt: expect.any(String),
      }),
      expect.objectContaining({
        filename: 'photo été.jpg',
        size: files.jpeg.length,
        sha256: docs[1]?.sha256,
        deletedAt: expect.any(String),
      }),
    ]);
    const rows = await okey.db
      .select({ content: attachments.content })
      .from(attachments)
      .where(eq(attachments.renewalId, id));
    expect(rows.map((r) => r.content)).toEqual([null, null]);

    const stillOpen = (await marie.get(`/api/renewals/${openId}`)).body.attachments;
    expect(stillOpen[0].deletedAt).toBeNull();
    expect((await get(stillOpen[0].url)).status).toBe(200);
  });

  it('frees the key at once: a new request may start while the old documents wait', async () => {
    const marie = await okey.login('mpayet');
    const keySerial = await giveKey(okey.db, 'mpayet');
    const body = () =>
      form([['justificatif.pdf', files.pdf]], { keySerial, keyType: 'software', reason: 'autres' });
    const first = await marie.post('/api/renewals', body());
    await okey.waitForStatus(marie.token, first.body.id, 'awaiting_approval');
    await marie.post(`/api/renewals/${first.body.id}/cancel`);
    await okey.waitForStatus(marie.token, first.body.id, 'cancelled');

    const again = await marie.post('/api/renewals', body());
    expect(again.status).toBe(201);
    expect(again.body.id).not.toBe(first.body.id);
    const timer = await env.client.workflow.getHandle(`retention-${first.body.id}`).describe();
    expect(timer.status.name).toBe('RUNNING');
  });
});
