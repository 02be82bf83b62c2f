/**
 * Records the event history of each path a renewal can take into test/histories/, for the
 * replay test (test/replay.test.ts) that runs them against the current workflow code in CI.
 *
 *   npx tsx scripts/record-histories.ts          # writes the histories that are missing
 *   npx tsx scripts/record-histories.ts --force  # rewrites them all
 *   npx tsx scripts/record-histories.ts --tag emails-beside  # name.emails-beside.json: the
 *       same paths under the current code, kept beside the older recordings after a patch
 *
 * Needs PostgreSQL (DATABASE_URL, as the tests) and the Temporal test server (.tools/). A history
 * stands for the renewals already running in production: never rewrite one to make a failing
 * replay pass; change the workflow with patched() instead (README, "Changing workflow logic").
 */

import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { eq } from 'drizzle-orm';
import { renewals, slots } from '../db/schema.js';
import { temporalBinaries } from '../lib/config.js';
import { startOkey } from '../test/support/okey.js';
import { addAgent, pdfForm } from '../test/support/renewals.js';
import { startTimeSkippingServer } from '../test/support/temporal.js';
import { enrollmentEmailReceivedSignal } from '../workflows/renewal.js';

const dir = new URL('../test/histories/', import.meta.url);
const force = process.argv.includes('--force');
const tagAt = process.argv.indexOf('--tag');
const tag = tagAt > 0 ? `.${process.argv[tagAt + 1]}` : '';
const day = 86_400_000;

const env = await startTimeSkippingServer();
const okey = await startOkey({ env, config: { RATE_LIMIT_CHARTER_PER_MIN: '50' } });
const recorded: Record<string, { workflowId: string; runId?: string }> = {};

