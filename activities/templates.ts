/**
 * French emails. Each template gives a subject, the lines of its message and one link; the plain
 * text and the HTML versions are made from the same lines so they never say different things.
 */
export const templateNames = [
  'approval_requested',
  'reminder_approval',
  'approval_escalated_n2',
  'approved',
  'rejected',
  'reminder_attachments',
  'reminder_agent_step',
  'auto_cancelled',
  'key_ready',
  'appointment_confirmed',
  'appointment_reminder',
  'appointment_missed',
  'expiry_invitation',
] as const;
export type TemplateName = (typeof templateNames)[number];

/** Templates written to the validator or the N+2 rather than to the agent. */
export const approverTemplates: readonly TemplateName[] = [
  'approval_requested',
  'reminder_approval',
  'approval_escalated_n2',
];

export interface TemplateContext {
  requesterName: string;
  recipientName: string;
  keySerial: string;
  keyType: 'software' | 'hardware';
  /** The request's page; for an invitation, the page that starts a renewal of the key. */
  renewalUrl: string;
  approvalUrl: string;
  /** Short reference the agent puts in the subject of the enrollment email, e.g. OKEY-1A2B3C4D. */
  reference?: string;
  /** The OKEY mailbox that receives enrollment emails. */
  mailbox?: string;
  /** The renewal's status when the email is written (which step the agent still has to do). */
  status?: string;
  reason?: string;
  appointment?: { startsAt: Date; location: string };
  /** A date the message announces: automatic cancellation, for instance. */
  deadline?: Date;
  /** YYYY-MM-DD, for invitations before expiry. */
  keyExpiresOn?: string;
}

export interface RenderedEmail {
  subject: string;
  text: string;
  html: string;
}

const zone = 'Indian/Reunion';

export function formatDateTime(d: Date): string {
  return new Intl.DateTimeFormat('fr-FR', {
    dateStyle: 'full',
    timeStyle: 'short',
    timeZone: zone,
  }).format(d);
}

export function formatDate(d: Date | string): string {
  const date = typeof d === 'string' ? new Date(`${d}T12:00:00Z`) : d;
  return new Intl.DateTimeFormat('fr-FR', { dateStyle: 'long', timeZone: zone }).format(date);
}

export function renderEmail(name: TemplateName, c: TemplateContext): RenderedEmail {
  const { subject, lines, link } = contentOf(name, c);
  const text = [`Bonjour ${c.recipientName},`, '', ...lines, '', `${link.label} : ${link.url}`]
    .concat(['', 'OKEY — DSI'])
    .join('\n');
  const html = [
    '<!doctype html>',
    '<html lang="fr"><body>',
    `<p>Bonjour ${escapeHtml(c.recipientName)},</p>`,
    ...lines.map((l) => `<p>${escapeHtml(l)}</p>`),
    `<p><a href="${escapeHtml(link.url)}">${escapeHtml(link.label)}</a></p>`,
    '<p>OKEY — DSI</p>',
    '</body></html>',
  ].join('\n');
  return { subject: `[OKEY] ${subject}`, text, html };
}

interface Content {
  subject: string;
  lines: string[];
  link: { url: string; label: string };
}

