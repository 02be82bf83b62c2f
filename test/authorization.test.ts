import { readFileSync } from 'node:fs';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../api/app.js';
import { policy } from '../api/policy.js';
import { importDirectory } from '../db/import-directory.js';
import { createLogger } from '../lib/log.js';
import { type Okey, startOkey } from './support/okey.js';

const pdf = readFileSync(new URL('./fixtures/justificatif.pdf', import.meta.url));

/** Who calls, relative to the renewal "own": its agent, a colleague, its N+1 and N+2, and others. */
const roles = [
  'owner',
  'otherAgent',
  'n1',
  'n2',
  'unrelatedManager',
  'operator',
  'anonymous',
] as const;
type RoleName = (typeof roles)[number];
const uids: Record<Exclude<RoleName, 'anonymous'>, string> = {
  owner: 'mpayet',
  otherAgent: 'ahoarau',
  n1: 'jhoarau',
  n2: 'sgrondin',
  unrelatedManager: 'rvirapoulle',
  operator: 'ntecher',
};

// Annie Hoarau is Marie's colleague; the "other" renewal is Céline Boyer's, in a hierarchy of
// its own (Paul Boyer, then Denis Lebon); Rémi Virapoulle manages neither.
const directory = [
  'uid,first_name,last_name,email,title,establishment_uai,establishment_name,manager_uid,is_permanent_director,is_operator',
  'ahoarau,Annie,Hoarau,annie.hoarau@academie.example,Professeure,9740045X,,jhoarau,non,non',
  'dlebon,Denis,Lebon,denis.lebon@academie.example,IEN,9740001R,,,non,non',
  'pboyer,Paul,Boyer,paul.boyer@academie.example,Principal,9740099A,Collège La Rivière,dlebon,non,non',
  'cboyer,Céline,Boyer,celine.boyer@academie.example,Professeure,9740099A,,pboyer,non,non',
  'rvirapoulle,Rémi,Virapoulle,remi.virapoulle@academie.example,Principal,9740088B,Collège Bois-de-Nèfles,dlebon,non,non',
].join('\n');

let okey: Okey;
const tokens = {} as Record<RoleName, string | null>;
const own = { id: '', attachmentId: '' };
const other = { id: '', attachmentId: '' };

async function hardwareRenewal(uid: string, keySerial: string) {
  await okey.db.execute(
    sql`insert into keys (serial, person_id, type, expires_on)
        select ${keySerial}, id, 'hardware', '2025-01-31' from people where uid = ${uid}`,
  );
  const agent = await okey.login(uid);
  const form = new FormData();
  form.append('files', new File([pdf], 'justificatif.pdf', { type: 'application/pdf' }));
  form.append('keySerial', keySerial);
  form.append('keyType', 'hardware');
  form.append('reason', 'teletravail');
  const created = await agent.post('/api/renewals', form);
  expect(created.status).toBe(201);
  await okey.waitForStatus(agent.token, created.body.id, 'awaiting_approval');
  return { agent, id: created.body.id as string, attachmentId: created.body.attachments[0].id };
}

beforeAll(async () => {
  okey = await startOkey();
  expect(await importDirectory(okey.db, directory)).toMatchObject({ ok: true });
  for (const [role, uid] of Object.entries(uids))
    tokens[role as RoleName] = (await okey.login(uid)).token;
  tokens.anonymous = null;

  // "own" waits for the DSI's key: approved by the N+1, charter signed.
  const mine = await hardwareRenewal('mpayet', '000508909001');
  Object.assign(own, mine);
  const approved = await okey.call(tokens.n1, 'POST', `/api/renewals/${own.id}/approve`, {});
  expect(approved.body.status).toBe('awaiting_charter');
  const { code } = (await mine.agent.get(`/api/renewals/${own.id}/charter`)).body;
  const signed = await mine.agent.post(`/api/renewals/${own.id}/charter`, {
    code,
    acknowledged: true,
  });
  expect(signed.body.status).toBe('awaiting_assignment');

  // "other" waits for Paul Boyer's decision.
  Object.assign(other, await hardwareRenewal('cboyer', '000508909002'));
});
afterAll(async () => {
  await okey?.stop();
});

