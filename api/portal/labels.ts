/** Everything the portal says about steps, statuses and choices, in French. */
import type { KeyType, RenewalStatus, StepName, StepState } from '../../workflows/steps.js';

export const stepLabels: Record<StepName, string> = {
  request: 'Demande créée',
  attachments: 'Justificatifs joints',
  approval: 'Validation par le responsable hiérarchique',
  mobile_os: 'Choix du mobile (Android ou iOS)',
  enrollment_email: 'Installation de l’application et courriel à la boîte OKEY',
  charter: 'Signature de la charte',
  pin: 'Code PIN (identique à celui de la clef actuelle)',
  assignment: 'Attribution de la clef par la DSI',
  appointment: 'Rendez-vous de retrait',
  pickup: 'Retrait de la clef',
};

export const stepStateLabels: Record<StepState, string> = {
  done: 'Terminée',
  current: 'En cours',
  pending: 'À venir',
  stopped: 'Non réalisée',
};

interface StatusText {
  /** Short, for badges and queues. */
  badge: string;
  /** A sentence for the request page, as the procedure words it. */
  sentence: string;
  tone: 'success' | 'error' | 'info' | 'warning' | 'neutral';
}

export const statusTexts: Record<RenewalStatus, StatusText> = {
  awaiting_attachments: {
    badge: 'Justificatifs à joindre',
    sentence: 'Demande créée, en attente de vos justificatifs',
    tone: 'warning',
  },
  awaiting_approval: {
    badge: 'En attente de validation',
    sentence: 'Demande créée, en attente de validation par un supérieur hiérarchique',
    tone: 'info',
  },
  awaiting_mobile_os: {
    badge: 'Mobile à choisir',
    sentence: 'Demande validée, en attente du choix de votre mobile',
    tone: 'warning',
  },
  awaiting_enrollment_email: {
    badge: 'Courriel d’installation attendu',
    sentence: 'Demande validée, en attente de votre courriel à la boîte OKEY',
    tone: 'warning',
  },
  awaiting_charter: {
    badge: 'Charte à signer',
    sentence: 'Demande validée, en attente de la signature de la charte',
    tone: 'warning',
  },
  awaiting_assignment: {
    badge: 'En attente d’attribution',
    sentence: 'Charte signée, en attente d’attribution de la clef par la DSI',
    tone: 'info',
  },
  awaiting_appointment: {
    badge: 'Rendez-vous à prendre',
    sentence: 'Clef attribuée, en attente de votre rendez-vous de retrait',
    tone: 'warning',
  },
  awaiting_pickup: {
    badge: 'Clef à retirer',
    sentence: 'Rendez-vous pris, clef à retirer',
    tone: 'info',
  },
  completed: { badge: 'Terminée', sentence: 'Demande terminée', tone: 'success' },
  rejected: { badge: 'Refusée', sentence: 'Demande refusée', tone: 'error' },
  cancelled: { badge: 'Annulée', sentence: 'Demande annulée', tone: 'neutral' },
};

export const keyTypeLabels: Record<KeyType, string> = {
  software: 'Logicielle',
  hardware: 'Matérielle',
};

/** The procedure's reasons, in its order. */
export const reasonLabels = {
  teletravail: 'Télétravail',
  applications: 'Applications',
  autres: 'Autres',
} as const;
export type Reason = keyof typeof reasonLabels;

export const mobileOsLabels = { android: 'Android', ios: 'iOS (iPhone)' } as const;
export type MobileOs = keyof typeof mobileOsLabels;

export const capacityLabels = {
  n1: 'N+1',
  n2: 'N+2',
  dsi: 'décision de la DSI',
  automatic: 'validation automatique',
};

export const automaticReasonLabels: Record<string, string> = {
  permanent_director: 'directeur ou directrice d’école sur un poste définitif',
  onde_delegation: 'délégation ONDE en cours',
};

export const eventLabels: Record<string, string> = {
  created: 'Demande créée',
  attachments_added: 'Justificatifs ajoutés',
  approved: 'Demande validée',
  approved_automatically: 'Demande validée automatiquement',
  rejected: 'Demande refusée',
  mobile_os_chosen: 'Mobile choisi',
  enrollment_email_received: 'Courriel d’installation reçu',
  charter_signed: 'Charte signée',
  key_assigned: 'Clef attribuée',
  appointment_booked: 'Rendez-vous de retrait pris',
  handed_over: 'Clef remise',
  cancelled: 'Demande annulée',
};

/** Short confirmations shown after a successful form, keyed by the `ok` query parameter. */
export const confirmations: Record<string, string> = {
  creee: 'Votre demande est créée.',
  existante: 'Une demande est déjà en cours pour cette clef : la voici.',
  documents: 'Vos justificatifs sont ajoutés.',
  mobile: 'Votre choix de mobile est enregistré.',
  charte: 'La charte est signée. Merci.',
  courriel: 'Votre courriel d’activation est arrivé à la boîte OKEY.',
  'rendez-vous': 'Votre rendez-vous est réservé. Un courriel de confirmation vous est envoyé.',
  annulee: 'Votre demande est annulée.',
  approuvee: 'La demande est validée. L’agent en est informé par courriel.',
  refusee: 'La demande est refusée. L’agent en est informé par courriel, avec le motif.',
  attribuee: 'La nouvelle clef est attribuée. L’agent en est informé par courriel.',
  remise: 'La remise de la clef est enregistrée. La demande est terminée.',
  rattache: 'Le courriel est rattaché à la demande : l’agent peut signer la charte.',
};
