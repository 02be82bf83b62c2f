import { Hono } from 'hono';
import { HttpError } from '../errors.js';
import { registerKeyPages } from './agent-keys.js';
import { registerRenewPages } from './agent-renew.js';
import { registerRequestPages } from './agent-request.js';
import type { Requester } from './client.js';
import { errorPage } from './layout.js';
import { registerManagerPages } from './manager.js';
import { registerOperatorPages } from './operator.js';
import { registerOperatorQueue } from './operator-queue.js';
import { type PortalEnv, signedIn } from './session.js';
import { registerSignIn } from './signin.js';
import { staticRoutes } from './static.js';

const apiPaths = /^\/(api|auth|webhooks|dev|healthz)(\/|$)/;

/**
 * The French portal: server-rendered pages over the JSON API of `app`, which they call
 * in-process with the signed-in person's token. Forms work without JavaScript.
 */
export function createPortal(app: Requester) {
  const portal = new Hono<PortalEnv>();
  portal.onError((err, c) => {
    if (err instanceof HttpError) return errorPage(c, err.status as 403, err.message);
    c.var.log?.error('portal error', { error: err.name, detail: err.message.slice(0, 200) });
    return errorPage(c, 500, 'Une erreur interne est survenue. Réessayez dans quelques instants.');
  });
  // A browser asking for an address that does not exist gets a French page, not the API's JSON.
  portal.use('*', async (c, next) => {
    await next();
    const json = c.res.headers.get('content-type')?.includes('application/json');
    if (c.res.status !== 404 || !json || c.req.method !== 'GET') return;
    if (!c.req.header('accept')?.includes('text/html') || apiPaths.test(c.req.path)) return;
    c.res = await errorPage(
      c,
      404,
      'Cette page n’existe pas. Vérifiez l’adresse ou revenez à l’accueil.',
    );
  });
  portal.route('/', staticRoutes);
  const auth = signedIn(app);
  registerSignIn(portal, app);
  registerKeyPages(portal, auth);
  registerRenewPages(portal, auth);
  registerRequestPages(portal, auth);
  registerManagerPages(portal, auth);
  registerOperatorQueue(portal, auth);
  registerOperatorPages(portal, auth);
  return portal;
}