const noFiles = () => {
  const form = new FormData();
  form.append('note', 'sans fichier');
  return form;
};

type Expected = Partial<Record<RoleName, number>>;
/** Statuses on "own"; anyone not listed gets 404 (no part in it) and anonymous callers 401. */
const onRenewal: [string, string, (r: typeof own) => unknown, Expected][] = [
  ['GET', '/api/renewals/:id', () => undefined, { owner: 200, n1: 200, n2: 200, operator: 200 }],
  [
    'POST',
    '/api/renewals/:id/attachments',
    noFiles,
    { owner: 422, n1: 403, n2: 403, operator: 403 },
  ],
  [
    'GET',
    '/api/renewals/:id/attachments/:attachmentId',
    () => undefined,
    { owner: 200, n1: 200, n2: 200, operator: 200 },
  ],
  [
    'POST',
    '/api/renewals/:id/cancel',
    () => undefined,
    { owner: 409, n1: 403, n2: 403, operator: 403 },
  ],
  // The N+1 approved "own" with this same body: the same update again answers as the first did
  // (one effect, test/one-effect.test.ts); the N+2's late decision is refused and recorded.
  [
    'POST',
    '/api/renewals/:id/approve',
    () => ({}),
    { owner: 403, n1: 200, n2: 409, operator: 403 },
  ],
  ['POST', '/api/renewals/:id/reject', () => ({}), { owner: 403, n1: 422, n2: 422, operator: 403 }],
  [
    'POST',
    '/api/renewals/:id/mobile-os',
    () => ({}),
    { owner: 422, n1: 403, n2: 403, operator: 403 },
  ],
  [
    'GET',
    '/api/renewals/:id/charter',
    () => undefined,
    { owner: 200, n1: 403, n2: 403, operator: 403 },
  ],
  [
    'POST',
    '/api/renewals/:id/charter',
    () => ({}),
    { owner: 422, n1: 403, n2: 403, operator: 403 },
  ],
  [
    'POST',
    '/api/renewals/:id/override',
    () => ({}),
    { owner: 403, n1: 403, n2: 403, operator: 422 },
  ],
  ['POST', '/api/renewals/:id/assign', () => ({}), { owner: 403, n1: 403, n2: 403, operator: 422 }],
  [
    'POST',
    '/api/renewals/:id/appointment',
    () => ({}),
    { owner: 422, n1: 403, n2: 403, operator: 403 },
  ],
  [
    'POST',
    '/api/renewals/:id/handover',
    () => undefined,
    { owner: 403, n1: 403, n2: 403, operator: 409 },
  ],
];

const everyone = (status: number): Expected =>
  Object.fromEntries(roles.filter((r) => r !== 'anonymous').map((r) => [r, status]));
/** Routes not about one renewal: statuses for every role. */
const general: [string, string, unknown, Expected][] = [
  ['GET', '/api/me', undefined, everyone(200)],
  ['GET', '/api/keys', undefined, everyone(200)],
  ['GET', '/api/renewals', undefined, everyone(200)],
  [
    'POST',
    '/api/renewals',
    { keySerial: '000508909001', keyType: 'hardware', reason: 'teletravail' },
    { ...everyone(404), owner: 200 },
  ],
  ['GET', '/api/approvals', undefined, everyone(200)],
  ['GET', '/api/appointments/slots', undefined, everyone(200)],
  ['GET', '/api/ops/renewals', undefined, { ...everyone(403), operator: 200 }],
  ['GET', '/api/ops/emails', undefined, { ...everyone(403), operator: 200 }],
  ['GET', '/api/ops/inbound-emails', undefined, { ...everyone(403), operator: 200 }],
  ['POST', '/api/ops/inbound-emails/:id/attach', {}, { ...everyone(403), operator: 422 }],
];

