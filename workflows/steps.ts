/**
 * The renewal's statuses and steps, shared by the workflow and the API. Pure data and functions:
 * safe to import from workflow code.
 */
export const keyTypes = ['software', 'hardware'] as const;
export type KeyType = (typeof keyTypes)[number];

export const statuses = [
  'awaiting_attachments',
  'awaiting_approval',
  'awaiting_mobile_os',
  'awaiting_enrollment_email',
  'awaiting_charter',
  'awaiting_assignment',
  'awaiting_appointment',
  'awaiting_pickup',
  'completed',
  'rejected',
  'cancelled',
] as const;
export type RenewalStatus = (typeof statuses)[number];

/** Where a request stands, in French: the Temporal UI's details and the workflow's refusals. */
export const statusLabels: Record<RenewalStatus, string> = {
  awaiting_attachments: 'En attente des justificatifs',
  awaiting_approval: 'En attente de validation par le supérieur hiérarchique',
  awaiting_mobile_os: 'En attente du choix du mobile (Android ou iOS)',
  awaiting_enrollment_email: 'En attente du courriel d’installation de l’agent',
  awaiting_charter: 'En attente de la signature de la charte',
  awaiting_assignment: 'En attente d’attribution par l’ISR',
  awaiting_appointment: 'En attente de la prise de rendez-vous de retrait',
  awaiting_pickup: 'En attente du retrait de la clef',
  completed: 'Terminée',
  rejected: 'Refusée',
  cancelled: 'Annulée',
};

/** The label inside a sentence: « la demande est en attente des justificatifs ». */
export const statusInSentence = (s: RenewalStatus) =>
  statusLabels[s].charAt(0).toLowerCase() + statusLabels[s].slice(1);

export const terminal: readonly RenewalStatus[] = ['completed', 'rejected', 'cancelled'];
export const isTerminal = (s: RenewalStatus) => terminal.includes(s);

/** The agent may withdraw until the DSI has assigned a key. */
export const cancellable: readonly RenewalStatus[] = [
  'awaiting_attachments',
  'awaiting_approval',
  'awaiting_mobile_os',
  'awaiting_enrollment_email',
  'awaiting_charter',
];

export type StepName =
  | 'request'
  | 'attachments'
  | 'approval'
  | 'mobile_os'
  | 'enrollment_email'
  | 'charter'
  | 'pin'
  | 'assignment'
  | 'appointment'
  | 'pickup';

/** Which status is open while each step is due. `request` and `pin` are never waited on. */
const stepStatus: Partial<Record<StepName, RenewalStatus>> = {
  attachments: 'awaiting_attachments',
  approval: 'awaiting_approval',
  mobile_os: 'awaiting_mobile_os',
  enrollment_email: 'awaiting_enrollment_email',
  charter: 'awaiting_charter',
  assignment: 'awaiting_assignment',
  appointment: 'awaiting_appointment',
  pickup: 'awaiting_pickup',
};

export function stepsFor(keyType: KeyType): StepName[] {
  return keyType === 'software'
    ? [
        'request',
        'attachments',
        'approval',
        'mobile_os',
        'enrollment_email',
        'charter',
        'pin',
        'assignment',
      ]
    : [
        'request',
        'attachments',
        'approval',
        'charter',
        'pin',
        'assignment',
        'appointment',
        'pickup',
      ];
}

export type StepState = 'done' | 'current' | 'pending' | 'stopped';

export interface StepView {
  step: StepName;
  state: StepState;
  at: string | null;
}

/** Each step's state from the status and the completion times the workflow recorded. */
export function stepViews(
  keyType: KeyType,
  status: RenewalStatus,
  stepTimes: Partial<Record<StepName, string>>,
): StepView[] {
  return stepsFor(keyType).map((step) => {
    const at = stepTimes[step] ?? null;
    if (at) return { step, state: 'done', at };
    if (stepStatus[step] === status) return { step, state: 'current', at: null };
    return { step, state: isTerminal(status) ? 'stopped' : 'pending', at: null };
  });
}
