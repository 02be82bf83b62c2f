/** French emails. Plain text first; the HTML version is the same text, escaped, with a link. */
export type TemplateName =
  | 'approval_requested'
  | 'approved'
  | 'rejected'
  | 'key_ready'
  | 'appointment_confirmed'
  | 'attachments_reminder'
  | 'attachments_cancelled'
  | 'approval_reminder'
  | 'approval_escalated'
  | 'mobile_os_reminder'
  | 'enrollment_reminder'
  | 'charter_reminder'
  | 'appointment_reminder'
  | 'appointment_missed'
  | 'expiry_invitation';

export interface TemplateContext {
  requesterName: string;
  recipientName: string;
  keySerial: string;
  keyType: 'software' | 'hardware';
  renewalUrl: string;
  approvalUrl: string;
  reason?: string;
  appointment?: { startsAt: Date; location: string };
  /** Invitations before expiry: the key's last day (YYYY-MM-DD) and the days left until it. */
  expiresOn?: string;
  daysLeft?: number;
}

const keyLabel = (t: TemplateContext['keyType']) =>
  t === 'software' ? 'logicielle' : 'matérielle';

export function formatDateTime(d: Date): string {
  return new Intl.DateTimeFormat('fr-FR', {
    dateStyle: 'full',
    timeStyle: 'short',
    timeZone: 'Indian/Reunion',
  }).format(d);
}

/** 2027-01-31 → 31/01/2027 */
const frenchDate = (isoDate: string) => isoDate.split('-').reverse().join('/');

export function renderEmail(
  name: TemplateName,
  c: TemplateContext,
): { subject: string; text: string; html: string } {
  const { subject, lines, link } = content(name, c);
  const text = [`Bonjour ${c.recipientName},`, '', ...lines, '', link.url, '', 'OKEY — DSI'].join(
    '\n',
  );
  const html = [
    `<p>Bonjour ${escapeHtml(c.recipientName)},</p>`,
    ...lines.map((l) => `<p>${escapeHtml(l)}</p>`),
    `<p><a href="${escapeHtml(link.url)}">${escapeHtml(link.label)}</a></p>`,
    '<p>OKEY — DSI</p>',
  ].join('\n');
  return { subject: `[OKEY] ${subject}`, text, html };
}

