import { randomUUID } from 'node:crypto';
import { desc, sql } from 'drizzle-orm';
import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { emails } from '../db/schema.js';
import { authRoutes, requireUser } from './auth.js';
import type { AppDeps, AppEnv } from './context.js';
import { errorBody, HttpError, handleError } from './errors.js';
import { createPortal } from './portal/index.js';
import { directoryRoutes } from './routes/directory.js';
import { renewalRoutes } from './routes/renewals.js';
import { webhookRoutes } from './routes/webhooks.js';

export function createApp(deps: AppDeps) {
  const app = new Hono<AppEnv>();
  const maxBody =
    deps.config.UPLOAD_MAX_FILES * deps.config.UPLOAD_MAX_FILE_MB * 1_000_000 + 1_000_000;

  app.use(async (c, next) => {
    const requestId = c.req.header('x-request-id') ?? randomUUID();
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
  app.use(
    bodyLimit({
      maxSize: maxBody,
      onError: (c) =>
        c.json(errorBody(new HttpError(413, 'too_large', 'La requête est trop volumineuse.')), 413),
    }),
  );
  app.onError(handleError);
  app.notFound((c) => c.json(errorBody(new HttpError(404, 'not_found', 'Route inconnue.')), 404));

  app.get('/healthz', async (c) => {
    await deps.db.execute(sql`select 1`);
    return c.json({ status: 'ok' });
  });
  app.route('/auth', authRoutes);
  app.route('/webhooks', webhookRoutes);
  app.route('/', createPortal(app));

  app.use('/api/*', requireUser);
  app.route('/api', directoryRoutes);
  app.route('/api/renewals', renewalRoutes);

  if (deps.config.NODE_ENV !== 'production') {
    app.get('/dev/outbox', async (c) => {
      const rows = await deps.db.select().from(emails).orderBy(desc(emails.createdAt));
      return c.json({
        emails: rows.map((e) => ({
          to: e.to,
          subject: e.subject,
          text: e.text,
          template: e.template,
          renewalId: e.renewalId,
          status: e.status,
          createdAt: e.createdAt.toISOString(),
        })),
      });
    });
  }
  return app;
}
