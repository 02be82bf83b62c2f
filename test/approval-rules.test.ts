import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { delegations, people } from '../db/schema.js';
import { reunionDate } from '../workflows/calendar.js';
import { type Okey, startOkey } from './support/okey.js';
import { addAgent, emailsOf, historyOf, pdfForm } from './support/renewals.js';
import { startTimeSkippingServer } from './support/temporal.js';

const day = 86_400_000;

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

/** A request with its documents, by `uid` for `keySerial`, waiting for the approval step. */
async function request(uid: string, keySerial: string, keyType = 'software') {
  const agent = await okey.login(uid);
  const created = await agent.post(
    '/api/renewals',
    pdfForm({ keySerial, keyType, reason: 'autres' }),
  );
  expect(created.status).toBe(201);
  return { agent, id: created.body.id as string, created: created.body };
}

const typesOf = async (id: string) => (await historyOf(okey.db, id)).map((e) => e.type);

describe('a late decision by the other approver', () => {
  it('is refused with 409 and recorded while the renewal runs', async () => {
    const { agent, id } = await request('mpayet', '000508901031');
    await okey.waitForStatus(agent.token, id, 'awaiting_approval');
    const sophie = await okey.login('sgrondin');
    expect((await sophie.post(`/api/renewals/${id}/approve`, {})).status).toBe(200);

    const jean = await okey.login('jhoarau');
    const late = await jean.post(`/api/renewals/${id}/reject`, { reason: 'Pas de télétravail' });
    expect(late.status).toBe(409);
    expect(late.body.error).toMatchObject({ code: 'already_decided' });
    expect(late.body.error.message).toContain('déjà été validée par le N+2');
    const history = await historyOf(okey.db, id);
    expect(history.at(-1)).toMatchObject({
      type: 'late_decision_refused',
      detail: { capacity: 'n1', outcome: 'rejected' },
    });
    expect((await agent.get(`/api/renewals/${id}`)).body).toMatchObject({
      status: 'awaiting_mobile_os',
      decision: { outcome: 'approved', capacity: 'n2', by: 'sgrondin' },
    });
    await agent.post(`/api/renewals/${id}/cancel`);
  });

  it('is refused with 409 and recorded after a rejection closed the renewal', async () => {
    const { agent, id } = await request('mpayet', '000508901031');
    await okey.waitForStatus(agent.token, id, 'awaiting_approval');
    const jean = await okey.login('jhoarau');
    const rejected = await jean.post(`/api/renewals/${id}/reject`, { reason: 'Non justifié' });
    expect(rejected.body).toMatchObject({
      status: 'rejected',
      decision: { capacity: 'n1', by: 'jhoarau', reason: 'Non justifié' },
    });
    const sophie = await okey.login('sgrondin');
    const late = await sophie.post(`/api/renewals/${id}/approve`, {});
    expect(late.status).toBe(409);
    expect(late.body.error.code).toBe('already_decided');
    const view = (await agent.get(`/api/renewals/${id}`)).body;
    expect(view.events.at(-1)).toMatchObject({
      type: 'late_decision_refused',
      by: 'sgrondin',
      detail: { capacity: 'n2', outcome: 'approved' },
    });
    expect(view.status).toBe('rejected');
  });
});

