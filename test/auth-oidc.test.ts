import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { Client } from '@temporalio/client';
import { eq } from 'drizzle-orm';
import { type CryptoKey, exportSPKI, SignJWT, UnsecuredJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../api/app.js';
import { delegations, people } from '../db/schema.js';
import { loadConfig } from '../lib/config.js';
import { createLogger } from '../lib/log.js';
import { freshDatabase } from './support/db.js';
import { newSigningKey, startIdentityProvider, testAudience } from './support/oidc.js';

type Idp = Awaited<ReturnType<typeof startIdentityProvider>>;
let idp: Idp;
let db: Awaited<ReturnType<typeof freshDatabase>>;
const servers: { close(cb: () => void): void }[] = [];

/** okey's API signing people in through `idp` only: dev sign-in off, no Temporal call made. */
async function startApi(extra: Record<string, string> = {}) {
  const config = loadConfig({
    NODE_ENV: 'test',
    AUTH_DEV_LOGIN: 'false',
    ...idp.config(),
    ...extra,
  });
  // A lazy client: none of the routes used here reaches Temporal.
  const app = createApp({
    db: db.db,
    temporal: new Client(),
    config,
    log: createLogger({ level: 'error' }),
  });
  const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' });
  await new Promise((resolve) => server.once('listening', resolve));
  servers.push(server);
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return async (token: string | null, path = '/api/me', init: RequestInit = {}) => {
    const res = await fetch(`${base}${path}`, {
      ...init,
      headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...init.headers },
    });
    // biome-ignore lint/suspicious/noExplicitAny: response bodies are asserted field by field
    const body: any = await res.json();
    return { status: res.status, body };
  };
}

let me: Awaited<ReturnType<typeof startApi>>;
beforeAll(async () => {
  idp = await startIdentityProvider();
  db = await freshDatabase();
  me = await startApi();
});
afterAll(async () => {
  await Promise.all(servers.map((s) => new Promise<void>((r) => s.close(() => r()))));
  await idp?.stop();
  await db?.drop();
});

const now = () => Math.floor(Date.now() / 1000);
const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');

describe('a token from the identity provider', () => {
  it('signs the person in when it is signed with a published RS256 or ES256 key', async () => {
    const rsa = await me(await idp.sign({ uid: 'mpayet' }));
    expect(rsa).toMatchObject({ status: 200, body: { uid: 'mpayet' } });
    const ec = await me(await idp.sign({ uid: 'jhoarau' }, { key: idp.keys[1] }));
    expect(ec).toMatchObject({ status: 200, body: { uid: 'jhoarau' } });
  });

  it('is accepted within the clock tolerance on either side', async () => {
    const justExpired = await idp.sign({ uid: 'mpayet', exp: now() - 30 });
    expect((await me(justExpired)).status).toBe(200);
    const earlyClock = await idp.sign({ uid: 'mpayet', iat: now() + 30, nbf: now() + 30 });
    expect((await me(earlyClock)).status).toBe(200);
  });
});

describe('a forged or unusable token', () => {
  const valid = () => idp.sign({ uid: 'mpayet' });
  it.each<[string, () => Promise<string>]>([
    ['expired', () => idp.sign({ uid: 'mpayet', exp: now() - 600 })],
    ['not valid yet', () => idp.sign({ uid: 'mpayet', nbf: now() + 600 })],
    ['for another audience', () => idp.sign({ uid: 'mpayet' }, { audience: 'autre-appli' })],
    ['from another issuer', () => idp.sign({ uid: 'mpayet' }, { issuer: 'https://evil.example' })],
    [
      'unsigned (alg none)',
      async () =>
        new UnsecuredJWT({ uid: 'mpayet' })
          .setIssuer(idp.issuer)
          .setAudience(testAudience)
          .setExpirationTime('5m')
          .encode(),
    ],
    [
      'unsigned (alg none) naming a published key',
      async () =>
        `${b64({ alg: 'none', kid: 'rsa-1' })}.${b64({ uid: 'mpayet', iss: idp.issuer, aud: testAudience, exp: now() + 300 })}.`,
    ],
    [
      'signed by an unknown key',
      async () => idp.sign({ uid: 'mpayet' }, { key: await newSigningKey('stranger') }),
    ],
    [
      'signed by another key under a published kid',
      async () => idp.sign({ uid: 'mpayet' }, { key: await newSigningKey('rsa-1') }),
    ],
    [
      'tampered with (payload swapped, signature kept)',
      async () => {
        const [header, , signature] = (await valid()).split('.');
        const payload = b64({
          uid: 'ntecher',
          iss: idp.issuer,
          aud: testAudience,
          exp: now() + 300,
        });
        return `${header}.${payload}.${signature}`;
      },
    ],
    [
      'tampered with (signature altered)',
      async () => {
        const token = await valid();
        const last = token.at(-2) === 'A' ? 'B' : 'A';
        return `${token.slice(0, -2)}${last}${token.at(-1)}`;
      },
    ],
    [
      'HS256 with the provider’s public key as the secret',
      async () => {
        const secret = new TextEncoder().encode(
          await exportSPKI(idp.keys[0]?.publicKey as CryptoKey),
        );
        return new SignJWT({ uid: 'mpayet' })
          .setProtectedHeader({ alg: 'HS256', kid: 'rsa-1' })
          .setIssuer(idp.issuer)
          .setAudience(testAudience)
          .setExpirationTime('5m')
          .sign(secret);
      },
    ],
    [
      'a development token while dev sign-in is off',
      async () =>
        new SignJWT({})
          .setProtectedHeader({ alg: 'HS256' })
          .setSubject('mpayet')
          .setIssuer('okey-dev-login')
          .setExpirationTime('5m')
          .sign(new TextEncoder().encode('okey-development-only-secret')),
    ],
    ['without an expiry', () => idp.sign({ uid: 'mpayet', exp: undefined })],
    ['without the uid claim', () => idp.sign({ sub: 'mpayet' })],
    ['for someone not in the directory', () => idp.sign({ uid: 'inconnu' })],
    ['not a JWT at all', async () => 'bm90LWEtand0'],
  ])('is refused with 401 when %s', async (_what, token) => {
    const res = await me(await token());
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('unauthorized');
  });

  it('is refused with 401 when missing', async () => {
    expect((await me(null)).status).toBe(401);
  });
});

