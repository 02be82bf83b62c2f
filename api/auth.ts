import { eq } from 'drizzle-orm';
import { Hono } from 'hono';
import { createMiddleware } from 'hono/factory';
import { createRemoteJWKSet, decodeJwt, errors, type JWTPayload, jwtVerify, SignJWT } from 'jose';
import { z } from 'zod';
import type { Database } from '../db/client.js';
import { people } from '../db/schema.js';
import type { Config } from '../lib/config.js';
import type { Logger } from '../lib/log.js';
import { refreshFromClaims } from './claims.js';
import type { AppEnv, CurrentUser } from './context.js';
import { HttpError, jsonBody, notFound } from './errors.js';

const devIssuer = 'okey-dev-login';
const secretKey = (secret: string) => new TextEncoder().encode(secret);

/** Development sign-in: a signed token for any directory user. Refused unless enabled. */
export const authRoutes = new Hono<AppEnv>().post('/dev-login', async (c) => {
  const { config, db } = c.var.deps;
  if (!config.AUTH_DEV_LOGIN) throw notFound('Route');
  const { uid } = await jsonBody(c, z.object({ uid: z.string().min(1) }));
  const [person] = await db.select({ uid: people.uid }).from(people).where(eq(people.uid, uid));
  if (!person) throw new HttpError(404, 'unknown_user', 'Aucun utilisateur avec cet identifiant.');
  const token = await new SignJWT({})
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(person.uid)
    .setIssuer(devIssuer)
    .setIssuedAt()
    .setExpirationTime('8h')
    .sign(secretKey(config.AUTH_DEV_SECRET));
  return c.json({ token });
});

const unauthorized = (message: string) => new HttpError(401, 'unauthorized', message);

// One key set per configuration: jose caches the provider's keys in it, refetches them at most
// once per cooldown when a token names an unknown key, and after cacheMaxAge.
const keySets = new WeakMap<Config, ReturnType<typeof createRemoteJWKSet>>();
function keySetFor(config: Config, url: string) {
  let set = keySets.get(config);
  if (!set) {
    set = createRemoteJWKSet(new URL(url), {
      cooldownDuration: config.OIDC_JWKS_COOLDOWN_S * 1000,
      cacheMaxAge: config.OIDC_JWKS_CACHE_S * 1000,
      timeoutDuration: 5000,
    });
    keySets.set(config, set);
  }
  return set;
}

async function verifyOidc(token: string, config: Config): Promise<JWTPayload> {
  const { OIDC_ISSUER: issuer, OIDC_AUDIENCE: audience, OIDC_JWKS_URL: jwksUrl } = config;
  if (!issuer || !audience || !jwksUrl) throw unauthorized('Jeton invalide ou expiré.');
  const { payload } = await jwtVerify(token, keySetFor(config, jwksUrl), {
    issuer,
    audience,
    algorithms: config.OIDC_ALGORITHMS,
    clockTolerance: config.OIDC_CLOCK_TOLERANCE_S,
    requiredClaims: ['exp', config.OIDC_UID_CLAIM],
  });
  return payload;
}

export interface TokenDeps {
  config: Config;
  db: Database;
  log: Logger;
}

/**
 * The directory user a bearer token stands for, or a 401. Tokens of the identity provider are
 * checked against its published keys; development tokens only while dev sign-in is enabled.
 * The portal's session cookie carries the same tokens and calls this too.
 */
export async function verifyToken(token: string, deps: TokenDeps): Promise<CurrentUser> {
  const { config, db, log } = deps;
  let payload: JWTPayload;
  let fromProvider = false;
  try {
    // Read unverified only to pick the verifier; the chosen one checks everything again.
    const claimedIssuer = decodeJwt(token).iss;
    if (config.AUTH_DEV_LOGIN && claimedIssuer === devIssuer) {
      ({ payload } = await jwtVerify(token, secretKey(config.AUTH_DEV_SECRET), {
        issuer: devIssuer,
        algorithms: ['HS256'],
        requiredClaims: ['exp', 'sub'],
      }));
    } else {
      payload = await verifyOidc(token, config);
      fromProvider = true;
    }
  } catch (err) {
    if (err instanceof HttpError) throw err;
    if (err instanceof errors.JWKSTimeout || !(err instanceof errors.JOSEError)) {
      log.warn('identity provider keys unavailable', { error: (err as Error).name });
      throw new HttpError(
        503,
        'identity_provider_unavailable',
        'Le service d’authentification ne répond pas. Réessayez dans un instant.',
      );
    }
    log.info('token refused', { reason: err.code });
    if (err instanceof errors.JWTExpired) {
      throw unauthorized('Votre session a expiré : reconnectez-vous.');
    }
    throw unauthorized('Jeton invalide ou expiré.');
  }

  const uid = fromProvider ? payload[config.OIDC_UID_CLAIM] : payload.sub;
  if (typeof uid !== 'string' || uid === '') throw unauthorized('Jeton sans identifiant.');
  const [person] = await db
    .select({
      id: people.id,
      uid: people.uid,
      isOperator: people.isOperator,
      title: people.title,
      establishmentUai: people.establishmentUai,
      isPermanentDirector: people.isPermanentDirector,
    })
    .from(people)
    .where(eq(people.uid, uid));
  if (!person) throw unauthorized('Utilisateur inconnu de l’annuaire.');
  const { title, establishmentUai, isPermanentDirector, ...user } = person;
  if (fromProvider) {
    const entry = { title, establishmentUai, isPermanentDirector };
    await refreshFromClaims(db, user.id, entry, payload, config, log);
  }
  return user;
}

export const requireUser = createMiddleware<AppEnv>(async (c, next) => {
  const header = c.req.header('authorization') ?? '';
  const match = /^Bearer\s+(\S+)$/i.exec(header);
  if (!match?.[1]) throw unauthorized('Authentification requise (en-tête Authorization: Bearer).');
  const user = await verifyToken(match[1], { ...c.var.deps, log: c.var.log });
  c.set('user', user);
  c.set('log', c.var.log.child({ userId: user.id }));
  await next();
});

export const requireOperator = createMiddleware<AppEnv>(async (c, next) => {
  if (!c.var.user.isOperator) {
    throw new HttpError(403, 'forbidden', 'Réservé aux opérateurs de sécurité de la DSI.');
  }
  await next();
});
