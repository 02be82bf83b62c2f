import { createHash, randomUUID } from 'node:crypto';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import { and, desc, eq, notInArray } from 'drizzle-orm';
import { type Context, Hono } from 'hono';
import { z } from 'zod';
import { attachments, events, keys, people, renewals, terminalStatuses } from '../../db/schema.js';
import { charterText, currentCharterVersion } from '../../lib/charter.js';
import { renewalTimers } from '../../lib/config.js';
import {
  alreadyDecided,
  assignKeyUpdate,
  attachmentsAddedSignal,
  bookAppointmentUpdate,
  cancelUpdate,
  chooseMobileOsUpdate,
  decideUpdate,
  openCharterUpdate,
  overrideDecisionUpdate,
  recordHandoverUpdate,
  renewalWorkflow,
  signCharterUpdate,
} from '../../workflows/renewal.js';
import { isTerminal, type RenewalStatus } from '../../workflows/steps.js';
import { workflowSummary } from '../../workflows/ui.js';
import type { AppEnv } from '../context.js';
import { HttpError, jsonBody, notFound } from '../errors.js';
import { acceptFiles, filesOf } from '../uploads.js';
import {
  findRenewal,
  projectedPast,
  type RenewalRow,
  renewalSummary,
  renewalView,
  requireRole,
} from '../views.js';
import { emailsOf } from './ops.js';

const createSchema = z.object({
  keySerial: z.string().regex(/^\d{12}$/, 'numéro de clef à 12 chiffres attendu'),
  keyType: z.enum(['software', 'hardware'], { message: 'software ou hardware attendu' }),
  reason: z.enum(['teletravail', 'applications', 'autres'], {
    message: 'teletravail, applications ou autres attendu',
  }),
  comment: z.string().max(2000).optional(),
  validatorUid: z.string().min(1).optional(),
});

const decideSchema = z.object({ comment: z.string().max(2000).optional() });
const rejectSchema = z.object({
  reason: z.string().trim().min(1, 'le motif du refus est obligatoire').max(2000),
});
const osSchema = z.object({
  os: z.enum(['android', 'ios'], { message: 'android ou ios attendu' }),
});
const charterSchema = z.object({
  code: z.string().trim().min(1, 'le code est obligatoire'),
  acknowledged: z.literal(true, { message: 'cochez « J’ai pris connaissance de la charte »' }),
});
const assignSchema = z.object({
  newKeySerial: z.string().regex(/^\d{12}$/, 'numéro de clef à 12 chiffres attendu'),
});
const slotSchema = z.object({ slotId: z.string().uuid('identifiant de créneau invalide') });
const overrideSchema = z.object({
  decision: z.enum(['approved', 'rejected'], { message: 'approved ou rejected attendu' }),
  reason: z.string().trim().min(1, 'le motif de la décision de la DSI est obligatoire').max(2000),
});

/**
 * A renewal's row turns terminal a moment before its workflow closes (it still hands its
 * documents to retention). A new request for the same key in that moment meets the closing run
 * under the same workflow id: wait for it briefly rather than refuse.
 */
async function startClosingAware<T>(start: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await start();
    } catch (err) {
      if (!(err instanceof WorkflowExecutionAlreadyStartedError) || attempt >= 20) throw err;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
}

const isUniqueViolation = (err: unknown) =>
  (err as { code?: string })?.code === '23505' ||
  (err as { cause?: { code?: string } })?.cause?.code === '23505';