describe('the provider’s keys', () => {
  it('are fetched once and then served from the cache', async () => {
    const before = idp.fetches();
    expect(before).toBe(1);
    for (let i = 0; i < 10; i++)
      expect((await me(await idp.sign({ uid: 'mpayet' }))).status).toBe(200);
    // An unknown kid within the cooldown does not send okey back to the provider either.
    await me(await idp.sign({ uid: 'mpayet' }, { key: await newSigningKey('stranger-2') }));
    expect(idp.fetches()).toBe(before);
  });

  it('are fetched again when a token names a new key after the cooldown', async () => {
    const api = await startApi({ OIDC_JWKS_COOLDOWN_S: '0' });
    expect((await api(await idp.sign({ uid: 'mpayet' }))).status).toBe(200);
    const fetched = idp.fetches();
    const rotated = await newSigningKey('rsa-2');
    idp.publish(rotated);
    expect((await api(await idp.sign({ uid: 'mpayet' }, { key: rotated }))).status).toBe(200);
    expect(idp.fetches()).toBe(fetched + 1);
  });

  it('answer 503 when the provider cannot be reached', async () => {
    const api = await startApi({ OIDC_JWKS_URL: 'http://127.0.0.1:9/jwks' });
    const res = await api(await idp.sign({ uid: 'mpayet' }));
    expect(res.status).toBe(503);
    expect(res.body.error.code).toBe('identity_provider_unavailable');
  });
});

describe('claims received at sign-in', () => {
  const entry = async (uid: string) => {
    const [p] = await db.db.select().from(people).where(eq(people.uid, uid));
    return p;
  };

  it('refresh the person’s function, establishment and ONDE delegations', async () => {
    const token = await idp.sign({
      uid: 'lfontaine',
      title: 'Directeur d’école (faisant fonction)',
      establishment_uai: '9740045X',
      permanent_director: false,
      onde_delegations: [{ start: '2025-09-01', end: '2026-08-31' }],
    });
    const res = await me(token);
    expect(res.body).toMatchObject({
      title: 'Directeur d’école (faisant fonction)',
      establishmentUai: '9740045X',
      isPermanentDirector: false,
    });
    const luc = await entry('lfontaine');
    const onde = await db.db
      .select()
      .from(delegations)
      .where(eq(delegations.personId, luc?.id ?? ''));
    expect(onde).toEqual([
      expect.objectContaining({ kind: 'onde', startsOn: '2025-09-01', endsOn: '2026-08-31' }),
    ]);

    // The same claims again change nothing, not even the entry's last update.
    await me(token);
    expect((await entry('lfontaine'))?.updatedAt).toEqual(luc?.updatedAt);
  });

  it('leave the entry alone when absent, and are ignored when malformed', async () => {
    const before = await entry('mpayet');
    const res = await me(
      await idp.sign({ uid: 'mpayet', establishment_uai: 'pas un UAI', onde_delegations: 'oui' }),
    );
    expect(res.status).toBe(200);
    expect(await entry('mpayet')).toEqual(before);
  });

  it('record an establishment the directory does not know yet', async () => {
    await me(await idp.sign({ uid: 'mpayet', establishment_uai: '9740999Z' }));
    expect((await entry('mpayet'))?.establishmentUai).toBe('9740999Z');
  });
});

describe('development sign-in', () => {
  it('does not exist when it is off', async () => {
    const res = await me(null, '/auth/dev-login', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ uid: 'ntecher' }),
    });
    expect(res.status).toBe(404);
  });
});
