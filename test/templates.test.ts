import { describe, expect, it } from 'vitest';
import {
  renderEmail,
  type TemplateContext,
  type TemplateName,
  templateNames,
} from '../activities/templates.js';

const base: TemplateContext = {
  requesterName: 'Marie Payet',
  recipientName: 'Marie Payet',
  keySerial: '000508901031',
  keyType: 'software',
  renewalUrl: 'https://okey.academie.example/demandes/1a2b3c4d-0000-4000-8000-000000000000',
  approvalUrl: 'https://okey.academie.example/validations/1a2b3c4d-0000-4000-8000-000000000000',
  reference: 'OKEY-1A2B3C4D',
  mailbox: 'okey@academie.example',
  status: 'awaiting_enrollment_email',
  reason: 'Pas de télétravail prévu',
  appointment: { startsAt: new Date('2026-03-10T06:30:00Z'), location: 'Rectorat, bureau 12' },
  deadline: new Date('2026-04-09T08:00:00Z'),
  keyExpiresOn: '2026-06-30',
};

const linkOf = (name: TemplateName) =>
  ['approval_requested', 'reminder_approval', 'approval_escalated_n2'].includes(name)
    ? base.approvalUrl
    : base.renewalUrl;

describe('every email okey sends', () => {
  it.each(templateNames)('%s has a French subject, plain text and HTML with its link', (name) => {
    const mail = renderEmail(name, base);
    expect(mail.subject).toMatch(/^\[OKEY\] \S/);
    expect(mail.text.startsWith('Bonjour Marie Payet,\n')).toBe(true);
    expect(mail.text).toContain(linkOf(name));
    expect(mail.html).toContain(`<a href="${linkOf(name)}">`);
    expect(mail.html).toContain('<html lang="fr">');
    for (const part of [mail.subject, mail.text, mail.html]) {
      expect(part).not.toMatch(/undefined|null|NaN|\[object/);
    }
    // The HTML says what the text says.
    const firstLine = mail.text.split('\n')[2] as string;
    expect(mail.html).toContain(firstLine.slice(0, 20));
  });

  it('names the rejection reason and escapes it in HTML', () => {
    const mail = renderEmail('rejected', { ...base, reason: 'Pas de <b>télétravail</b> & co' });
    expect(mail.text).toContain('Motif : Pas de <b>télétravail</b> & co');
    expect(mail.html).toContain('Motif : Pas de &lt;b&gt;télétravail&lt;/b&gt; &amp; co');
    expect(mail.html).not.toContain('<b>');
  });

  it('tells a software-key agent which subject to use for the enrollment email', () => {
    const mail = renderEmail('approved', base);
    expect(mail.text).toContain('okey@academie.example');
    expect(mail.text).toContain('« OKEY-1A2B3C4D » dans l’objet');
    const hardware = renderEmail('approved', { ...base, keyType: 'hardware' });
    expect(hardware.text).not.toContain('OKEY-1A2B3C4D');
    expect(hardware.text).toContain('signer la charte');
  });

  it('gives dates and times in La Réunion', () => {
    expect(renderEmail('appointment_confirmed', base).text).toContain(
      'mardi 10 mars 2026 à 10:30 (heure de La Réunion), Rectorat, bureau 12',
    );
    expect(renderEmail('expiry_invitation', base).text).toContain('expire le 30 juin 2026');
    expect(renderEmail('reminder_attachments', base).text).toContain(
      'sera annulée le 9 avril 2026',
    );
  });

  it.each([
    ['awaiting_mobile_os', 'type de votre mobile'],
    ['awaiting_enrollment_email', '« OKEY-1A2B3C4D »'],
    ['awaiting_charter', 'signez la charte'],
    ['awaiting_appointment', 'Prenez rendez-vous'],
  ])('reminds the agent of the step in %s', (status, words) => {
    expect(renderEmail('reminder_agent_step', { ...base, status }).text).toContain(words);
  });
});