export const renewalRoutes = new Hono<AppEnv>()
  .post('/', async (c) => {
    const { db, temporal, config } = c.var.deps;
    const user = c.var.user;
    const multipart = (c.req.header('content-type') ?? '').includes('multipart/form-data');
    const body = multipart ? await c.req.parseBody({ all: true }) : await jsonBody(c, z.unknown());
    const input = createSchema.parse(
      multipart
        ? Object.fromEntries(Object.entries(body as object).filter(([k]) => k !== 'files'))
        : body,
    );
    const sent = multipart ? filesOf(body as Record<string, unknown>) : [];
    // Documents are optional at creation: without them the request waits in awaiting_attachments.
    const files = sent.length ? await acceptFiles(sent, uploadLimits(config)) : [];

    const [key] = await db.select().from(keys).where(eq(keys.serial, input.keySerial));
    if (!key || key.personId !== user.id) throw notFound('Clef');
    if (key.state !== 'active') {
      throw new HttpError(409, 'key_replaced', 'Cette clef a déjà été remplacée.');
    }
    const open = await openRenewalFor(c.var.deps.db, input.keySerial);
    if (open) return c.json(await renewalView(db, open), 200);

    const { establishmentUai, ...approvers } = await approversOf(db, user.id);
    let validatorId = approvers.n1?.id ?? approvers.n2?.id ?? null;
    if (input.validatorUid) {
      const chosen = [approvers.n1, approvers.n2].find((p) => p?.uid === input.validatorUid);
      if (!chosen) {
        throw new HttpError(
          422,
          'invalid_validator',
          'Le valideur doit être votre N+1 ou votre N+2.',
          {
            validatorUid: 'doit être votre N+1 ou votre N+2',
          },
        );
      }
      validatorId = chosen.id;
    }

    const id = randomUUID();
    const workflowId = `renewal-${input.keySerial}`;
    const validator = !validatorId ? null : validatorId === approvers.n1?.id ? 'n1' : 'n2';
    const summary = { keySerial: input.keySerial, keyType: input.keyType, establishmentUai };
    try {
      await db.transaction(async (tx) => {
        await tx.insert(renewals).values({
          id,
          workflowId,
          keySerial: input.keySerial,
          requesterId: user.id,
          keyType: input.keyType,
          reason: input.reason,
          comment: input.comment,
          validatorId,
          n1Id: approvers.n1?.id ?? null,
          n2Id: approvers.n2?.id ?? null,
          status: files.length ? 'awaiting_approval' : 'awaiting_attachments',
          charterVersion: currentCharterVersion,
        });
        if (files.length) {
          await tx.insert(attachments).values(files.map((f) => ({ ...f, renewalId: id })));
        }
        // Started inside the transaction: if Temporal refuses, no row is left behind.
        const handle = await startClosingAware(() =>
          temporal.workflow.start(renewalWorkflow, {
            taskQueue: config.TEMPORAL_TASK_QUEUE,
            workflowId,
            // One open renewal per key; a finished one may be followed by a new request.
            workflowIdConflictPolicy: 'FAIL',
            workflowIdReusePolicy: 'ALLOW_DUPLICATE',
            // What operators read in the Temporal UI: ids and codes, never a name.
            staticSummary: workflowSummary(summary),
            staticDetails: [
              `Demande okey \`${id}\` : ${config.PUBLIC_URL}/demandes/${id}`,
              `Motif : ${input.reason} · charte ${currentCharterVersion}`,
            ].join('\n\n'),
            args: [
              {
                renewalId: id,
                ...summary,
                hasAttachments: files.length > 0,
                approverIds: { n1: approvers.n1?.id ?? null, n2: approvers.n2?.id ?? null },
                validator,
                charterVersion: currentCharterVersion,
                timers: renewalTimers(config),
              },
            ],
          }),
        );
        await tx
          .update(renewals)
          .set({ runId: handle.firstExecutionRunId })
          .where(eq(renewals.id, id));
      });
    } catch (err) {
      if (isUniqueViolation(err) || err instanceof WorkflowExecutionAlreadyStartedError) {
        const existing = await openRenewalFor(db, input.keySerial);
        if (existing) return c.json(await renewalView(db, existing), 200);
      }
      if (err instanceof WorkflowExecutionAlreadyStartedError) {
        throw new HttpError(
          409,
          'previous_renewal_closing',
          'La demande précédente pour cette clef se termine : réessayez dans quelques secondes.',
        );
      }
      throw err;
    }
    c.var.log.info('renewal created', { renewalId: id, workflowId });
    // Answer with the workflow's first projection (its history starts there) when it comes soon.
    return c.json(await renewalView(db, await projectedPast(db, id, 0)), 201);
  })

  .get('/', async (c) => {
    const rows = await c.var.deps.db
      .select()
      .from(renewals)
      .where(eq(renewals.requesterId, c.var.user.id))
      .orderBy(desc(renewals.createdAt));
    return c.json({ renewals: rows.map(renewalSummary) });
  })

  .get('/:id', async (c) => {
    const r = await findRenewal(c.var.deps.db, c.req.param('id'));
    requireRole(c.var.user, r, 'requester', 'approver', 'operator');
    const view = await renewalView(c.var.deps.db, r);
    // Operators also see what happened to each email, refused ones included.
    if (c.var.user.isOperator)
      return c.json({ ...view, emails: await emailsOf(c.var.deps.db, r.id) });
    return c.json(view);
  })

  .post('/:id/attachments', async (c) => {
    const { db, config } = c.var.deps;
    const r = await findRenewal(db, c.req.param('id'));
    requireRole(c.var.user, r, 'requester');
    if (isTerminal(r.status as RenewalStatus)) {
      throw new HttpError(
        409,
        'invalid_state',
        'Cette demande est close : impossible d’ajouter des documents.',
      );
    }
    const type = c.req.header('content-type') ?? '';
    if (!type.includes('multipart/form-data')) {
      throw new HttpError(
        415,
        'unsupported_media_type',
        'Envoyez les fichiers en multipart/form-data (champ « files »).',
      );
    }
    const files = await acceptFiles(
      filesOf(await c.req.parseBody({ all: true })),
      uploadLimits(config),
    );
    await db.transaction(async (tx) => {
      const stored = await tx
        .insert(attachments)
        .values(files.map((f) => ({ ...f, renewalId: r.id })))
        .onConflictDoNothing()
        .returning({ id: attachments.id });
      if (stored.length > 0) {
        // A signal: the documents are safe in the database even if no worker is running now.
        // Sent inside the transaction: a request that ended meanwhile refuses it (409) and
        // nothing is stored.
        await handleOf(c.var.deps.temporal, r).signal(attachmentsAddedSignal, {
          count: stored.length,
          actorId: c.var.user.id,
        });
      }
    });
    return c.json(await renewalView(db, await projectedPast(db, r.id, r.version)), 201);
  })

  .post('/:id/cancel', (c) =>
    act(c, ['requester'], async (r) =>
      handleOf(c.var.deps.temporal, r).executeUpdate(cancelUpdate, {
        args: [{ actorId: c.var.user.id }],
        updateId: onceId('cancel', c.var.user.id),
      }),
    ),
  )

  .post('/:id/approve', async (c) => {
    const { comment } = await jsonBody(c, decideSchema);
    return decide(c, 'approved', { comment });
  })

  .post('/:id/reject', async (c) => {
    const { reason } = await jsonBody(c, rejectSchema);
    return decide(c, 'rejected', { reason });
  })

  .post('/:id/override', async (c) => {
    const { decision, reason } = await jsonBody(c, overrideSchema);
    return act(c, ['operator'], async (r) =>
      handleOf(c.var.deps.temporal, r).executeUpdate(overrideDecisionUpdate, {
        args: [{ outcome: decision, actorId: c.var.user.id, reason }],
        updateId: onceId('override', c.var.user.id, { decision, reason }),
      }),
    );
  })

  .post('/:id/mobile-os', async (c) => {
    const { os } = await jsonBody(c, osSchema);
    return act(c, ['requester'], async (r) =>
      handleOf(c.var.deps.temporal, r).executeUpdate(chooseMobileOsUpdate, {
        args: [{ os, actorId: c.var.user.id }],
        updateId: onceId('mobile-os', c.var.user.id, { os }),
      }),
    );
  })

  .get('/:id/charter', async (c) => {
    const r = await findRenewal(c.var.deps.db, c.req.param('id'));
    requireRole(c.var.user, r, 'requester');
    if (r.status === 'awaiting_charter' && !r.charterCode) {
      // Locked after too many wrong codes: reopening the charter draws a new code.
      const opened = await handleOf(c.var.deps.temporal, r).executeUpdate(openCharterUpdate, {
        args: [{ actorId: c.var.user.id }],
      });
      return c.json({
        version: opened.version,
        text: charterText(opened.version, opened.code),
        code: opened.code,
        signed: false,
      });
    }
    if (!r.charterCode || !r.charterVersion) {
      throw new HttpError(
        409,
        'invalid_state',
        'La charte n’est pas encore à signer pour cette demande.',
      );
    }
    return c.json({
      version: r.charterVersion,
      text: charterText(r.charterVersion, r.charterCode),
      code: r.charterCode,
      signed: Boolean(r.stepTimes.charter),
    });
  })

  .post('/:id/charter', async (c) => {
    const { code } = await jsonBody(c, charterSchema);
    return act(c, ['requester'], async (r) =>
      handleOf(c.var.deps.temporal, r).executeUpdate(signCharterUpdate, {
        args: [{ code, acknowledged: true, actorId: c.var.user.id }],
        // The code on display is part of the key: after a reopening the same input counts anew.
        updateId: onceId('charter', c.var.user.id, { code, shown: r.charterCode }),
      }),
    );
  })

  .post('/:id/assign', async (c) => {
    const { newKeySerial } = await jsonBody(c, assignSchema);
    const [taken] = await c.var.deps.db.select().from(keys).where(eq(keys.serial, newKeySerial));
    if (taken) {
      throw new HttpError(409, 'serial_in_use', 'Ce numéro de clef est déjà attribué.', {
        newKeySerial: 'déjà attribué',
      });
    }
    return act(c, ['operator'], async (r) =>
      handleOf(c.var.deps.temporal, r).executeUpdate(assignKeyUpdate, {
        args: [{ newKeySerial, actorId: c.var.user.id }],
        updateId: onceId('assign', c.var.user.id, { newKeySerial }),
      }),
    );
  })

  .post('/:id/appointment', async (c) => {
    const { slotId } = await jsonBody(c, slotSchema);
    return act(c, ['requester'], async (r) =>
      handleOf(c.var.deps.temporal, r).executeUpdate(bookAppointmentUpdate, {
        args: [{ slotId, actorId: c.var.user.id }],
      }),
    );
  })

  .post('/:id/handover', (c) =>
    act(c, ['operator'], async (r) =>
      handleOf(c.var.deps.temporal, r).executeUpdate(recordHandoverUpdate, {
        args: [{ actorId: c.var.user.id }],
        updateId: onceId('handover', c.var.user.id),
      }),
    ),
  );

