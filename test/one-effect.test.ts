import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Okey, startOkey } from './support/okey.js';
import { historyOf, pdfForm } from './support/renewals.js';

let okey: Okey;
beforeAll(async () => {
  okey = await startOkey();
});
afterAll(async () => {
  await okey?.stop();
});

const countOf = async (id: string, type: string) =>
  (await historyOf(okey.db, id)).filter((e) => e.type === type).length;

describe('one open renewal per key', () => {
  it('answers two simultaneous requests for a key with the same renewal, and starts one workflow', async () => {
    const marie = await okey.login('mpayet');
    const body = { keySerial: '000508901031', keyType: 'software', reason: 'autres' };
    const answers = await Promise.all([
      marie.post('/api/renewals', body),
      marie.post('/api/renewals', body),
      marie.post('/api/renewals', body),
    ]);
    expect(answers.map((a) => a.status).sort()).toEqual([200, 200, 201]);
    expect(new Set(answers.map((a) => a.body.id)).size).toBe(1);

    const later = await marie.post('/api/renewals', body);
    expect(later.status).toBe(200);
    expect(later.body.id).toBe(answers[0]?.body.id);

    // Visibility is eventually consistent: wait until it has seen the one run, then count.
    const query = `WorkflowId = 'renewal-000508901031'`;
    await expect.poll(() => okey.env.client.workflow.count(query).then((c) => c.count)).toBe(1);
    expect((await marie.get('/api/renewals')).body.renewals).toHaveLength(1);
  });
});

describe('the same action sent twice within a second', () => {
  it('has one effect, and both clicks get the same answer', async () => {
    const marie = await okey.login('mpayet');
    const jean = await okey.login('jhoarau');
    const nadia = await okey.login('ntecher');
    const [renewal] = (await marie.get('/api/renewals')).body.renewals;
    const id = renewal.id as string;
    await marie.post(`/api/renewals/${id}/attachments`, pdfForm());
    await okey.waitForStatus(marie.token, id, 'awaiting_approval');

    const twice = <T>(send: () => Promise<T>) => Promise.all([send(), send()]);

    const approvals = await twice(() =>
      jean.post(`/api/renewals/${id}/approve`, { comment: 'ok' }),
    );
    expect(approvals.map((a) => a.status)).toEqual([200, 200]);
    expect(await countOf(id, 'approved')).toBe(1);
    expect(await countOf(id, 'late_decision_refused')).toBe(0);

    const os = await twice(() => marie.post(`/api/renewals/${id}/mobile-os`, { os: 'ios' }));
    expect(os.map((a) => a.status)).toEqual([200, 200]);
    expect(await countOf(id, 'mobile_os_chosen')).toBe(1);

    await okey.env.client.workflow
      .getHandle(`renewal-000508901031`)
      .signal('enrollmentEmailReceived', { inboundEmailId: 'test-enrollment' });
    await okey.waitForStatus(marie.token, id, 'awaiting_charter');
    const { code } = (await marie.get(`/api/renewals/${id}/charter`)).body;
    const signed = await twice(() =>
      marie.post(`/api/renewals/${id}/charter`, { code, acknowledged: true }),
    );
    expect(signed.map((a) => a.status)).toEqual([200, 200]);
    expect(await countOf(id, 'charter_signed')).toBe(1);

    const assigned = await twice(() =>
      nadia.post(`/api/renewals/${id}/assign`, { newKeySerial: '000508907001' }),
    );
    expect(assigned.map((a) => a.status)).toEqual([200, 200]);
    expect(assigned.map((a) => a.body.status)).toEqual(['completed', 'completed']);
    expect(await countOf(id, 'key_assigned')).toBe(1);
  });

  it('still refuses a different second action', async () => {
    const luc = await okey.login('lfontaine');
    const created = await luc.post(
      '/api/renewals',
      pdfForm({ keySerial: '000508901032', keyType: 'hardware', reason: 'autres' }),
    );
    const id = created.body.id as string;
    await okey.waitForStatus(luc.token, id, 'awaiting_charter');
    const nadia = await okey.login('ntecher');
    const { code } = (await luc.get(`/api/renewals/${id}/charter`)).body;
    await luc.post(`/api/renewals/${id}/charter`, { code, acknowledged: true });
    const [first, other] = await Promise.all([
      nadia.post(`/api/renewals/${id}/assign`, { newKeySerial: '000508907002' }),
      nadia.post(`/api/renewals/${id}/assign`, { newKeySerial: '000508907003' }),
    ]);
    expect([first.status, other.status].sort()).toEqual([200, 409]);
    expect(await countOf(id, 'key_assigned')).toBe(1);
  });
});