const cases = [
  ...onRenewal.flatMap(([method, route, body, expected]) =>
    roles.flatMap((role) =>
      (['own', 'other'] as const).map((whose) => {
        const status =
          role === 'anonymous'
            ? 401
            : whose === 'own' || role === 'operator'
              ? (expected[role] ?? 404)
              : 404;
        return { method, route, role, whose, body, status };
      }),
    ),
  ),
  ...general.flatMap(([method, route, body, expected]) =>
    roles.map((role) => ({
      method,
      route,
      role,
      whose: '-' as const,
      body: () => body,
      status: role === 'anonymous' ? 401 : (expected[role] as number),
    })),
  ),
];

describe('authorization on every route', () => {
  it.each(cases)('$method $route by $role on $whose → $status', async (c) => {
    const target = c.whose === 'other' ? other : own;
    const path = c.route.replace(':id', target.id).replace(':attachmentId', target.attachmentId);
    const res = await okey.call(tokens[c.role], c.method, path, c.body(target));
    expect(res.status).toBe(c.status);
  });

  it('covers every /api route of the app, and the table covers every rule', () => {
    const app = createApp({
      db: okey.db,
      temporal: okey.env.client,
      config: okey.config,
      log: createLogger({ level: 'error' }),
    });
    const routes = app.routes
      .filter((r) => r.path.startsWith('/api/') && r.method !== 'ALL')
      .map((r) => `${r.method} ${r.path}`);
    expect(new Set(routes)).toEqual(new Set(Object.keys(policy)));
    const tested = new Set(cases.map((c) => `${c.method} ${c.route}`));
    expect(tested).toEqual(new Set(Object.keys(policy)));
  });

  it('refuses a route that has no rule to everyone, operators included', async () => {
    const app = createApp({
      db: okey.db,
      temporal: okey.env.client,
      config: okey.config,
      log: createLogger({ level: 'error' }),
    });
    app.get('/api/renewals/:id/unlisted', (c) => c.json({ leaked: true }));
    const res = await app.request(`/api/renewals/${own.id}/unlisted`, {
      headers: { authorization: `Bearer ${tokens.operator}` },
    });
    expect(res.status).toBe(403);
  });
});

describe('lists show only what is the caller’s', () => {
  const ids = (body: { renewals: { id: string }[] }) => body.renewals.map((r) => r.id);

  it('an agent’s requests are their own', async () => {
    expect(ids((await okey.call(tokens.owner, 'GET', '/api/renewals')).body)).toEqual([own.id]);
    expect(ids((await okey.call(tokens.otherAgent, 'GET', '/api/renewals')).body)).toEqual([]);
    expect(ids((await okey.call(tokens.n1, 'GET', '/api/renewals')).body)).toEqual([]);
  });

  it('a manager’s approvals are those of their own agents', async () => {
    const paul = await okey.login('pboyer');
    expect(ids((await paul.get('/api/approvals')).body)).toEqual([other.id]);
    expect(ids((await okey.call(tokens.n1, 'GET', '/api/approvals')).body)).toEqual([]);
    expect(ids((await okey.call(tokens.unrelatedManager, 'GET', '/api/approvals')).body)).toEqual(
      [],
    );
  });

  it('operators see every request in the queue', async () => {
    const queue = ids((await okey.call(tokens.operator, 'GET', '/api/ops/renewals')).body);
    expect(queue).toEqual(expect.arrayContaining([own.id, other.id]));
  });
});

describe('a supporting document', () => {
  it('comes back as uploaded, as an attachment with its name', async () => {
    const res = await fetch(
      `${okey.baseUrl}/api/renewals/${own.id}/attachments/${own.attachmentId}`,
      { headers: { authorization: `Bearer ${tokens.n2}` } },
    );
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/pdf');
    expect(res.headers.get('content-disposition')).toContain('filename="justificatif.pdf"');
    // The document's own sandbox policy survives the app-wide security headers.
    expect(res.headers.get('content-security-policy')).toBe("default-src 'none'; sandbox");
    expect(Buffer.from(await res.arrayBuffer()).equals(pdf)).toBe(true);
  });

  it('of another request is not found through this one', async () => {
    const res = await okey.call(
      tokens.owner,
      'GET',
      `/api/renewals/${own.id}/attachments/${other.attachmentId}`,
    );
    expect(res.status).toBe(404);
  });
});
