import {
  ApplicationFailure,
  allHandlersFinished,
  condition,
  defineQuery,
  defineSignal,
  defineUpdate,
  patched,
  proxyActivities,
  setHandler,
  startChild,
} from '@temporalio/workflow';
import type { RenewalActivities } from '../activities/index.js';
import { documentRetentionWorkflow } from './retention.js';
import { cancellable, type KeyType, type RenewalStatus, type StepName } from './steps.js';

export interface RenewalInput {
  renewalId: string;
  keyType: KeyType;
  hasAttachments: boolean;
  /** Directory ids (never names) of the people allowed to decide: the N+1 and the N+2. */
  approverIds: { n1: string | null; n2: string | null };
  charterVersion: string;
}

export interface RenewalEvent {
  seq: number;
  type: string;
  actorId: string | null;
  at: string;
  detail: Record<string, string | number | boolean | null>;
}

export interface Decision {
  outcome: 'approved' | 'rejected';
  capacity: 'n1' | 'n2' | 'automatic';
  byId: string | null;
  at: string;
  comment?: string;
  reason?: string;
  automaticReason?: 'permanent_director' | 'onde_delegation';
}

/** What the projection activity writes to the read model: ids and facts, no personal data. */
export interface RenewalSnapshot {
  renewalId: string;
  version: number;
  status: RenewalStatus;
  stepSince: string;
  stepTimes: Partial<Record<StepName, string>>;
  decision: Decision | null;
  mobileOs: 'android' | 'ios' | null;
  charterCode: string | null;
  charterVersion: string;
  newKeySerial: string | null;
  slotId: string | null;
  events: RenewalEvent[];
}

export interface MessageResult {
  status: RenewalStatus;
  version: number;
}

export interface DecideArgs {
  outcome: 'approved' | 'rejected';
  actorId: string;
  capacity: 'n1' | 'n2';
  comment?: string;
  reason?: string;
}

export const attachmentsAddedSignal =
  defineSignal<[{ count: number; actorId: string }]>('attachmentsAdded');
/** A signal: the webhook that reports it must not depend on a worker being up. */
export const enrollmentEmailReceivedSignal =
  defineSignal<[{ inboundEmailId: string }]>('enrollmentEmailReceived');
export const cancelUpdate = defineUpdate<MessageResult, [{ actorId: string }]>('cancel');
export const decideUpdate = defineUpdate<MessageResult, [DecideArgs]>('decide');
export const chooseMobileOsUpdate = defineUpdate<
  MessageResult,
  [{ os: 'android' | 'ios'; actorId: string }]
>('chooseMobileOs');
/** An update, so that a wrong code is refused to the caller and never enters the history. */
export const signCharterUpdate = defineUpdate<
  MessageResult,
  [{ code: string; acknowledged: boolean; actorId: string }]
>('signCharter');
export const assignKeyUpdate = defineUpdate<
  MessageResult,
  [{ newKeySerial: string; actorId: string }]
>('assignKey');
export const bookAppointmentUpdate = defineUpdate<
  MessageResult,
  [{ slotId: string; actorId: string }]
>('bookAppointment');
export const recordHandoverUpdate = defineUpdate<MessageResult, [{ actorId: string }]>(
  'recordHandover',
);
export const snapshotQuery = defineQuery<RenewalSnapshot>('snapshot');

const { projectRenewal, sendEmail, evaluateAutoApproval, activateNewKey, reserveSlot } =
  proxyActivities<RenewalActivities>({
    startToCloseTimeout: '30 seconds',
    retry: { initialInterval: '1 second', maximumInterval: '5 minutes' },
  });

class Cancelled extends Error {}

/** Refusals of a message are typed so the API can answer with the right HTTP status. */
const refuse = (type: 'InvalidState' | 'InvalidInput' | 'WrongCharterCode', message: string) =>
  ApplicationFailure.create({ type, message, nonRetryable: true });

/**
 * One renewal of one OTP key, from the agent's request to the new key in hand.
 * Message handlers only record what was asked; the body below moves from step to step and
 * projects every change to the read model before the handler that caused it returns.
 */
