import { workflowMetadataQuery } from '@temporalio/workflow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Okey, startOkey } from './support/okey.js';
import { pdfForm } from './support/renewals.js';

let okey: Okey;
beforeAll(async () => {
  okey = await startOkey();
});
afterAll(async () => {
  await okey?.stop();
});

/** Workflow ids an operator's visibility query finds (eventually consistent: polled). */
const found = (query: string) =>
  okey.env.client.workflow.count(query).then(async ({ count }) => {
    const ids: string[] = [];
    for await (const w of okey.env.client.workflow.list({ query })) ids.push(w.workflowId);
    return { count, ids };
  });

describe('what operators see in the Temporal UI', () => {
  it('finds renewals by status, key type, establishment and the date their step began', async () => {
    const marie = await okey.login('mpayet');
    const created = await marie.post(
      '/api/renewals',
      pdfForm({ keySerial: '000508901031', keyType: 'software', reason: 'teletravail' }),
    );
    const id = created.body.id as string;
    await okey.waitForStatus(marie.token, id, 'awaiting_approval');
    const workflowId = 'renewal-000508901031';

    const inFiveDays = new Date(Date.now() + 5 * 86_400_000).toISOString();
    const fiveDaysAgo = new Date(Date.now() - 5 * 86_400_000).toISOString();
    const match = { count: 1, ids: [workflowId] };
    const none = { count: 0, ids: [] };
    await expect.poll(() => found(`OkeyStatus = 'awaiting_approval'`)).toEqual(match);
    await expect
      .poll(() => found(`OkeyKeyType = 'software' AND OkeyEstablishment = '9740045X'`))
      .toEqual(match);
    expect(
      await found(`OkeyStatus = 'awaiting_approval' AND OkeyStepSince < '${inFiveDays}'`),
    ).toEqual(match);
    // The README's query: waiting for approval for more than 5 days. Not this one, yet.
    expect(
      await found(`OkeyStatus = 'awaiting_approval' AND OkeyStepSince < '${fiveDaysAgo}'`),
    ).toEqual(none);
    expect(await found(`OkeyStatus = 'awaiting_charter'`)).toEqual(none);

    const handle = okey.env.client.workflow.getHandle(workflowId);
    const described = await handle.describe();
    expect(await described.staticSummary()).toBe(
      'Clef logicielle 000508901031 — établissement 9740045X',
    );
    expect(await described.staticDetails()).toContain(id);
    const metadata = await handle.query(workflowMetadataQuery);
    expect(metadata.currentDetails).toContain('En attente de validation');

    // Nothing personal: search attributes are stored unencrypted.
    const everything = JSON.stringify([
      described.typedSearchAttributes.getAll(),
      await described.staticSummary(),
      await described.staticDetails(),
      metadata.currentDetails,
    ]);
    for (const personal of ['Payet', 'Marie', 'Hoarau', 'academie.example']) {
      expect(everything).not.toContain(personal);
    }

    const sophie = await okey.login('sgrondin');
    await sophie.post(`/api/renewals/${id}/approve`, {});
    await expect.poll(() => found(`OkeyStatus = 'awaiting_mobile_os'`)).toEqual(match);
    expect(await found(`OkeyStatus = 'awaiting_approval'`)).toEqual(none);
  });
});