try {
  for (const [uid, keySerial, keyType, manager] of [
    ['rsoft', '000508904001', 'software', 'jhoarau'],
    ['rhard', '000508904002', 'hardware', 'jhoarau'],
    ['rreject', '000508904003', 'software', 'jhoarau'],
    ['rcancel', '000508904004', 'software', 'jhoarau'],
    ['rtimers', '000508904005', 'software', 'jhoarau'],
    ['rauto', '000508904006', 'software', 'jhoarau'],
    ['rorphan', '000508904007', 'hardware', undefined],
  ] as const) {
    await addAgent(okey.db, { uid, keySerial, keyType, manager });
  }
  const jean = await okey.login('jhoarau');
  const sophie = await okey.login('sgrondin');
  const nadia = await okey.login('ntecher');

  const open = async (uid: string, body: Record<string, string>, withDocuments: boolean) => {
    const agent = await okey.login(uid);
    const res = await agent.post('/api/renewals', withDocuments ? pdfForm(body) : body);
    if (res.status !== 201) throw new Error(`${uid}: ${res.status} ${JSON.stringify(res.body)}`);
    const id = res.body.id as string;
    return { agent, id, url: `/api/renewals/${id}` };
  };
  const keep = async (name: string, id: string) => {
    const [row] = await okey.db.select().from(renewals).where(eq(renewals.id, id));
    recorded[name] = { workflowId: row?.workflowId as string, runId: row?.runId ?? undefined };
  };
  const charter = async (agent: Awaited<ReturnType<typeof open>>['agent'], url: string) => {
    const { code } = (await agent.get(`${url}/charter`)).body;
    const res = await agent.post(`${url}/charter`, { code, acknowledged: true });
    if (res.status !== 200) throw new Error(`charter: ${res.status}`);
  };

  // Software key: N+1 approves, the N+2 too late; five wrong charter codes, reopened, signed.
  {
    const r = await open(
      'rsoft',
      { keySerial: '000508904001', keyType: 'software', reason: 'autres' },
      true,
    );
    await okey.waitForStatus(r.agent.token, r.id, 'awaiting_approval');
    await jean.post(`${r.url}/approve`, { comment: 'Accord' });
    await sophie.post(`${r.url}/approve`, {});
    await r.agent.post(`${r.url}/mobile-os`, { os: 'android' });
    await env.client.workflow
      .getHandle('renewal-000508904001')
      .signal(enrollmentEmailReceivedSignal, { inboundEmailId: 'recorded-enrollment' });
    await okey.waitForStatus(r.agent.token, r.id, 'awaiting_charter');
    for (const code of ['111111', '222222', '333333', '444444', '555555']) {
      await r.agent.post(`${r.url}/charter`, { code, acknowledged: true });
    }
    await charter(r.agent, r.url);
    await nadia.post(`${r.url}/assign`, { newKeySerial: '000508905001' });
    await okey.waitForStatus(r.agent.token, r.id, 'completed');
    await keep('software-complete', r.id);
  }

  // Hardware key: a missed appointment, then a second one and the handover.
  {
    const r = await open(
      'rhard',
      { keySerial: '000508904002', keyType: 'hardware', reason: 'teletravail' },
      true,
    );
    await okey.waitForStatus(r.agent.token, r.id, 'awaiting_approval');
    await jean.post(`${r.url}/approve`, {});
    await charter(r.agent, r.url);
    await nadia.post(`${r.url}/assign`, { newKeySerial: '000508905002' });
    const first = Math.ceil((await env.currentTimeMs()) / day) * day + 3 * day + 5 * 3_600_000;
    const [a, b] = await okey.db
      .insert(slots)
      .values([
        { startsAt: new Date(first), location: 'Rectorat, DSI' },
        { startsAt: new Date(first + 2 * day), location: 'Rectorat, DSI' },
      ])
      .returning({ id: slots.id });
    await r.agent.post(`${r.url}/appointment`, { slotId: a?.id });
    await env.sleep(first + day - (await env.currentTimeMs()));
    await okey.waitForStatus(r.agent.token, r.id, 'awaiting_appointment');
    await r.agent.post(`${r.url}/appointment`, { slotId: b?.id });
    await nadia.post(`${r.url}/handover`);
    await okey.waitForStatus(r.agent.token, r.id, 'completed');
    await keep('hardware-complete', r.id);
  }

  // Rejection after documents added later; the late approval of the closed run is the API's.
  {
    const r = await open(
      'rreject',
      { keySerial: '000508904003', keyType: 'software', reason: 'applications' },
      false,
    );
    await okey.waitForStatus(r.agent.token, r.id, 'awaiting_attachments');
    await r.agent.post(`${r.url}/attachments`, pdfForm());
    await okey.waitForStatus(r.agent.token, r.id, 'awaiting_approval');
    await jean.post(`${r.url}/reject`, { reason: 'Pas de besoin identifié' });
    await okey.waitForStatus(r.agent.token, r.id, 'rejected');
    await keep('rejection', r.id);
  }

  // Cancellation by the agent while documents are missing.
  {
    const r = await open(
      'rcancel',
      { keySerial: '000508904004', keyType: 'software', reason: 'autres' },
      false,
    );
    await okey.waitForStatus(r.agent.token, r.id, 'awaiting_attachments');
    await r.agent.post(`${r.url}/cancel`);
    await keep('cancellation', r.id);
  }

  // Timers: reminders, the N+2, the operators' queue, a DSI override, an agent reminder; and
  // beside it a request cancelled automatically after 30 days without documents.
  {
    const r = await open(
      'rtimers',
      { keySerial: '000508904005', keyType: 'software', reason: 'autres' },
      false,
    );
    const auto = await open(
      'rauto',
      { keySerial: '000508904006', keyType: 'software', reason: 'autres' },
      false,
    );
    await okey.waitForStatus(r.agent.token, r.id, 'awaiting_attachments');
    await env.sleep(6 * day);
    await r.agent.post(`${r.url}/attachments`, pdfForm());
    await okey.waitForStatus(r.agent.token, r.id, 'awaiting_approval');
    await env.sleep(16 * day);
    await nadia.post(`${r.url}/override`, { decision: 'approved', reason: 'Hiérarchie absente' });
    await env.sleep(10 * day);
    await r.agent.post(`${r.url}/cancel`);
    await okey.waitForStatus(auto.agent.token, auto.id, 'cancelled');
    await keep('timers', r.id);
    await keep('attachments-deadline', auto.id);
  }

  // Neither N+1 nor N+2: the operators' queue, and a DSI rejection.
  {
    const r = await open(
      'rorphan',
      { keySerial: '000508904007', keyType: 'hardware', reason: 'autres' },
      true,
    );
    // The request reaches the queue once the workflow has found no approver.
    while ((await r.agent.get(r.url)).body.attention !== 'no_approver') {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    await nadia.post(`${r.url}/override`, {
      decision: 'rejected',
      reason: 'Aucune hiérarchie connue',
    });
    await okey.waitForStatus(r.agent.token, r.id, 'rejected');
    await keep('operators-queue', r.id);
  }

  mkdirSync(dir, { recursive: true });
  for (const [name, { workflowId, runId }] of Object.entries(recorded)) {
    const file = new URL(`${name}${tag}.json`, dir);
    if (existsSync(file) && !force) {
      process.stdout.write(`kept     test/histories/${name}${tag}.json\n`);
      continue;
    }
    // The CLI writes the JSON that every Temporal SDK's replayer reads.
    const shown = spawnSync(
      temporalBinaries().cli as string,
      ['workflow', 'show', '--address', env.address, '--workflow-id', workflowId]
        .concat(runId ? ['--run-id', runId] : [])
        .concat(['--output', 'json']),
      { encoding: 'utf8' },
    );
    if (shown.status !== 0)
      throw new Error(`temporal workflow show ${workflowId}: ${shown.stderr}`);
    writeFileSync(file, shown.stdout);
    const events = (JSON.parse(shown.stdout) as { events: unknown[] }).events.length;
    process.stdout.write(`recorded test/histories/${name}${tag}.json (${events} events)\n`);
  }
} finally {
  await okey.stop();
  await env.teardown();
}
