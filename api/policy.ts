import { createMiddleware } from 'hono/factory';
import { matchedRoutes } from 'hono/route';
import type { AppEnv } from './context.js';
import { forbidden, HttpError } from './errors.js';
import { findRenewal, type Role, requireRole } from './views.js';

/** Who may call a route: any signed-in person, operators only, or roles on the renewal `:id`. */
export type Rule =
  | { kind: 'signed_in'; why: string }
  | { kind: 'operators' }
  | { kind: 'renewal'; roles: Role[] };

const signedIn = (why: string): Rule => ({ kind: 'signed_in', why });
const operators: Rule = { kind: 'operators' };
const on = (...roles: Role[]): Rule => ({ kind: 'renewal', roles });

/**
 * Every `/api` route and who may call it, in one table. A route missing here is refused to
 * everyone (and a test fails), so a new route cannot ship without saying who it is for. The
 * route handlers keep their own checks as a second line.
 */
export const policy: Record<string, Rule> = {
  'GET /api/me': signedIn('one’s own entry'),
  'GET /api/keys': signedIn('one’s own keys'),
  'GET /api/approvals': signedIn('only requests where the caller is the N+1 or the N+2'),
  'GET /api/appointments/slots': signedIn('free slots carry no personal data'),
  'GET /api/ops/renewals': operators,
  'GET /api/ops/emails': operators,
  'GET /api/ops/inbound-emails': operators,
  'POST /api/ops/inbound-emails/:id/attach': operators,
  'GET /api/renewals': signedIn('only the caller’s own requests'),
  'POST /api/renewals': signedIn('only for a key the caller holds'),
  'GET /api/renewals/:id': on('requester', 'approver', 'operator'),
  'POST /api/renewals/:id/attachments': on('requester'),
  'GET /api/renewals/:id/attachments/:attachmentId': on('requester', 'approver', 'operator'),
  'POST /api/renewals/:id/cancel': on('requester'),
  'POST /api/renewals/:id/approve': on('approver'),
  'POST /api/renewals/:id/reject': on('approver'),
  'POST /api/renewals/:id/mobile-os': on('requester'),
  'GET /api/renewals/:id/charter': on('requester'),
  'POST /api/renewals/:id/charter': on('requester'),
  'POST /api/renewals/:id/override': on('operator'),
  'POST /api/renewals/:id/assign': on('operator'),
  'POST /api/renewals/:id/appointment': on('requester'),
  'POST /api/renewals/:id/handover': on('operator'),
};

/** `/api/renewals/:id/charter` against `/api/renewals/42/charter` gives `{ id: '42' }`. */
function paramsOf(pattern: string, path: string): Record<string, string> {
  const names = pattern.split('/');
  const values = path.split('/');
  return Object.fromEntries(
    names.flatMap((n, i) =>
      n.startsWith(':') ? [[n.slice(1), decodeURIComponent(values[i] ?? '')]] : [],
    ),
  );
}

/**
 * Applies the table before the route runs, so a caller who may not act learns nothing from body
 * validation. Someone with no part in a renewal gets 404, as if it did not exist; someone with a
 * part but not this one gets 403.
 */
export const authorize = createMiddleware<AppEnv>(async (c, next) => {
  const route = matchedRoutes(c).findLast((r) => r.method !== 'ALL');
  // No route matched: let the request fall through to the 404 handler.
  if (!route) return next();
  const key = `${route.method} ${route.path}`;
  const rule = policy[key];
  if (!rule) {
    c.var.log.error('route without an authorization rule', { route: key });
    throw forbidden();
  }
  if (rule.kind === 'operators' && !c.var.user.isOperator) {
    throw new HttpError(403, 'forbidden', 'Réservé aux opérateurs de sécurité de la DSI.');
  }
  if (rule.kind === 'renewal') {
    const renewal = await findRenewal(c.var.deps.db, paramsOf(route.path, c.req.path).id ?? '');
    requireRole(c.var.user, renewal, ...rule.roles);
  }
  await next();
});
