/** French emails. Plain text first; the HTML version is the same text, escaped, with a link. */
export type TemplateName =
  | 'approval_requested'
  | 'approved'
  | 'rejected'
  | 'key_ready'
  | 'appointment_confirmed';

export interface TemplateContext {
  requesterName: string;
  recipientName: string;
  keySerial: string;
  keyType: 'software' | 'hardware';
  renewalUrl: string;
  approvalUrl: string;
  reason?: string;
  appointment?: { startsAt: Date; location: string };
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
  }
}

export function escapeHtml(s: string): string {
  return s.replace(
    /[&<>"']/g,
    (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[ch] as string,
  );
}