describe('who is asked to decide', () => {
  it('sends a head of school, their own N+1, to the N+2 named by the directory', async () => {
    await addAgent(okey.db, {
      uid: 'pbegue',
      keySerial: '000508902001',
      manager: 'self',
      n2: 'sgrondin',
    });
    const { agent, id, created } = await request('pbegue', '000508902001');
    expect(created).toMatchObject({
      validator: { uid: 'sgrondin' },
      n1: null,
      n2: { uid: 'sgrondin' },
    });
    await okey.waitForStatus(agent.token, id, 'awaiting_approval');
    await expect
      .poll(() => emailsOf(okey.db, id))
      .toEqual([{ template: 'approval_requested', to: 'sophie.grondin@academie.example' }]);
    const approved = await (await okey.login('sgrondin')).post(`/api/renewals/${id}/approve`, {});
    expect(approved.body.decision).toMatchObject({ capacity: 'n2', by: 'sgrondin' });
  });

  it('sends someone whose N+1 is missing from the directory to their N+2', async () => {
    const gone = '00000000-0000-4000-8000-000000000000';
    const id = await addAgent(okey.db, {
      uid: 'kmaillot',
      keySerial: '000508902002',
      n2: 'sgrondin',
    });
    await okey.db.update(people).set({ managerId: gone }).where(eq(people.id, id));
    const { created } = await request('kmaillot', '000508902002');
    expect(created).toMatchObject({ validator: { uid: 'sgrondin' }, n1: null });
  });

  it('puts a request with neither N+1 nor N+2 in the operators’ queue, for a recorded DSI decision', async () => {
    await addAgent(okey.db, { uid: 'tlebon', keySerial: '000508902003' });
    const { agent, id, created } = await request('tlebon', '000508902003');
    expect(created).toMatchObject({ validator: null, n1: null, n2: null });
    await expect.poll(async () => typesOf(id)).toContain('sent_to_operators');
    expect(await emailsOf(okey.db, id)).toEqual([]);

    const nadia = await okey.login('ntecher');
    const queue = await nadia.get('/api/ops/renewals?attention=true');
    expect(queue.body.renewals).toContainEqual(
      expect.objectContaining({ id, attention: 'no_approver' }),
    );
    expect(
      (await agent.post(`/api/renewals/${id}/override`, { decision: 'approved', reason: 'x' }))
        .status,
    ).toBe(403);
    const noReason = await nadia.post(`/api/renewals/${id}/override`, { decision: 'approved' });
    expect(noReason.status).toBe(422);
    const decided = await nadia.post(`/api/renewals/${id}/override`, {
      decision: 'approved',
      reason: 'Agent sans hiérarchie dans l’annuaire ; demande vérifiée par la DSI',
    });
    expect(decided.status).toBe(200);
    expect(decided.body).toMatchObject({
      status: 'awaiting_mobile_os',
      attention: null,
      decision: { outcome: 'approved', capacity: 'dsi', by: 'ntecher' },
    });
    expect(decided.body.events.find((e: { type: string }) => e.type === 'approved')).toMatchObject({
      by: 'ntecher',
      detail: { capacity: 'dsi' },
    });
  });

  it('refuses a DSI override while the N+1 or the N+2 may still decide', async () => {
    const kim = await okey.login('kmaillot');
    const [open] = (await kim.get('/api/renewals')).body.renewals;
    await okey.waitForStatus(kim.token, open.id, 'awaiting_approval');
    const refused = await (await okey.login('ntecher')).post(`/api/renewals/${open.id}/override`, {
      decision: 'rejected',
      reason: 'Trop tôt',
    });
    expect(refused.status).toBe(409);
    expect(refused.body.error.message).toContain('file des opérateurs');
  });
});

describe('an ONDE delegation', () => {
  it('is checked on the day the approval step opens, within its start and end dates', async () => {
    const id = await addAgent(okey.db, {
      uid: 'rvirapin',
      keySerial: '000508902004',
      keyType: 'hardware',
      manager: 'sgrondin',
      establishmentUai: '9740310K',
    });
    const now = await env.currentTimeMs();
    await okey.db.insert(delegations).values({
      personId: id,
      kind: 'onde',
      startsOn: reunionDate(now + 10 * day),
      endsOn: reunionDate(now + 40 * day),
    });
    const agent = await okey.login('rvirapin');
    const before = await agent.post('/api/renewals', {
      keySerial: '000508902004',
      keyType: 'hardware',
      reason: 'autres',
    });
    const renewalId = before.body.id as string;
    await okey.waitForStatus(agent.token, renewalId, 'awaiting_attachments');

    // The documents arrive once the delegation has begun: approval is automatic that day.
    await env.sleep(12 * day);
    await agent.post(`/api/renewals/${renewalId}/attachments`, pdfForm());
    const approved = await okey.waitForStatus(agent.token, renewalId, 'awaiting_charter');
    expect(approved.decision).toMatchObject({
      capacity: 'automatic',
      automaticReason: 'onde_delegation',
      checkedOn: reunionDate(await env.currentTimeMs()),
    });
    await agent.post(`/api/renewals/${renewalId}/cancel`);

    // After its end date, the same agent goes to the N+1 like anyone else.
    await env.sleep(40 * day);
    const after = await agent.post(
      '/api/renewals',
      pdfForm({ keySerial: '000508902004', keyType: 'hardware', reason: 'autres' }),
    );
    const waiting = await okey.waitForStatus(agent.token, after.body.id, 'awaiting_approval');
    expect(waiting.decision).toBeNull();
  });
});
