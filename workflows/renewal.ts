import {
  ApplicationFailure,
  allHandlersFinished,
  condition,
  log,
  patched,
  proxyActivities,
  setCurrentDetails,
  setHandler,
  startChild,
  upsertSearchAttributes,
} from '@temporalio/workflow';
import type { RenewalActivities } from '../activities/index.js';
import type { TemplateName } from '../activities/templates.js';
import { addDays, addHours, addWorkingDays, reunionDate } from './calendar.js';
import {
  assignKeyUpdate,
  attachmentsAddedSignal,
  bookAppointmentUpdate,
  cancelUpdate,
  chooseMobileOsUpdate,
  type Decision,
  decideUpdate,
  enrollmentEmailReceivedSignal,
  type MessageResult,
  openCharterUpdate,
  overrideDecisionUpdate,
  type RenewalEvent,
  type RenewalInput,
  type RenewalSnapshot,
  recordHandoverUpdate,
  signCharterUpdate,
  snapshotQuery,
} from './messages.js';
import { documentRetentionWorkflow } from './retention.js';
import { cancellable, type RenewalStatus, type StepName, statusInSentence } from './steps.js';
import { type Alarm, defaultTimers, waitWithAlarms } from './timers.js';
import {
  currentStepDetails,
  okeyEstablishment,
  okeyKeyType,
  okeyStatus,
  okeyStepSince,
} from './ui.js';

export * from './messages.js';

const {
  projectRenewal,
  sendEmail,
  evaluateAutoApproval,
  activateNewKey,
  reserveSlot,
  releaseSlot,
} = proxyActivities<RenewalActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '5 minutes' },
});

class Cancelled extends Error {}
interface Cancellation {
  by: string | null;
  automatic?: 'attachments_missing';
}

/** Wrong codes allowed on one charter code before the agent must reopen the charter. */
export const maxCharterAttempts = 5;

type Refusal =
  | 'InvalidState'
  | 'InvalidInput'
  | 'WrongCharterCode'
  | 'CharterLocked'
  | 'AlreadyDecided';

/** Refusals of a message are typed so the API can answer with the right HTTP status. */
const refuse = (type: Refusal, message: string) =>
  ApplicationFailure.create({ type, message, nonRetryable: true });

/**
 * One renewal of one OTP key, from the agent's request to the new key in hand.
 * Message handlers only record what was asked; the body below moves from step to step and
 * projects every change to the read model before the handler that caused it returns.
 */
