import { Hono } from 'hono';
import { HttpError } from '../errors.js';
import { registerKeyPages } from './agent-keys.js';
import { registerRenewPages } from './agent-renew.js';
import { registerRequestPages } from './agent-request.js';
import type { Requester } from './client.js';
import { errorPage } from './layout.js';
import { registerManagerPages } from './manager.js';
import { registerOperatorPages } from './operator.js';
import { type PortalEnv, signedIn } from './session.js';
import { registerSignIn } from './signin.js';
import { staticRoutes } from './static.js';

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
  portal.route('/', staticRoutes);
  const auth = signedIn(app);
  registerSignIn(portal, app);
  registerKeyPages(portal, auth);
  registerRenewPages(portal, auth);
  registerRequestPages(portal, auth);
  registerManagerPages(portal, auth);
  registerOperatorPages(portal, auth);
  return portal;
}
