import { randomUUID } from 'node:crypto';
import { getConnInfo } from '@hono/node-server/conninfo';
import type { Context, MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { secureHeaders } from 'hono/secure-headers';
import { rateLimiter } from 'hono-rate-limiter';
import type { Config } from '../lib/config.js';
import type { AppEnv } from './context.js';
import { errorBody, HttpError } from './errors.js';

/** A caller's request id is kept when it is a plain token, so it can never forge a log line. */
export const requestIdOf = (header: string | undefined) =>
  header && /^[\w.:-]{1,128}$/.test(header) ? header : randomUUID();

/**
 * Pages and files come from okey itself: no inline script or style, no framing, no plugin. The
 * portal serves its CSS and JavaScript from its own origin, which 'self' allows.
 */
export const securityHeaders = secureHeaders({
  contentSecurityPolicy: {
    defaultSrc: ["'self'"],
    scriptSrc: ["'self'"],
    styleSrc: ["'self'"],
    imgSrc: ["'self'", 'data:'],
    fontSrc: ["'self'"],
    connectSrc: ["'self'"],
    objectSrc: ["'none'"],
    baseUri: ["'self'"],
    formAction: ["'self'"],
    frameAncestors: ["'none'"],
  },
  xFrameOptions: 'DENY',
  referrerPolicy: 'same-origin',
  // A route that sets a stricter header keeps it (documents are served sandboxed).
  overwrite: false,
});

/** The rest of the body is never read, so the connection cannot carry another request. */
const tooLarge = (c: Context) =>
  c.json(errorBody(new HttpError(413, 'too_large', 'La requête est trop volumineuse.')), 413, {
    connection: 'close',
  });

/** The routes that take documents; every other body is small JSON. */
const uploadRoutes = [/^\/api\/renewals\/?$/, /^\/api\/renewals\/[^/]+\/attachments\/?$/];

/**
 * Two body limits: uploads may carry UPLOAD_MAX_FILES documents of UPLOAD_MAX_FILE_MB (plus 1 MB
 * for the form around them), everything else JSON_BODY_MAX_KB. Bodies are counted as they
 * stream in, so a lying or missing Content-Length does not get past.
 */
export function bodyLimits(config: Config): MiddlewareHandler<AppEnv> {
  const uploads = bodyLimit({
    maxSize: config.UPLOAD_MAX_FILES * config.UPLOAD_MAX_FILE_MB * 1_000_000 + 1_000_000,
    onError: tooLarge,
  });
  const small = bodyLimit({ maxSize: config.JSON_BODY_MAX_KB * 1024, onError: tooLarge });
  return (c, next) => {
    const multipart = (c.req.header('content-type') ?? '').includes('multipart/form-data');
    const upload = multipart && uploadRoutes.some((r) => r.test(c.req.path));
    return (upload ? uploads : small)(c, next);
  };
}

/** The client's address; behind a trusted proxy, the one the proxy appended last. */
function clientAddress(c: Context, config: Config): string {
  if (config.TRUST_PROXY) {
    const forwarded = c.req.header('x-forwarded-for')?.split(',').at(-1)?.trim();
    if (forwarded) return forwarded;
  }
  try {
    return getConnInfo(c).remote.address ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

const tooMany = (message: string) => (c: Context) =>
  c.json(errorBody(new HttpError(429, 'too_many_requests', message)), 429);

/**
 * Failed sign-in attempts per client address and minute; people who get in are not counted, so
 * a shared address (a school behind one gateway) is not locked out. Counters live in memory.
 */
export const signInRateLimit = (config: Config) =>
  rateLimiter<AppEnv>({
    windowMs: 60_000,
    limit: config.RATE_LIMIT_SIGNIN_PER_MIN,
    skipSuccessfulRequests: true,
    keyGenerator: (c) => clientAddress(c, config),
    handler: tooMany('Trop de tentatives de connexion : réessayez dans une minute.'),
  });

/** Charter code attempts per person and request and minute, on top of the workflow's own count. */
export const charterRateLimit = (config: Config) =>
  rateLimiter<AppEnv>({
    windowMs: 60_000,
    limit: config.RATE_LIMIT_CHARTER_PER_MIN,
    // Only refused codes count: a right code, or the same one sent twice, is never slowed down.
    skipSuccessfulRequests: true,
    skip: (c) => c.req.method !== 'POST',
    keyGenerator: (c) => `${c.var.user.id}/${c.req.param('id')}`,
    handler: tooMany('Trop d’essais de code pour la charte : réessayez dans une minute.'),
  });