export async function renewalWorkflow(input: RenewalInput): Promise<RenewalStatus> {
  const t = input.timers ?? defaultTimers;
  const s: RenewalSnapshot = {
    renewalId: input.renewalId,
    version: 0,
    status: input.hasAttachments ? 'awaiting_approval' : 'awaiting_attachments',
    stepSince: new Date().toISOString(),
    stepTimes: {},
    decision: null,
    mobileOs: null,
    charterCode: null,
    charterVersion: input.charterVersion,
    newKeySerial: null,
    slotId: null,
    attention: null,
    events: [],
  };
  let projected = 0;
  let attachmentCount = input.hasAttachments ? 1 : 0;
  let cancellation: Cancellation | null = null;
  let enrollmentEmailId: string | null = null;
  let charterSignedBy: string | null = null;
  let charterWrongCodes = 0;
  let assignedBy: string | null = null;
  let handoverBy: string | null = null;
  let booking = false;
  let slotStartsAt = 0;
  let appointmentMissed = false;

  upsertSearchAttributes([
    { key: okeyStatus, value: s.status },
    { key: okeyKeyType, value: input.keyType },
    { key: okeyStepSince, value: new Date(s.stepSince) },
    ...(input.establishmentUai ? [{ key: okeyEstablishment, value: input.establishmentUai }] : []),
  ]);
  setCurrentDetails(currentStepDetails({ ...s, lastEvent: null }));

  /** Records an event (and optionally a new status) and writes it to the read model. */
  async function record(
    type: string,
    actorId: string | null,
    detail: RenewalEvent['detail'] = {},
    next?: RenewalStatus,
  ): Promise<void> {
    const at = new Date().toISOString();
    s.version += 1;
    if (next && next !== s.status) {
      s.status = next;
      s.stepSince = at;
      upsertSearchAttributes([
        { key: okeyStatus, value: s.status },
        { key: okeyStepSince, value: new Date(at) },
      ]);
    }
    setCurrentDetails(currentStepDetails({ ...s, lastEvent: { type, at } }));
    const snapshot = { ...s, events: [{ seq: s.version, type, actorId, at, detail }] };
    await projectRenewal(snapshot);
    projected = Math.max(projected, snapshot.version);
  }

  const outgoing: Promise<unknown>[] = [];
  /**
   * Sends an email beside the process rather than in its path: while the mail service fails,
   * its retries never hold up the next step, nor the update of the person acting on it. Patched:
   * histories recorded when emails were awaited still replay.
   */
  async function notify(args: Parameters<typeof sendEmail>[0]): Promise<void> {
    if (!patched('emails-beside-the-process')) {
      await sendEmail(args);
      return;
    }
    outgoing.push(
      sendEmail(args).catch((err) => {
        log.error('email not sent', { template: args.template, error: String(err) });
      }),
    );
  }

  const stepDone = (step: StepName) => {
    s.stepTimes[step] = new Date().toISOString();
  };

  /** Lets an update return once the workflow has acted on it and the read model shows it. */
  const settled = async (): Promise<MessageResult> => {
    const seen = s.version;
    await condition(() => projected > seen);
    return { status: s.status, version: s.version };
  };

  const expect = (status: RenewalStatus) => {
    if (s.status !== status) {
      throw refuse(
        'InvalidState',
        `Cette étape n’est pas ouverte : la demande est ${statusInSentence(s.status)}.`,
      );
    }
  };

  setHandler(snapshotQuery, () => s);

  setHandler(attachmentsAddedSignal, async ({ count, actorId }) => {
    attachmentCount += count;
    // While documents gate the request the body records the step; later additions are noted here.
    if (s.status !== 'awaiting_attachments') await record('attachments_added', actorId, { count });
  });

  setHandler(enrollmentEmailReceivedSignal, ({ inboundEmailId }) => {
    if (s.status === 'awaiting_enrollment_email' && !enrollmentEmailId) {
      enrollmentEmailId = inboundEmailId;
    }
  });

  setHandler(
    cancelUpdate,
    async ({ actorId }) => {
      cancellation = { by: actorId };
      return settled();
    },
    {
      validator: (_args) => {
        if (!cancellable.includes(s.status) || cancellation) {
          throw refuse(
            'InvalidState',
            `La demande ne peut plus être annulée : elle est ${statusInSentence(s.status)}.`,
          );
        }
      },
    },
  );

  setHandler(
    decideUpdate,
    async (args) => {
      if (s.decision) {
        // Accepted only to be written down: the history shows who tried to decide too late.
        await record('late_decision_refused', args.actorId, {
          capacity: args.capacity,
          outcome: args.outcome,
        });
        throw refuse('AlreadyDecided', alreadyDecided(s.decision));
      }
      s.decision = {
        outcome: args.outcome,
        capacity: args.capacity,
        byId: args.actorId,
        at: new Date().toISOString(),
        ...(args.comment ? { comment: args.comment } : {}),
        ...(args.reason ? { reason: args.reason } : {}),
      };
      return settled();
    },
    {
      validator: (args) => {
        const allowed =
          (args.capacity === 'n1' && args.actorId === input.approverIds.n1) ||
          (args.capacity === 'n2' && args.actorId === input.approverIds.n2);
        if (!allowed)
          throw refuse('InvalidInput', 'Seuls le N+1 et le N+2 de l’agent peuvent décider.');
        if (s.decision?.byId === args.actorId) {
          throw refuse('InvalidState', 'Vous avez déjà pris une décision sur cette demande.');
        }
        // A decision by the other approver goes on to the handler, which records it.
        if (s.decision) return;
        expect('awaiting_approval');
        if (args.outcome === 'rejected' && !args.reason?.trim()) {
          throw refuse('InvalidInput', 'Un refus doit être motivé.');
        }
      },
    },
  );

  setHandler(
    overrideDecisionUpdate,
    async ({ outcome, actorId, reason }) => {
      s.decision = {
        outcome,
        capacity: 'dsi',
        byId: actorId,
        at: new Date().toISOString(),
        reason,
      };
      return settled();
    },
    {
      validator: ({ reason }) => {
        if (s.decision) throw refuse('AlreadyDecided', alreadyDecided(s.decision));
        expect('awaiting_approval');
        if (!s.attention) {
          throw refuse(
            'InvalidState',
            'Cette demande n’est pas dans la file des opérateurs : son N+1 ou son N+2 peut décider.',
          );
        }
        if (!reason?.trim())
          throw refuse('InvalidInput', 'Une décision de la DSI doit être motivée.');
      },
    },
  );

  setHandler(
    chooseMobileOsUpdate,
    async ({ os }) => {
      s.mobileOs = os;
      return settled();
    },
    {
      validator: ({ os }) => {
        expect('awaiting_mobile_os');
        if (os !== 'android' && os !== 'ios') {
          throw refuse('InvalidInput', 'Le système du mobile doit être android ou ios.');
        }
      },
    },
  );

  setHandler(
    signCharterUpdate,
    async ({ code, actorId }) => {
      // Checked here rather than in the validator, so that each wrong code enters the history
      // and counts; the caller still gets its answer at once.
      if (String(code).trim() !== s.charterCode) {
        charterWrongCodes += 1;
        if (charterWrongCodes < maxCharterAttempts) {
          const left = maxCharterAttempts - charterWrongCodes;
          throw refuse(
            'WrongCharterCode',
            `Le code saisi ne correspond pas à celui imprimé en bas de la charte (encore ${left} essai${left > 1 ? 's' : ''}).`,
          );
        }
        s.charterCode = null;
        await record('charter_locked', actorId, { wrongCodes: charterWrongCodes });
        throw refuse(
          'WrongCharterCode',
          `${maxCharterAttempts} codes erronés : rouvrez la charte, un nouveau code vous sera donné.`,
        );
      }
      charterSignedBy = actorId;
      return settled();
    },
    {
      validator: ({ acknowledged }) => {
        expect('awaiting_charter');
        if (charterSignedBy) throw refuse('InvalidState', 'La charte est déjà signée.');
        if (acknowledged !== true) {
          throw refuse(
            'InvalidInput',
            'Cochez « J’ai pris connaissance de la charte » (acknowledged: true).',
          );
        }
        if (s.charterCode === null) {
          throw refuse(
            'CharterLocked',
            'Trop de codes erronés : rouvrez la charte pour obtenir un nouveau code.',
          );
        }
      },
    },
  );

  setHandler(
    openCharterUpdate,
    async ({ actorId }) => {
      if (s.charterCode === null) {
        s.charterCode = newCharterCode();
        charterWrongCodes = 0;
        await record('charter_reopened', actorId, { charterVersion: s.charterVersion });
      }
      return { version: s.charterVersion, code: s.charterCode as string };
    },
    { validator: (_args) => expect('awaiting_charter') },
  );

  setHandler(
    assignKeyUpdate,
    async ({ newKeySerial, actorId }) => {
      s.newKeySerial = newKeySerial;
      assignedBy = actorId;
      return settled();
    },
    {
      validator: ({ newKeySerial }) => {
        expect('awaiting_assignment');
        if (assignedBy) throw refuse('InvalidState', 'Une clef est déjà attribuée.');
        if (!/^\d{12}$/.test(newKeySerial)) {
          throw refuse('InvalidInput', 'Le numéro de la nouvelle clef doit comporter 12 chiffres.');
        }
      },
    },
  );

  setHandler(
    bookAppointmentUpdate,
    async ({ slotId }) => {
      booking = true;
      try {
        // The slot is taken here, not in the body, so a full slot is refused to the caller.
        const slot = await reserveSlot({ renewalId: input.renewalId, slotId });
        slotStartsAt = Date.parse(slot.startsAt);
      } catch (err) {
        booking = false;
        throw err;
      }
      s.slotId = slotId;
      return settled();
    },
    {
      validator: (_args) => {
        expect('awaiting_appointment');
        if (booking)
          throw refuse('InvalidState', 'Un rendez-vous est déjà en cours de réservation.');
      },
    },
  );

  setHandler(
    recordHandoverUpdate,
    async ({ actorId }) => {
      handoverBy = actorId;
      return settled();
    },
    {
      validator: (_args) => {
        expect('awaiting_pickup');
        if (handoverBy) throw refuse('InvalidState', 'La remise de la clef est déjà enregistrée.');
      },
    },
  );

  const waitFor = async (ready: () => boolean, alarms: Alarm[] = []) => {
    await waitWithAlarms(() => ready() || cancellation !== null, alarms);
    if (cancellation !== null && !ready()) throw new Cancelled();
  };

  /** Emails a reminder once per step (keyed by the step's start) and writes it in the history. */
  const remind =
    (template: TemplateName, to: 'agent' | 'validator' | 'n2', deadline?: number) => async () => {
      await notify({
        renewalId: input.renewalId,
        template,
        step: s.stepSince,
        ...(deadline ? { deadline: new Date(deadline).toISOString() } : {}),
      });
      await record('reminder_sent', null, { template, to, step: s.status });
    };

  /** The agent's own steps (mobile, enrollment email, charter) get one reminder each. */
  const agentReminder = (): Alarm[] => [
    {
      at: addWorkingDays(Date.now(), t.agentReminderWorkingDays),
      summary: `Relance de l’agent (${t.agentReminderWorkingDays} jours ouvrés)`,
      fire: remind('reminder_agent_step', 'agent'),
    },
  ];

  try {
    s.stepTimes.request = new Date().toISOString();
    // The new key keeps the old PIN: okey never asks for it, so that step is done from the start.
    s.stepTimes.pin = s.stepTimes.request;
    // Documents sent with the request count from its first projection on.
    if (input.hasAttachments) s.stepTimes.attachments = s.stepTimes.request;
    await record('created', null, { hasAttachments: input.hasAttachments });

    if (!input.hasAttachments) {
      const since = Date.now();
      const cancelAt = addDays(since, t.attachmentsCancelDays);
      await waitFor(
        () => attachmentCount > 0,
        [
          {
            at: addWorkingDays(since, t.attachmentsReminderWorkingDays),
            summary: `Relance : justificatifs manquants (${t.attachmentsReminderWorkingDays} jours ouvrés)`,
            fire: remind('reminder_attachments', 'agent', cancelAt),
          },
          {
            at: cancelAt,
            summary: `Annulation : justificatifs manquants (${t.attachmentsCancelDays} jours)`,
            fire: async () => {
              cancellation ??= { by: null, automatic: 'attachments_missing' };
            },
          },
        ],
      );
      stepDone('attachments');
      await record('attachments_added', null, { count: attachmentCount }, 'awaiting_approval');
    }

    await approval();
    const decision = s.decision as Decision | null;
    if (!decision) throw new Cancelled();
    stepDone('approval');
    s.attention = null;
    if (decision.outcome === 'rejected') {
      await record('rejected', decision.byId, { capacity: decision.capacity }, 'rejected');
      await notify({ renewalId: input.renewalId, template: 'rejected', step: 'decision' });
      return finish();
    }
    const afterApproval = input.keyType === 'software' ? 'awaiting_mobile_os' : 'awaiting_charter';
    if (afterApproval === 'awaiting_charter') s.charterCode = newCharterCode();
    await record(
      decision.capacity === 'automatic' ? 'approved_automatically' : 'approved',
      decision.byId,
      { capacity: decision.capacity, automaticReason: decision.automaticReason ?? null },
      afterApproval,
    );
    await notify({ renewalId: input.renewalId, template: 'approved', step: 'decision' });

    if (input.keyType === 'software') {
      await waitFor(() => s.mobileOs !== null, agentReminder());
      stepDone('mobile_os');
      await record('mobile_os_chosen', null, { os: s.mobileOs }, 'awaiting_enrollment_email');
      await waitFor(() => enrollmentEmailId !== null, agentReminder());
      stepDone('enrollment_email');
      s.charterCode = newCharterCode();
      await record('enrollment_email_received', null, {}, 'awaiting_charter');
    }

    await waitFor(() => charterSignedBy !== null, agentReminder());
    stepDone('charter');
    await record(
      'charter_signed',
      charterSignedBy,
      { charterVersion: s.charterVersion, code: s.charterCode },
      'awaiting_assignment',
    );

    await condition(() => assignedBy !== null);
    stepDone('assignment');
    const next = input.keyType === 'software' ? 'completed' : 'awaiting_appointment';
    if (next === 'completed') await activateNewKey(activation());
    await record('key_assigned', assignedBy, { newKeySerial: s.newKeySerial }, next);
    await notify({ renewalId: input.renewalId, template: 'key_ready', step: 'assignment' });

    if (input.keyType === 'hardware') await pickup();
  } catch (err) {
    if (!(err instanceof Cancelled)) throw err;
    // Set by a handler or a timer, which the compiler cannot see from here.
    const c = cancellation as Cancellation | null;
    const automatic = c?.automatic;
    await record(
      'cancelled',
      c?.by ?? null,
      automatic ? { automatic: true, reason: automatic } : {},
      'cancelled',
    );
    if (automatic) {
      await notify({
        renewalId: input.renewalId,
        template: 'auto_cancelled',
        step: 'end',
      });
    }
  }
  return finish();

  /**
   * Automatic for permanent directors and current ONDE delegations (checked on the day the step
   * opens); otherwise the validator, reminded, then the N+2, then the operators' queue.
   */
  async function approval(): Promise<void> {
    const checkedOn = reunionDate(Date.now());
    const automatic = await evaluateAutoApproval({ renewalId: input.renewalId, on: checkedOn });
    if (automatic) {
      s.decision = {
        outcome: 'approved',
        capacity: 'automatic',
        byId: null,
        at: new Date().toISOString(),
        automaticReason: automatic,
        checkedOn,
      };
      return;
    }
    if (!input.validator) {
      s.attention = 'no_approver';
      await record('sent_to_operators', null, { why: 'no_approver' });
      return waitFor(() => s.decision !== null);
    }
    await notify({ renewalId: input.renewalId, template: 'approval_requested', step: 'v1' });
    const since = Date.parse(s.stepSince);
    const alarms: Alarm[] = [
      {
        at: addWorkingDays(since, t.approvalReminderWorkingDays),
        summary: `Relance du valideur (${t.approvalReminderWorkingDays} jours ouvrés)`,
        fire: remind('reminder_approval', 'validator'),
      },
      {
        at: addWorkingDays(since, t.approvalStalledWorkingDays),
        summary: `Validation bloquée : file des opérateurs (${t.approvalStalledWorkingDays} jours ouvrés)`,
        fire: async () => {
          s.attention = 'approval_stalled';
          await record('sent_to_operators', null, { why: 'approval_stalled' });
        },
      },
    ];
    if (input.validator === 'n1' && input.approverIds.n2) {
      alarms.push({
        at: addWorkingDays(since, t.approvalN2WorkingDays),
        summary: `Le N+2 peut valider (${t.approvalN2WorkingDays} jours ouvrés)`,
        fire: async () => {
          await notify({
            renewalId: input.renewalId,
            template: 'approval_escalated_n2',
            step: 'n2',
          });
          await record('reminder_sent', null, { template: 'approval_escalated_n2', to: 'n2' });
        },
      });
    }
    await waitFor(() => s.decision !== null, alarms);
  }

  /** Hardware keys: a booked slot, a reminder the day before; a missed one is freed and rebooked. */
  async function pickup(): Promise<void> {
    for (;;) {
      await condition(() => s.slotId !== null);
      const slotId = s.slotId as string;
      stepDone('appointment');
      await record('appointment_booked', null, { slotId }, 'awaiting_pickup');
      await notify({
        renewalId: input.renewalId,
        template: 'appointment_confirmed',
        step: `slot-${slotId}`,
      });
      await waitWithAlarms(
        () => handoverBy !== null || appointmentMissed,
        [
          {
            at: addHours(slotStartsAt, -t.appointmentReminderHours),
            summary: 'Rappel du rendez-vous de retrait (la veille)',
            fire: async () => {
              await notify({
                renewalId: input.renewalId,
                template: 'appointment_reminder',
                step: `slot-${slotId}`,
              });
              await record('reminder_sent', null, {
                template: 'appointment_reminder',
                to: 'agent',
              });
            },
          },
          {
            at: addHours(slotStartsAt, t.appointmentMissedHours),
            summary: 'Rendez-vous manqué : libérer le créneau',
            fire: async () => {
              appointmentMissed = true;
            },
          },
        ],
      );
      if (handoverBy !== null) break;
      await releaseSlot({ renewalId: input.renewalId, slotId });
      await notify({
        renewalId: input.renewalId,
        template: 'appointment_missed',
        step: `slot-${slotId}`,
      });
      s.slotId = null;
      delete s.stepTimes.appointment;
      booking = false;
      appointmentMissed = false;
      await record('appointment_missed', null, { slotId }, 'awaiting_appointment');
    }
    stepDone('pickup');
    await activateNewKey(activation());
    await record('handed_over', handoverBy, {}, 'completed');
  }

  function activation() {
    return { renewalId: input.renewalId, newKeySerial: s.newKeySerial as string };
  }

  async function finish(): Promise<RenewalStatus> {
    await Promise.all(outgoing);
    await condition(allHandlersFinished);
    // The documents outlive the request in a workflow of their own, so this one ends now and a
    // new request for the same key can start. Patched: histories recorded before it still replay.
    if (patched('document-retention')) {
      await startChild(documentRetentionWorkflow, {
        workflowId: `retention-${input.renewalId}`,
        args: [{ renewalId: input.renewalId }],
        parentClosePolicy: 'ABANDON',
      });
    }
    return s.status;
  }

  function newCharterCode(): string {
    // Math.random is seeded by Temporal inside workflows, so replays draw the same code.
    return String(Math.floor(100000 + Math.random() * 900000));
  }
}

/** Why a second decision is refused; shared with the API, which answers once the run has closed. */
export function alreadyDecided(d: Decision): string {
  const verdict = d.outcome === 'approved' ? 'validée' : 'refusée';
  const by = {
    n1: 'par le N+1',
    n2: 'par le N+2',
    automatic: 'automatiquement',
    dsi: 'par la DSI',
  }[d.capacity];
  return `Cette demande a déjà été ${verdict} ${by} : votre décision n’est pas prise en compte.`;
}
