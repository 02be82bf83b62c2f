import { sql } from 'drizzle-orm';
import { Hono } from 'hono';
import { authRoutes, requireUser } from './auth.js';
import type { AppDeps, AppEnv } from './context.js';
import { errorBody, HttpError, handleError } from './errors.js';
import {
  bodyLimits,
  charterRateLimit,
  requestIdOf,
  securityHeaders,
  signInRateLimit,
} from './hardening.js';
import { authorize } from './policy.js';
import { createPortal } from './portal/index.js';
import { attachmentRoutes } from './routes/attachments.js';
import { devRoutes } from './routes/dev.js';
import { directoryRoutes } from './routes/directory.js';
import { opsRoutes } from './routes/ops.js';
import { renewalRoutes } from './routes/renewals.js';
import { webhookRoutes } from './routes/webhooks.js';

export function createApp(deps: AppDeps) {
  const app = new Hono<AppEnv>();

  app.use(async (c, next) => {
    const requestId = requestIdOf(c.req.header('x-request-id'));
    c.set('deps', deps);
    c.set('requestId', requestId);
    c.set('log', deps.log.child({ requestId }));
    c.header('x-request-id', requestId);
    const started = performance.now();
    await next();
    c.var.log.info('request', {
      method: c.req.method,
      path: c.req.routePath,
      status: c.res.status,
      ms: Math.round(performance.now() - started),
    });
  });
  app.use(securityHeaders);
  app.use(bodyLimits(deps.config));
  app.onError(handleError);
  app.notFound((c) => c.json(errorBody(new HttpError(404, 'not_found', 'Route inconnue.')), 404));

  app.get('/healthz', async (c) => {
    await deps.db.execute(sql`select 1`);
    return c.json({ status: 'ok' });
  });
  app.use('/auth/*', signInRateLimit(deps.config));
  app.route('/auth', authRoutes);
  app.route('/webhooks', webhookRoutes);
  app.route('/', createPortal(app));

  app.use('/api/*', requireUser, authorize);
  app.use('/api/renewals/:id/charter', charterRateLimit(deps.config));
  app.route('/api', directoryRoutes);
  app.route('/api/renewals', renewalRoutes);
  app.route('/api/renewals', attachmentRoutes);
  app.route('/api/ops', opsRoutes);

  if (deps.config.NODE_ENV !== 'production') app.route('/dev', devRoutes(app));
  return app;
}