function contentOf(name: TemplateName, c: TemplateContext): Content {
  const key = `clef ${c.keyType === 'software' ? 'logicielle' : 'matérielle'} ${c.keySerial}`;
  const own = { url: c.renewalUrl, label: 'Voir ma demande' };
  const decide = { url: c.approvalUrl, label: 'Valider ou refuser la demande' };
  const cancelOn = c.deadline ? ` le ${formatDate(c.deadline)}` : '';
  switch (name) {
    case 'approval_requested':
      return {
        subject: `Demande de renouvellement à valider (${c.requesterName})`,
        lines: [
          `${c.requesterName} demande le renouvellement de sa ${key}.`,
          'Vous êtes chargé(e) de valider cette demande : vous pouvez l’approuver ou la refuser en indiquant un motif.',
        ],
        link: decide,
      };
    case 'reminder_approval':
      return {
        subject: `Rappel : demande de renouvellement en attente (${c.requesterName})`,
        lines: [
          `La demande de renouvellement de la ${key} de ${c.requesterName} attend toujours votre décision.`,
          'Sans validation, l’agent ne pourra pas accéder aux applications depuis l’extérieur.',
        ],
        link: decide,
      };
    case 'approval_escalated_n2':
      return {
        subject: `Demande de renouvellement à valider en l’absence du N+1 (${c.requesterName})`,
        lines: [
          `La demande de renouvellement de la ${key} de ${c.requesterName} n’a pas encore été validée par son supérieur hiérarchique.`,
          'En tant que N+2, vous pouvez l’approuver ou la refuser à sa place.',
        ],
        link: decide,
      };
    case 'approved':
      return {
        subject: 'Votre demande de renouvellement est validée',
        lines: [
          `Votre demande de renouvellement de la ${key} a été validée.`,
          ...(c.keyType === 'software'
            ? [
                'Indiquez le type de votre mobile (Android ou iOS) et installez l’application comme décrit dans la documentation.',
                `Envoyez ensuite les éléments demandés à ${c.mailbox ?? 'la boîte OKEY'} en indiquant « ${c.reference ?? ''} » dans l’objet du message, puis signez la charte.`,
              ]
            : ['Il vous reste à signer la charte ; la DSI préparera ensuite votre clef.']),
        ],
        link: own,
      };
    case 'rejected':
      return {
        subject: 'Votre demande de renouvellement est refusée',
        lines: [
          `Votre demande de renouvellement de la ${key} a été refusée.`,
          `Motif : ${c.reason ?? 'non précisé'}`,
        ],
        link: own,
      };
    case 'reminder_attachments':
      return {
        subject: 'Justificatifs manquants pour votre demande de renouvellement',
        lines: [
          `Votre demande de renouvellement de la ${key} n’a pas de justificatif : elle n’a pas été envoyée à la personne chargée de la valider.`,
          'Ajoutez vos justificatifs (PDF, JPEG, PNG ou HEIC) depuis OKEY, ou annulez la demande.',
          ...(c.deadline ? [`Sans justificatif, la demande sera annulée${cancelOn}.`] : []),
        ],
        link: own,
      };
    case 'reminder_agent_step':
      return {
        subject: 'Rappel : votre demande de renouvellement attend une action de votre part',
        lines: [`Votre demande de renouvellement de la ${key} est en attente.`, nextStep(c)],
        link: own,
      };
    case 'auto_cancelled':
      return {
        subject: 'Votre demande de renouvellement a été annulée',
        lines: [
          `Votre demande de renouvellement de la ${key} a été annulée automatiquement${cancelOn} : aucun justificatif n’a été ajouté dans le délai prévu.`,
          'Vous pouvez déposer une nouvelle demande à tout moment.',
        ],
        link: own,
      };
    case 'key_ready':
      return {
        subject: 'Votre nouvelle clef est prête',
        lines: [
          `La DSI a attribué votre nouvelle clef en remplacement de la ${key}.`,
          c.keyType === 'software'
            ? 'Votre clef logicielle est active sur votre mobile.'
            : 'Prenez rendez-vous dans OKEY pour venir retirer votre clef.',
          'Le code PIN de votre nouvelle clef est identique à celui de la précédente.',
        ],
        link: own,
      };
    case 'appointment_confirmed':
      return {
        subject: 'Rendez-vous de retrait confirmé',
        lines: [
          c.appointment
            ? `Votre rendez-vous de retrait est fixé le ${formatDateTime(c.appointment.startsAt)} (heure de La Réunion), ${c.appointment.location}.`
            : 'Votre rendez-vous de retrait est confirmé.',
          'Munissez-vous de votre ancienne clef et d’une pièce d’identité.',
        ],
        link: own,
      };
    case 'appointment_reminder':
      return {
        subject: 'Rappel : retrait de votre clef demain',
        lines: [
          c.appointment
            ? `Vous avez rendez-vous le ${formatDateTime(c.appointment.startsAt)} (heure de La Réunion), ${c.appointment.location}, pour retirer votre nouvelle clef.`
            : 'Vous avez rendez-vous demain pour retirer votre nouvelle clef.',
          'Munissez-vous de votre ancienne clef et d’une pièce d’identité.',
        ],
        link: own,
      };
    case 'appointment_missed':
      return {
        subject: 'Rendez-vous de retrait manqué',
        lines: [
          'Vous n’êtes pas venu(e) retirer votre nouvelle clef au rendez-vous prévu ; le créneau a été libéré.',
          'Prenez un nouveau rendez-vous dans OKEY.',
        ],
        link: { url: c.renewalUrl, label: 'Prendre un nouveau rendez-vous' },
      };
    case 'expiry_invitation':
      return {
        subject: 'Votre clef OTP arrive à expiration',
        lines: [
          `Votre ${key} expire le ${c.keyExpiresOn ? formatDate(c.keyExpiresOn) : 'bientôt'}.`,
          'Pour continuer à accéder aux applications depuis l’extérieur, demandez son renouvellement dans OKEY.',
        ],
        link: { url: c.renewalUrl, label: 'Renouveler ma clef' },
      };
  }
}

/** The one thing the agent still has to do, from the request's status. */
function nextStep(c: TemplateContext): string {
  switch (c.status) {
    case 'awaiting_mobile_os':
      return 'Indiquez le type de votre mobile (Android ou iOS) dans OKEY.';
    case 'awaiting_enrollment_email':
      return `Envoyez les éléments demandés à ${c.mailbox ?? 'la boîte OKEY'} en indiquant « ${c.reference ?? ''} » dans l’objet du message.`;
    case 'awaiting_charter':
      return 'Consultez et signez la charte : reportez le code imprimé en bas de la charte.';
    case 'awaiting_appointment':
      return 'Prenez rendez-vous dans OKEY pour venir retirer votre clef.';
    default:
      return 'Ouvrez votre demande dans OKEY pour voir l’étape en cours.';
  }
}

export function escapeHtml(s: string): string {
  return s.replace(
    /[&<>"']/g,
    (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[ch] as string,
  );
}
