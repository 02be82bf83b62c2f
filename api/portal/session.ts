import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Context } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { createMiddleware } from 'hono/factory';
import type { AppEnv } from '../context.js';
import { HttpError } from '../errors.js';
import { type ApiClient, apiClient, type Requester } from './client.js';

export const sessionCookie = 'okey_session';
/** As long as the token the API issues. */
const sessionSeconds = 8 * 3600;

export interface Me {
  uid: string;
  firstName: string;
  lastName: string;
  email: string;
  title: string;
  establishmentUai: string | null;
  isOperator: boolean;
  isPermanentDirector: boolean;
}

export interface PortalEnv {
  Variables: AppEnv['Variables'] & {
    api: ApiClient;
    me: Me;
    /** The per-session token every form carries back. */
    csrf: string;
  };
}

export type PortalContext = Context<PortalEnv>;

/**
 * Keeps the API's bearer token in an HttpOnly cookie. Whatever issues the token (development
 * sign-in today, OpenID Connect later) opens the session here.
 */
export function openSession(c: Context<AppEnv> | PortalContext, token: string): void {
  setCookie(c, sessionCookie, token, {
    httpOnly: true,
    sameSite: 'Lax',
    secure: new URL(c.var.deps.config.PUBLIC_URL).protocol === 'https:',
    path: '/',
    maxAge: sessionSeconds,
  });
}

export function closeSession(c: Context<AppEnv> | PortalContext): void {
  deleteCookie(c, sessionCookie, { path: '/' });
}

/**
 * Derived from the session token, which only this browser and the server know: a forged form
 * from another site cannot carry it, and nothing has to be stored.
 */
export const csrfToken = (sessionToken: string) =>
  createHmac('sha256', sessionToken).update('okey-portal-form').digest('base64url');

const sameToken = (a: string, b: string) =>
  a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));

/** A local path only, so a crafted link cannot send someone elsewhere after sign-in. */
export function safeReturn(path: string | undefined | null): string {
  const local = path?.startsWith('/') && !path.startsWith('//') && !path.startsWith('/\\');
  return local && path ? path : '/';
}

export const signInPath = (back: string) =>
  back === '/' ? '/connexion' : `/connexion?retour=${encodeURIComponent(back)}`;

/**
 * Lets in people with a valid session and gives the handler an API client acting as them.
 * Forms must carry the session's CSRF token.
 */
export function signedIn(app: Requester) {
  return createMiddleware<PortalEnv>(async (c, next) => {
    const url = new URL(c.req.url);
    const back = c.req.method === 'GET' ? `${url.pathname}${url.search}` : '/';
    const token = getCookie(c, sessionCookie);
    if (!token) return c.redirect(signInPath(back), 303);
    const api = apiClient(app, token, c.var.requestId);
    const me = await api.get<Me>('/api/me');
    if (!me.ok) {
      if (me.status !== 401) throw new Error(`GET /api/me answered ${me.status}`);
      closeSession(c);
      return c.redirect(signInPath(back), 303);
    }
    const csrf = csrfToken(token);
    if (c.req.method === 'POST') {
      const body = await c.req.parseBody({ all: true });
      const sent = typeof body._csrf === 'string' ? body._csrf : '';
      if (!sameToken(sent, csrf)) {
        throw new HttpError(
          403,
          'csrf',
          'Ce formulaire a expiré ou ne vient pas d’OKEY. Rechargez la page et recommencez.',
        );
      }
    }
    c.set('api', api);
    c.set('me', me.data);
    c.set('csrf', csrf);
    await next();
  });
}
