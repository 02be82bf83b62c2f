import { asc, eq, inArray, sql } from 'drizzle-orm';
import type { Database } from '../db/client.js';
import { attachments, events, keys, people, renewals, slots } from '../db/schema.js';
import { renewalReference } from '../lib/reference.js';
import { type RenewalStatus, type StepName, stepViews } from '../workflows/steps.js';
import type { CurrentUser } from './context.js';
import { forbidden, notFound } from './errors.js';

export type RenewalRow = typeof renewals.$inferSelect;

export async function findRenewal(db: Database, id: string): Promise<RenewalRow> {
  if (!/^[0-9a-f-]{36}$/i.test(id)) throw notFound();
  const [row] = await db.select().from(renewals).where(eq(renewals.id, id));
  if (!row) throw notFound();
  return row;
}

/**
 * The row once the workflow has projected past `version`, or as it is after `timeoutMs` (a
 * signal is delivered even when no worker runs; the answer then shows the state before it).
 */
export async function projectedPast(
  db: Database,
  id: string,
  version: number,
  timeoutMs = 3000,
): Promise<RenewalRow> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const row = await findRenewal(db, id);
    if (row.version > version || Date.now() >= deadline) return row;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

export type Role = 'requester' | 'approver' | 'operator';

/** Who may see a renewal: its agent, its N+1 and N+2, and DSI operators. */
export function rolesOn(user: CurrentUser, r: RenewalRow): Role[] {
  const roles: Role[] = [];
  if (r.requesterId === user.id) roles.push('requester');
  if (user.id === r.n1Id || user.id === r.n2Id || user.id === r.validatorId) roles.push('approver');
  if (user.isOperator) roles.push('operator');
  return roles;
}

export function requireRole(user: CurrentUser, r: RenewalRow, ...allowed: Role[]): void {
  const roles = rolesOn(user, r);
  if (roles.length === 0) throw notFound();
  if (!roles.some((role) => allowed.includes(role))) throw forbidden();
}

const personSummary = (p: typeof people.$inferSelect | undefined) =>
  p ? { uid: p.uid, name: `${p.firstName} ${p.lastName}`, email: p.email, title: p.title } : null;

export async function renewalView(db: Database, r: RenewalRow) {
  const ids = [r.requesterId, r.validatorId, r.n1Id, r.n2Id].filter((x): x is string => !!x);
  const [directory, [key], files, history, slot] = await Promise.all([
    db.select().from(people).where(inArray(people.id, ids)),
    db.select().from(keys).where(eq(keys.serial, r.keySerial)),
    db
      .select({
        id: attachments.id,
        filename: attachments.filename,
        contentType: attachments.contentType,
        size: attachments.size,
        sha256: attachments.sha256,
        createdAt: attachments.createdAt,
        deletedAt: attachments.deletedAt,
      })
      .from(attachments)
      .where(eq(attachments.renewalId, r.id))
      .orderBy(asc(attachments.createdAt)),
    // Events recorded by the API after the run closed have no seq: they come last.
    db
      .select()
      .from(events)
      .where(eq(events.renewalId, r.id))
      .orderBy(sql`${events.seq} asc nulls last`, asc(events.at)),
    r.slotId ? db.select().from(slots).where(eq(slots.id, r.slotId)) : Promise.resolve([]),
  ]);
  const byId = new Map(directory.map((p) => [p.id, p]));
  const actorIds = history.map((e) => e.actorId).filter((x): x is string => !!x);
  const actors = actorIds.length
    ? await db
        .select({ id: people.id, uid: people.uid })
        .from(people)
        .where(inArray(people.id, actorIds))
    : [];
  const actorUid = new Map(actors.map((a) => [a.id, a.uid]));
  const status = r.status as RenewalStatus;
  return {
    id: r.id,
    reference: renewalReference(r.id),
    status,
    keyType: r.keyType,
    reason: r.reason,
    comment: r.comment,
    keySerial: r.keySerial,
    keyExpiresOn: key?.expiresOn ?? null,
    requester: personSummary(byId.get(r.requesterId)),
    validator: personSummary(r.validatorId ? byId.get(r.validatorId) : undefined),
    n1: personSummary(r.n1Id ? byId.get(r.n1Id) : undefined),
    n2: personSummary(r.n2Id ? byId.get(r.n2Id) : undefined),
    createdAt: r.createdAt.toISOString(),
    stepSince: r.stepSince.toISOString(),
    attention: r.attention,
    steps: stepViews(r.keyType, status, r.stepTimes as Partial<Record<StepName, string>>),
    pin: { keepsPreviousPin: true },
    decision: r.decision
      ? {
          ...r.decision,
          by: r.decision.byId ? (actorUid.get(r.decision.byId) ?? null) : null,
          byId: undefined,
        }
      : null,
    mobileOs: r.mobileOs,
    charter: r.charterVersion
      ? { version: r.charterVersion, signed: Boolean(r.stepTimes.charter) }
      : null,
    newKeySerial: r.newKeySerial,
    appointment: slot[0]
      ? { slotId: slot[0].id, startsAt: slot[0].startsAt.toISOString(), location: slot[0].location }
      : null,
    attachments: files.map((f) => ({
      ...f,
      createdAt: f.createdAt.toISOString(),
      deletedAt: f.deletedAt?.toISOString() ?? null,
      url: `/api/renewals/${r.id}/attachments/${f.id}`,
    })),
    events: history.map((e) => ({
      type: e.type,
      at: e.at.toISOString(),
      by: e.actorId ? (actorUid.get(e.actorId) ?? null) : null,
      detail: e.detail,
    })),
    workflow: { workflowId: r.workflowId, runId: r.runId },
  };
}

export function renewalSummary(r: RenewalRow) {
  return {
    id: r.id,
    status: r.status,
    keyType: r.keyType,
    reason: r.reason,
    keySerial: r.keySerial,
    createdAt: r.createdAt.toISOString(),
    stepSince: r.stepSince.toISOString(),
    attention: r.attention,
  };
}
