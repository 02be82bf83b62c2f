import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { KeyType, RenewalStatus, StepName } from './steps.js';
import type { RenewalTimers } from './timers.js';
import type { Attention } from './ui.js';

/**
 * What a renewal workflow takes, keeps and answers: its input, its snapshot, and the messages
 * the API sends it. Kept apart from the workflow body so callers import names, not the process.
 */

export interface RenewalInput {
  renewalId: string;
  keySerial: string;
  keyType: KeyType;
  /** UAI of the agent's establishment: a public code, shown and searchable in the Temporal UI. */
  establishmentUai: string | null;
  hasAttachments: boolean;
  /** Directory ids (never names) of the people allowed to decide: the N+1 and the N+2. */
  approverIds: { n1: string | null; n2: string | null };
  /** Who is asked first; null when the directory has neither: the operators' queue decides. */
  validator: 'n1' | 'n2' | null;
  charterVersion: string;
  /** Reminder and deadline durations from the configuration (workflows cannot read it). */
  timers: RenewalTimers;
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
  /** In which capacity it was decided; `dsi` is an operator's override from the queue. */
  capacity: 'n1' | 'n2' | 'automatic' | 'dsi';
  byId: string | null;
  at: string;
  comment?: string;
  reason?: string;
  automaticReason?: 'permanent_director' | 'onde_delegation';
  /** The Réunion date on which the director's post and ONDE delegations were checked. */
  checkedOn?: string;
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
  attention: Attention | null;
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
/** Opening the charter after too many wrong codes draws a new one. */
export const openCharterUpdate = defineUpdate<
  { version: string; code: string },
  [{ actorId: string }]
>('openCharter');
/** A DSI operator decides for a request in the operators' queue; the reason is mandatory. */
export const overrideDecisionUpdate = defineUpdate<
  MessageResult,
  [{ outcome: 'approved' | 'rejected'; actorId: string; reason: string }]
>('overrideDecision');
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
