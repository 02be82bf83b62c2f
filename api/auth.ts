import { eq } from 'drizzle-orm';
import { Hono } from 'hono';
import { createMiddleware } from 'hono/factory';
import { jwtVerify, SignJWT } from 'jose';
import { z } from 'zod';
import { people } from '../db/schema.js';
import type { AppEnv } from './context.js';
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

export const requireUser = createMiddleware<AppEnv>(async (c, next) => {
  const { config, db } = c.var.deps;
  const header = c.req.header('authorization') ?? '';
  const match = /^Bearer\s+(\S+)$/i.exec(header);
  if (!match?.[1]) throw unauthorized('Authentification requise (en-tête Authorization: Bearer).');
  let uid: string | undefined;
  try {
    const { payload } = await jwtVerify(match[1], secretKey(config.AUTH_DEV_SECRET), {
      issuer: devIssuer,
      algorithms: ['HS256'],
    });
    uid = payload.sub;
  } catch {
    throw unauthorized('Jeton invalide ou expiré.');
  }
  const [person] = await db
    .select({ id: people.id, uid: people.uid, isOperator: people.isOperator })
    .from(people)
    .where(eq(people.uid, uid ?? ''));
  if (!person) throw unauthorized('Utilisateur inconnu de l’annuaire.');
  c.set('user', person);
  c.set('log', c.var.log.child({ userId: person.id }));
  await next();
});

export const requireOperator = createMiddleware<AppEnv>(async (c, next) => {
  if (!c.var.user.isOperator) {
    throw new HttpError(403, 'forbidden', 'Réservé aux opérateurs de sécurité de la DSI.');
  }
  await next();
});