export async function renewalWorkflow(input: RenewalInput): Promise<RenewalStatus> {
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
    events: [],
  };
  let projected = 0;
  let attachmentCount = input.hasAttachments ? 1 : 0;
  let cancelRequestedBy: string | null = null;
  let enrollmentEmailId: string | null = null;
  let charterSignedBy: string | null = null;
  let assignedBy: string | null = null;
  let handoverBy: string | null = null;
  let booking = false;

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
    }
    const snapshot = { ...s, events: [{ seq: s.version, type, actorId, at, detail }] };
    await projectRenewal(snapshot);
    projected = Math.max(projected, snapshot.version);
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
        `Cette étape n’est pas ouverte : la demande est à l’état ${s.status}.`,
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
      cancelRequestedBy = actorId;
      return settled();
    },
    {
      validator: (_args) => {
        if (!cancellable.includes(s.status) || cancelRequestedBy) {
          throw refuse('InvalidState', `La demande ne peut plus être annulée (état ${s.status}).`);
        }
      },
    },
  );

  setHandler(
    decideUpdate,
    async (args) => {
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
        expect('awaiting_approval');
        if (s.decision)
          throw refuse('InvalidState', 'Cette demande a déjà fait l’objet d’une décision.');
        const allowed =
          (args.capacity === 'n1' && args.actorId === input.approverIds.n1) ||
          (args.capacity === 'n2' && args.actorId === input.approverIds.n2);
        if (!allowed)
          throw refuse('InvalidInput', 'Seuls le N+1 et le N+2 de l’agent peuvent décider.');
        if (args.outcome === 'rejected' && !args.reason?.trim()) {
          throw refuse('InvalidInput', 'Un refus doit être motivé.');
        }
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
    async ({ actorId }) => {
      charterSignedBy = actorId;
      return settled();
    },
    {
      validator: ({ code, acknowledged }) => {
        expect('awaiting_charter');
        if (charterSignedBy) throw refuse('InvalidState', 'La charte est déjà signée.');
        if (acknowledged !== true) {
          throw refuse(
            'InvalidInput',
            'Cochez « J’ai pris connaissance de la charte » (acknowledged: true).',
          );
        }
        if (String(code).trim() !== s.charterCode) {
          throw refuse(
            'WrongCharterCode',
            'Le code saisi ne correspond pas à celui imprimé en bas de la charte.',
          );
        }
      },
    },
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
        await reserveSlot({ renewalId: input.renewalId, slotId });
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

  const waitFor = async (ready: () => boolean) => {
    await condition(() => ready() || cancelRequestedBy !== null);
    if (cancelRequestedBy !== null && !ready()) throw new Cancelled();
  };

  try {
    s.stepTimes.request = new Date().toISOString();
    // The new key keeps the old PIN: okey never asks for it, so that step is done from the start.
    s.stepTimes.pin = s.stepTimes.request;
    await record('created', null, { hasAttachments: input.hasAttachments });

    if (!input.hasAttachments) {
      await waitFor(() => attachmentCount > 0);
      stepDone('attachments');
      await record('attachments_added', null, { count: attachmentCount }, 'awaiting_approval');
    } else {
      stepDone('attachments');
    }

    const automatic = await evaluateAutoApproval({ renewalId: input.renewalId });
    if (automatic) {
      s.decision = {
        outcome: 'approved',
        capacity: 'automatic',
        byId: null,
        at: new Date().toISOString(),
        automaticReason: automatic,
      };
    } else {
      await sendEmail({ renewalId: input.renewalId, template: 'approval_requested', step: 'v1' });
      await waitFor(() => s.decision !== null);
    }
    const decision = s.decision as Decision | null;
    if (!decision) throw new Cancelled();
    stepDone('approval');
    if (decision.outcome === 'rejected') {
      await record('rejected', decision.byId, { capacity: decision.capacity }, 'rejected');
      await sendEmail({ renewalId: input.renewalId, template: 'rejected', step: 'decision' });
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
    await sendEmail({ renewalId: input.renewalId, template: 'approved', step: 'decision' });

    if (input.keyType === 'software') {
      await waitFor(() => s.mobileOs !== null);
      stepDone('mobile_os');
      await record('mobile_os_chosen', null, { os: s.mobileOs }, 'awaiting_enrollment_email');
      await waitFor(() => enrollmentEmailId !== null);
      stepDone('enrollment_email');
      s.charterCode = newCharterCode();
      await record('enrollment_email_received', null, {}, 'awaiting_charter');
    }

    await waitFor(() => charterSignedBy !== null);
    stepDone('charter');
    await record(
      'charter_signed',
      charterSignedBy,
      { charterVersion: s.charterVersion },
      'awaiting_assignment',
    );

    await condition(() => assignedBy !== null);
    stepDone('assignment');
    const next = input.keyType === 'software' ? 'completed' : 'awaiting_appointment';
    if (next === 'completed') await activateNewKey(activation());
    await record('key_assigned', assignedBy, { newKeySerial: s.newKeySerial }, next);
    await sendEmail({ renewalId: input.renewalId, template: 'key_ready', step: 'assignment' });

    if (input.keyType === 'hardware') {
      await condition(() => s.slotId !== null);
      stepDone('appointment');
      await record('appointment_booked', null, { slotId: s.slotId }, 'awaiting_pickup');
      await sendEmail({
        renewalId: input.renewalId,
        template: 'appointment_confirmed',
        step: `slot-${s.slotId}`,
      });
      await condition(() => handoverBy !== null);
      stepDone('pickup');
      await activateNewKey(activation());
      await record('handed_over', handoverBy, {}, 'completed');
    }
  } catch (err) {
    if (!(err instanceof Cancelled)) throw err;
    await record('cancelled', cancelRequestedBy, {}, 'cancelled');
  }
  return finish();

  function activation() {
    return { renewalId: input.renewalId, newKeySerial: s.newKeySerial as string };
  }

  async function finish(): Promise<RenewalStatus> {
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
