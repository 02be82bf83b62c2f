import { and, asc, desc, eq, gt, isNotNull, isNull, or } from 'drizzle-orm';
import { Hono } from 'hono';
import { z } from 'zod';
import { keys, people, renewals, slots } from '../../db/schema.js';
import { statuses } from '../../workflows/steps.js';
import { requireOperator } from '../auth.js';
import type { AppEnv } from '../context.js';
import { renewalSummary } from '../views.js';
import { failedEmailCounts } from './ops.js';

/** The caller, their keys, what waits for their decision, and the pickup slots. */
export const directoryRoutes = new Hono<AppEnv>()
  .get('/me', async (c) => {
    const [me] = await c.var.deps.db.select().from(people).where(eq(people.id, c.var.user.id));
    if (!me) throw new Error('signed-in user vanished from the directory');
    return c.json({
      uid: me.uid,
      firstName: me.firstName,
      lastName: me.lastName,
      email: me.email,
      title: me.title,
      establishmentUai: me.establishmentUai,
      isOperator: me.isOperator,
      isPermanentDirector: me.isPermanentDirector,
    });
  })
  .get('/keys', async (c) => {
    const rows = await c.var.deps.db
      .select()
      .from(keys)
      .where(eq(keys.personId, c.var.user.id))
      .orderBy(asc(keys.expiresOn));
    const today = new Date().toISOString().slice(0, 10);
    return c.json({
      keys: rows.map((k) => ({
        serial: k.serial,
        type: k.type,
        expiresOn: k.expiresOn,
        expired: k.expiresOn < today,
        state: k.state,
      })),
    });
  })
  .get('/approvals', async (c) => {
    const me = c.var.user.id;
    const rows = await c.var.deps.db
      .select()
      .from(renewals)
      .where(
        and(
          eq(renewals.status, 'awaiting_approval'),
          or(eq(renewals.n1Id, me), eq(renewals.n2Id, me), eq(renewals.validatorId, me)),
        ),
      )
      .orderBy(asc(renewals.stepSince));
    return c.json({
      renewals: rows.map((r) => ({ ...renewalSummary(r), capacity: r.n1Id === me ? 'n1' : 'n2' })),
    });
  })
  .get('/appointments/slots', async (c) => {
    const rows = await c.var.deps.db
      .select({ id: slots.id, startsAt: slots.startsAt, location: slots.location })
      .from(slots)
      .where(and(isNull(slots.renewalId), gt(slots.startsAt, new Date())))
      .orderBy(asc(slots.startsAt));
    return c.json({ slots: rows.map((s) => ({ ...s, startsAt: s.startsAt.toISOString() })) });
  })
  .get('/ops/renewals', requireOperator, async (c) => {
    const status = z
      .enum(statuses, { message: `statut inconnu (attendus : ${statuses.join(', ')})` })
      .optional()
      .parse(c.req.query('status'));
    // attention=true: the operators' queue proper, requests with no approver or stalled.
    const attention = c.req.query('attention') === 'true';
    const rows = await c.var.deps.db
      .select()
      .from(renewals)
      .where(
        and(
          status ? eq(renewals.status, status) : undefined,
          attention ? isNotNull(renewals.attention) : undefined,
        ),
      )
      .orderBy(desc(renewals.stepSince));
    const failed = await failedEmailCounts(
      c.var.deps.db,
      rows.map((r) => r.id),
    );
    return c.json({
      renewals: rows.map((r) => ({ ...renewalSummary(r), failedEmails: failed.get(r.id) ?? 0 })),
    });
  });