function content(name: TemplateName, c: TemplateContext) {
  const key = `clef ${keyLabel(c.keyType)} ${c.keySerial}`;
  const own = { url: c.renewalUrl, label: 'Voir ma demande' };
  switch (name) {
    case 'approval_requested':
      return {
        subject: `Demande de renouvellement à valider (${c.requesterName})`,
        lines: [
          `${c.requesterName} demande le renouvellement de sa ${key}.`,
          'Vous êtes chargé(e) de valider cette demande : vous pouvez l’approuver ou la refuser en indiquant un motif.',
        ],
        link: { url: c.approvalUrl, label: 'Valider ou refuser la demande' },
      };
    case 'approved':
      return {
        subject: 'Votre demande de renouvellement est validée',
        lines: [
          `Votre demande de renouvellement de la ${key} a été validée.`,
          c.keyType === 'software'
            ? 'Indiquez le type de votre mobile (Android ou iOS), installez l’application et envoyez les éléments demandés à la boîte OKEY, puis signez la charte.'
            : 'Il vous reste à signer la charte ; la DSI préparera ensuite votre clef.',
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
    case 'attachments_reminder':
      return {
        subject: 'Justificatifs manquants pour votre demande de renouvellement',
        lines: [
          `Votre demande de renouvellement de la ${key} n’a pas encore de justificatif.`,
          'Tant que les justificatifs n’ont pas été ajoutés, votre demande n’est pas envoyée à la personne chargée de la valider. Sans justificatif, elle sera annulée automatiquement.',
        ],
        link: { url: c.renewalUrl, label: 'Ajouter mes justificatifs' },
      };
    case 'attachments_cancelled':
      return {
        subject: 'Votre demande de renouvellement est annulée',
        lines: [
          `Votre demande de renouvellement de la ${key} a été annulée automatiquement : aucun justificatif n’a été ajouté.`,
          'Vous pouvez faire une nouvelle demande en joignant les pièces nécessaires à sa validation.',
        ],
        link: own,
      };
    case 'approval_reminder':
      return {
        subject: `Rappel : demande de renouvellement à valider (${c.requesterName})`,
        lines: [
          `La demande de renouvellement de la ${key} de ${c.requesterName} attend toujours votre validation.`,
          'Vous pouvez l’approuver ou la refuser en indiquant un motif.',
        ],
        link: { url: c.approvalUrl, label: 'Valider ou refuser la demande' },
      };
    case 'approval_escalated':
      return {
        subject: `Demande de renouvellement en attente (${c.requesterName})`,
        lines: [
          `La demande de renouvellement de la ${key} de ${c.requesterName} attend la validation de son responsable hiérarchique.`,
          'En tant que N+2, vous disposez également de la possibilité de l’approuver ou de la refuser.',
        ],
        link: { url: c.approvalUrl, label: 'Valider ou refuser la demande' },
      };
    case 'mobile_os_reminder':
      return {
        subject: 'Rappel : indiquez le type de votre mobile',
        lines: [
          `Votre demande de renouvellement de la ${key} est validée.`,
          'Indiquez le type de votre mobile (Android ou iOS) pour recevoir la procédure d’installation.',
        ],
        link: own,
      };
    case 'enrollment_reminder':
      return {
        subject: 'Rappel : installation de votre clef logicielle',
        lines: [
          `Nous n’avons pas encore reçu les éléments demandés pour installer votre ${key}.`,
          'Installez l’application sur votre mobile et envoyez les éléments demandés à la boîte OKEY.',
        ],
        link: own,
      };
    case 'charter_reminder':
      return {
        subject: 'Rappel : signez la charte',
        lines: [
          `Afin de disposer de votre nouvelle clef, il est nécessaire de signer la charte (${key}).`,
          'Consultez la charte, reportez le code imprimé en bas et cochez « J’ai pris connaissance de la charte ».',
        ],
        link: { url: c.renewalUrl, label: 'Consulter et signer la charte' },
      };
    case 'appointment_reminder':
      return {
        subject: 'Rappel : retrait de votre clef demain',
        lines: [
          c.appointment
            ? `Votre rendez-vous de retrait est fixé le ${formatDateTime(c.appointment.startsAt)} (heure de La Réunion), ${c.appointment.location}.`
            : 'Votre rendez-vous de retrait approche.',
          'Munissez-vous de votre ancienne clef et d’une pièce d’identité.',
        ],
        link: own,
      };
    case 'appointment_missed':
      return {
        subject: 'Rendez-vous de retrait manqué',
        lines: [
          c.appointment
            ? `Vous n’êtes pas venu(e) retirer votre clef le ${formatDateTime(c.appointment.startsAt)} (heure de La Réunion) : le créneau a été libéré.`
            : 'Vous n’êtes pas venu(e) retirer votre clef : le créneau a été libéré.',
          'Prenez un nouveau rendez-vous dans OKEY pour venir retirer votre clef.',
        ],
        link: { url: c.renewalUrl, label: 'Prendre un nouveau rendez-vous' },
      };
    case 'expiry_invitation':
      return {
        subject: `Votre clef expire dans ${c.daysLeft ?? '?'} jours`,
        lines: [
          `Votre ${key} expire le ${c.expiresOn ? frenchDate(c.expiresOn) : 'prochainement'}.`,
          'Pour continuer à accéder aux applications de gestion depuis l’extérieur, demandez son renouvellement dans OKEY dès maintenant.',
        ],
        link: { url: c.renewalUrl, label: 'Renouveler ma clef' },
      };
  }
}

export function escapeHtml(s: string): string {
  return s.replace(
    /[&<>"']/g,
    (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[ch] as string,
  );
}