type Ctx = Context<AppEnv>;

/** Runs one workflow update for an allowed caller and answers with the renewal as it now is. */
async function act(
  c: Ctx,
  roles: Parameters<typeof requireRole>[2][],
  update: (r: RenewalRow) => Promise<unknown>,
): Promise<Response> {
  const db = c.var.deps.db;
  const r = await findRenewal(db, c.req.param('id') as string);
  requireRole(c.var.user, r, ...roles);
  if (isTerminal(r.status as RenewalStatus)) {
    throw new HttpError(
      409,
      'renewal_closed',
      'Cette demande est close : l’action n’est plus possible.',
    );
  }
  await update(r);
  return c.json(await renewalView(db, await findRenewal(db, r.id)));
}

/**
 * The same action with the same content by the same person is one update: Temporal answers a
 * repeated update id with the first result, so a double-click has one effect and two answers
 * alike. Bookings carry no id: a refused slot may be tried again once freed.
 */
const onceId = (action: string, actorId: string, body: unknown = {}) =>
  `${action}:${actorId}:${createHash('sha256').update(JSON.stringify(body)).digest('hex').slice(0, 32)}`;

/**
 * An approver's decision. Once the N+1 or the N+2 has decided, the other's late decision is
 * refused with 409 and written in the history: by the workflow while it runs, here once closed.
 */
