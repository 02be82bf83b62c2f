import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { checkPage, reloadUntil, signIn, usePortal } from './support/browser.js';
import { testWebhookSecret } from './support/okey.js';
import { emailReceived, svixHeaders } from './support/webhooks.js';

const pdfPath = new URL('./fixtures/justificatif.pdf', import.meta.url).pathname;
const temporalUi = 'http://temporal-ui.test:8233';
interface SelectElement {
  options: ArrayLike<{ text: string }>;
  selectedOptions: ArrayLike<{ text: string }>;
}
const reunion = new Intl.DateTimeFormat('fr-FR', {
  dateStyle: 'full',
  timeStyle: 'short',
  timeZone: 'Indian/Reunion',
});

const portal = usePortal({ config: { TEMPORAL_UI_URL: temporalUi } });

describe('the procedure’s example in the browser', () => {
  it('renews Marie Payet’s software key with her N+2 deciding and the DSI assigning', async () => {
    // Marie, the agent: her expired key, then the renewal form.
    const marie = await signIn(portal.browser, portal.okey.baseUrl, 'Marie Payet', {
      path: '/clefs',
    });
    const m = marie.page;
    expect(new URL(m.url()).pathname).toBe('/clefs');
    const key = m.getByRole('listitem').filter({ hasText: 'Clef logicielle 000508901031' });
    expect(await key.textContent()).toMatch(/A expiré le 30 juin 2023\..*Expirée/);
    expect(await checkPage(m, 'software-01-mes-clefs')).toEqual([]);

    await m.getByRole('link', { name: 'Renouveler ma clef 000508901031' }).click();
    const reason = m.getByLabel('Motif de votre demande');
    expect(
      await reason.evaluate((s: SelectElement) => Array.from(s.options, (o) => o.text)),
    ).toEqual(['Veuillez choisir un motif', 'Télétravail', 'Applications', 'Autres']);
    expect(await reason.evaluate((s: SelectElement) => s.selectedOptions[0]?.text)).toBe(
      'Veuillez choisir un motif',
    );
    expect(await m.getByRole('radio', { name: /Jean Hoarau, Principal/ }).isChecked()).toBe(true);
    expect(await m.getByRole('radio', { name: /Sophie Grondin/ }).isChecked()).toBe(false);
    expect(await m.getByRole('radio', { name: /Logicielle/ }).isChecked()).toBe(true);
    expect(await checkPage(m, 'software-02-renouveler')).toEqual([]);

    await m.getByRole('button', { name: 'Envoyer ma demande' }).click();
    expect(await m.locator('#reason-error').textContent()).toBe('Veuillez choisir un motif.');
    expect(await reason.getAttribute('aria-describedby')).toBe('reason-messages');
    expect(await checkPage(m, 'software-03-motif-manquant')).toEqual([]);

    await reason.selectOption({ label: 'Autres' });
    await m.getByRole('button', { name: 'Envoyer ma demande' }).click();
    const url = new URL(m.url());
    expect(url.pathname).toMatch(/^\/demandes\/[0-9a-f-]{36}$/);
    const id = url.pathname.split('/')[2] as string;
    const view = (await (await portal.okey.login('mpayet')).get(`/api/renewals/${id}`)).body;
    const summary = await m.locator('.okey-summary').textContent();
    // The reference the inbound matcher reads in a subject: OKEY- and the id's first 8 digits.
    const reference = `OKEY-${id.slice(0, 8).toUpperCase()}`;
    expect(summary).toContain(`Référence${reference}`);
    expect(summary).toContain(`Créée le ${reunion.format(new Date(view.createdAt))}`);
    expect(summary).toMatch(/Créée le (lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche) /);
    expect(summary).toContain('TypeLogicielle');
    expect(summary).toContain('000508901031 qui a expiré le 30 juin 2023');
    expect(summary).toContain('MotifAutres');
    await m.getByText('Demande créée, en attente de vos justificatifs').waitFor();
    expect(await checkPage(m, 'software-04-justificatifs-a-joindre')).toEqual([]);
    expect(await portal.okey.outbox(id)).toEqual([]);

    await m.getByLabel(/^Justificatifs/).setInputFiles(pdfPath);
    await m.getByRole('button', { name: 'Envoyer les justificatifs' }).click();
    await m.getByText('Vos justificatifs sont ajoutés.').waitFor();
    await reloadUntil(m, 'en attente de validation par un supérieur hiérarchique');
    expect(await m.locator('.okey-panel').textContent()).toMatch(
      /Jean Hoarau.*En son absence, Sophie Grondin/,
    );
    expect(await m.getByRole('link', { name: 'justificatif.pdf' }).count()).toBe(1);
    expect(await checkPage(m, 'software-05-en-attente-de-validation')).toEqual([]);

    // Jean is away: Sophie, the N+2, follows the link of the validator's email.
    await expect.poll(async () => (await portal.okey.outbox(id)).length).toBe(1);
    const [mail] = await portal.okey.outbox(id);
    expect(mail?.to).toBe('jean.hoarau@academie.example');
    const link = /\/validations\/[0-9a-f-]{36}/.exec(mail?.text ?? '')?.[0] as string;
    expect(link).toBe(`/validations/${id}`);
    const sophie = await portal.browser.newContext({
      baseURL: portal.okey.baseUrl,
      locale: 'fr-FR',
    });
    const s = await sophie.newPage();
    await s.goto(link);
    expect(new URL(s.url()).pathname).toBe('/connexion');
    expect(await checkPage(s, 'software-06-connexion')).toEqual([]);
    await s.getByRole('button', { name: 'Sophie Grondin', exact: true }).click();
    expect(new URL(s.url()).pathname).toBe(link);
    await s.getByText('Vous êtes N+2 de Marie Payet').waitFor();
    const document = await s.getByRole('link', { name: 'justificatif.pdf' }).getAttribute('href');
    const download = await sophie.request.get(document as string);
    expect(download.status()).toBe(200);
    expect(download.headers()['content-type']).toBe('application/pdf');
    expect(Buffer.from(await download.body()).equals(readFileSync(pdfPath))).toBe(true);
    expect(await checkPage(s, 'software-07-decision-n2')).toEqual([]);
    await s.getByLabel('Commentaire (facultatif)').fill('Vu, en l’absence du principal');
    await s.getByRole('button', { name: 'Valider la demande' }).click();
    expect(new URL(s.url()).pathname).toBe('/validations');
    await s.getByText('La demande est validée.').waitFor();
    expect(await checkPage(s, 'software-08-validations-vide')).toEqual([]);

    // Marie chooses iOS and reads what to install and where to write.
    await reloadUntil(m, 'Choisissez le type de votre mobile');
    expect(await m.locator('.okey-summary').textContent()).toMatch(
      /Validée par Sophie Grondin \(N\+2\) le /,
    );
    expect(await checkPage(m, 'software-09-choix-du-mobile')).toEqual([]);
    await m.locator('label[for=os-ios]').click();
    await m.getByRole('button', { name: 'Valider mon choix' }).click();
    const install = m.locator('.okey-panel');
    await install
      .getByText('Installez l’application, puis envoyez le courriel d’activation')
      .waitFor();
    expect(await install.textContent()).toContain('l’App Store');
    expect(await install.textContent()).toContain(
      'depuis votre adresse académique marie.payet@academie.example',
    );
    expect(await install.textContent()).toContain(
      `Indiquez la référence ${reference} dans l’objet`,
    );
    const mailto = new URL(
      (await m
        .getByRole('link', { name: 'Écrire à okey@academie.example' })
        .getAttribute('href')) as string,
    );
    expect(`${mailto.protocol}${mailto.pathname}`).toBe('mailto:okey@academie.example');
    const subject = mailto.searchParams.get('subject') as string;
    expect(subject).toContain(reference);
    expect(subject).not.toContain('000508901031');
    expect(await checkPage(m, 'software-10-installation-ios')).toEqual([]);

    // Her enrollment email reaches the OKEY mailbox through Resend's signed webhook.
    const body = emailReceived({
      from: 'Marie Payet <marie.payet@academie.example>',
      to: 'okey@academie.example',
      subject,
    });
    const hook = await fetch(`${portal.okey.baseUrl}/webhooks/resend`, {
      method: 'POST',
      headers: svixHeaders(testWebhookSecret, body),
      body,
    });
    expect(await hook.json()).toMatchObject({ status: 'matched', renewalId: id });

    // The charter: a wrong code, then a forgotten box, each told next to its field.
    await reloadUntil(m, 'Signez la charte d’utilisation');
    expect(await checkPage(m, 'software-11-charte')).toEqual([]);
    const code = ((await m.locator('.okey-charter__code').textContent()) ?? '').trim();
    expect(code).toMatch(/^\d{6}$/);
    await m.getByLabel('Code de signature').fill(code === '000000' ? '111111' : '000000');
    // The design system draws its own boxes: people click the label, so does the test.
    await m.locator('label[for=acknowledged]').click();
    await m.getByRole('button', { name: 'Signer la charte' }).click();
    expect(await m.locator('#code-error').textContent()).toBe(
      'Le code saisi ne correspond pas à celui imprimé en bas de la charte (encore 4 essais).',
    );
    expect(await m.getByLabel('J’ai pris connaissance de la charte').isChecked()).toBe(true);
    expect(await checkPage(m, 'software-12-charte-code-faux')).toEqual([]);
    await m.getByLabel('Code de signature').fill(code);
    await m.locator('label[for=acknowledged]').click();
    await m.getByRole('button', { name: 'Signer la charte' }).click();
    expect(await m.locator('#acknowledged-error').textContent()).toBe(
      'Cochez la case « J’ai pris connaissance de la charte ».',
    );
    await m.locator('label[for=acknowledged]').click();
    await m.getByRole('button', { name: 'Signer la charte' }).click();
    await m
      .getByText('Vous n’avez plus qu’à attendre que la DSI finalise les opérations')
      .waitFor();
    // okey never asks for a PIN: the page must not say she gave one.
    const waiting = (await m.locator('.okey-panel').textContent()) ?? '';
    expect(waiting).toContain(
      'Code PIN : rien à faire. Votre nouvelle clef gardera le code PIN de la précédente.',
    );
    expect(waiting).not.toContain('renseigné');
    expect(
      await m.getByRole('listitem').filter({ hasText: 'Signature de la charte' }).textContent(),
    ).toMatch(/Terminée le /);
    expect(await checkPage(m, 'software-13-attente-attribution')).toEqual([]);

    // Nadia, DSI operator: the queue by step, the workflow link, then the new serial.
    const nadia = await signIn(portal.browser, portal.okey.baseUrl, 'Nadia Técher', {
      path: '/dsi',
    });
    const n = nadia.page;
    await n.getByRole('heading', { name: 'Clefs à attribuer (1)' }).waitFor();
    const queue = n.getByRole('table', { name: 'Demandes en attente d’attribution' });
    const row = queue.getByRole('row', { name: /Marie Payet/ });
    expect(await row.textContent()).toMatch(
      /000508901031 \(logicielle\)(moins d’une minute|\d+ min)/,
    );
    expect(await row.getByRole('link', { name: 'Suivi Temporal' }).getAttribute('href')).toBe(
      `${temporalUi}/namespaces/default/workflows/renewal-000508901031/${view.workflow.runId}`,
    );
    await n.getByRole('heading', { name: 'Courriels d’installation non rattachés' }).waitFor();
    expect(await checkPage(n, 'software-14-file-dsi')).toEqual([]);
    await row.getByRole('link', { name: 'Ouvrir la demande de Marie Payet' }).click();
    await n.getByLabel('Numéro de la nouvelle clef').fill('123');
    await n.getByRole('button', { name: 'Attribuer la clef' }).click();
    expect(await n.locator('#newKeySerial-error').textContent()).toBe(
      'Saisissez le numéro de la nouvelle clef : 12 chiffres.',
    );
    expect(await checkPage(n, 'software-15-attribution-erreur')).toEqual([]);
    // A well-formed serial already in use is refused for that reason, not for its format.
    await n.getByLabel('Numéro de la nouvelle clef').fill('000508901032');
    await n.getByRole('button', { name: 'Attribuer la clef' }).click();
    expect(await n.locator('#newKeySerial-error').textContent()).toBe(
      'Ce numéro de clef est déjà attribué.',
    );
    await n.getByLabel('Numéro de la nouvelle clef').fill('000508907777');
    await n.getByRole('button', { name: 'Attribuer la clef' }).click();
    await n.getByText('La nouvelle clef est attribuée.').waitFor();
    expect(await n.locator('.fr-badge').first().textContent()).toBe('Terminée');

    // Marie's request is complete and her keys show the new one.
    await m.reload();
    await m.getByText('Votre nouvelle clef est prête').waitFor();
    expect(await m.locator('.fr-alert--success').textContent()).toContain('000508907777');
    expect(await m.getByText('La nouvelle clef est attribuée.').count()).toBe(0);
    const states = await m.locator('.okey-steps .okey-step__when').allTextContents();
    expect(states).toHaveLength(8);
    expect(states.every((t) => t.startsWith('Terminée'))).toBe(true);
    expect(await checkPage(m, 'software-16-terminee')).toEqual([]);
    await m.goto('/clefs');
    const keys = m.getByRole('list', { name: 'Mes clefs de sécurité' });
    const newKey = keys.getByRole('listitem').filter({ hasText: '000508907777' });
    expect(await newKey.textContent()).toMatch(/Expire le .*Active.*Renouveler ma clef/);
    const oldKey = keys.getByRole('listitem').filter({ hasText: '000508901031' });
    expect(await oldKey.textContent()).toContain('Remplacée');
    expect(await oldKey.getByRole('link').count()).toBe(0);
    const requests = m.getByRole('table', { name: 'Mes demandes de renouvellement' });
    expect(await requests.getByRole('row', { name: /000508901031/ }).textContent()).toContain(
      'Terminée',
    );
    expect(await checkPage(m, 'software-17-mes-clefs-apres')).toEqual([]);
  }, 240_000);
});