async function decide(
  c: Ctx,
  outcome: 'approved' | 'rejected',
  extra: { comment?: string; reason?: string },
): Promise<Response> {
  const { db, temporal } = c.var.deps;
  const r = await findRenewal(db, c.req.param('id') as string);
  requireRole(c.var.user, r, 'approver');
  const actorId = c.var.user.id;
  const capacity = capacityOf(actorId, r);
  if (r.decision && isTerminal(r.status as RenewalStatus)) {
    if (r.decision.byId !== actorId) {
      await db.insert(events).values({
        renewalId: r.id,
        type: 'late_decision_refused',
        actorId,
        detail: { capacity, outcome },
        at: new Date(),
      });
    }
    throw new HttpError(409, 'already_decided', alreadyDecided(r.decision));
  }
  return act(c, ['approver'], async () =>
    handleOf(temporal, r).executeUpdate(decideUpdate, {
      args: [{ outcome, actorId, capacity, ...extra }],
      updateId: onceId(outcome, actorId, extra),
    }),
  );
}

const handleOf = (temporal: AppEnv['Variables']['deps']['temporal'], r: RenewalRow) =>
  temporal.workflow.getHandle(r.workflowId, r.runId ?? undefined);

const capacityOf = (userId: string, r: RenewalRow): 'n1' | 'n2' =>
  userId === r.n1Id ? 'n1' : 'n2';

export const uploadLimits = (config: AppEnv['Variables']['deps']['config']) => ({
  maxFiles: config.UPLOAD_MAX_FILES,
  maxFileBytes: config.UPLOAD_MAX_FILE_MB * 1_000_000,
});

async function openRenewalFor(db: AppEnv['Variables']['deps']['db'], keySerial: string) {
  const [row] = await db
    .select()
    .from(renewals)
    .where(
      and(eq(renewals.keySerial, keySerial), notInArray(renewals.status, [...terminalStatuses])),
    );
  return row;
}

/**
 * The N+1 and N+2 from the directory. Someone who is their own N+1 (a head of school whose
 * entry points to themselves), or whose N+1 is missing, goes straight to the N+2: the one their
 * entry names, else their N+1's own N+1. With neither, the request waits in the operators' queue.
 */
export async function approversOf(db: AppEnv['Variables']['deps']['db'], personId: string) {
  const find = async (id: string | null | undefined) => {
    if (!id) return undefined;
    const [p] = await db
      .select({
        id: people.id,
        uid: people.uid,
        managerId: people.managerId,
        n2Id: people.n2Id,
        establishmentUai: people.establishmentUai,
      })
      .from(people)
      .where(eq(people.id, id));
    return p;
  };
  const me = await find(personId);
  // A link to nobody in the directory is no N+1; being one's own N+1 is none either.
  let n1 = await find(me?.managerId);
  if (n1?.id === personId) n1 = undefined;
  let n2 = await find(me?.n2Id ?? n1?.managerId);
  if (n2?.id === personId || n2?.id === n1?.id) n2 = undefined;
  return { n1, n2, establishmentUai: me?.establishmentUai ?? null };
}
