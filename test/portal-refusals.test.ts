import { describe, expect, it } from 'vitest';
import { checkPage, reloadUntil, signIn, usePortal } from './support/browser.js';
import { files } from './support/documents.js';
import { addAgent, pdfForm } from './support/renewals.js';

const pdf = files.pdf;

const portal = usePortal();

async function marieRequests() {
  return (await (await portal.okey.login('mpayet')).get('/api/renewals')).body.renewals as {
    id: string;
    status: string;
  }[];
}

describe('refused uploads', () => {
  it('say why and what is accepted, next to the field, and create nothing', async () => {
    const { page } = await signIn(portal.browser, portal.okey.baseUrl, 'Marie Payet', {
      path: '/renouveler?clef=000508901031',
    });
    await page.getByLabel('Motif de votre demande').selectOption({ label: 'Applications' });
    await page.getByLabel(/^Justificatifs/).setInputFiles({
      name: 'attestation.pdf',
      mimeType: 'application/pdf',
      buffer: Buffer.from('Ceci est un texte renommé en .pdf, pas un document.'),
    });
    const response = page.waitForResponse((r) => r.request().method() === 'POST');
    await page.getByRole('button', { name: 'Envoyer ma demande' }).click();
    expect((await response).status()).toBe(415);
    expect(await page.locator('#files-error').textContent()).toBe(
      'Le fichier « attestation.pdf » n’est pas un document accepté (PDF, JPEG, PNG ou HEIC). ' +
        'Sélectionnez de nouveau vos fichiers.',
    );
    expect(await page.getByLabel(/^Justificatifs/).getAttribute('aria-describedby')).toBe(
      'files-messages',
    );
    expect(await page.getByRole('alert').textContent()).toContain(
      'Le formulaire contient une erreur',
    );
    expect(
      await page.getByLabel('Motif de votre demande').evaluate((s: { value: string }) => s.value),
    ).toBe('applications');
    expect(await page.title()).toBe('Erreur — Renouveler ma clef — OKEY');
    expect(await checkPage(page, 'refusals-01-fichier-refuse')).toEqual([]);
    expect(await marieRequests()).toEqual([]);

    // Later, on the request page: an empty file is refused the same way.
    await page.getByLabel(/^Justificatifs/).setInputFiles([]);
    await page.getByRole('button', { name: 'Envoyer ma demande' }).click();
    await page.getByRole('heading', { name: 'Ajoutez vos justificatifs' }).waitFor();
    await page.getByLabel(/^Justificatifs/).setInputFiles({
      name: 'vide.pdf',
      mimeType: 'application/pdf',
      buffer: Buffer.alloc(0),
    });
    await page.getByRole('button', { name: 'Envoyer les justificatifs' }).click();
    expect(await page.locator('#files-error').textContent()).toBe(
      'Le fichier « vide.pdf » est vide.',
    );
    expect(await checkPage(page, 'refusals-02-fichier-vide')).toEqual([]);
    const [request] = await marieRequests();
    expect(request?.status).toBe('awaiting_attachments');
    await page.context().close();
  });
});

describe('a rejection', () => {
  it('needs a reason, which the agent then reads on her request', async () => {
    const marie = await signIn(portal.browser, portal.okey.baseUrl, 'Marie Payet', {
      path: '/clefs',
    });
    const m = marie.page;
    await m.getByRole('link', { name: 'Voir la demande en cours' }).click();
    const id = new URL(m.url()).pathname.split('/')[2] as string;
    await m.getByLabel(/^Justificatifs/).setInputFiles({
      name: 'justificatif.pdf',
      mimeType: 'application/pdf',
      buffer: pdf,
    });
    await m.getByRole('button', { name: 'Envoyer les justificatifs' }).click();
    await expect
      .poll(async () => (await portal.okey.outbox(id)).map((e) => e.to))
      .toEqual(['jean.hoarau@academie.example']);

    // Jean, the N+1, follows his email's link.
    const link = /\/validations\/[0-9a-f-]{36}/.exec(
      (await portal.okey.outbox(id))[0]?.text ?? '',
    )?.[0];
    const jean = await signIn(portal.browser, portal.okey.baseUrl, 'Jean Hoarau', { path: link });
    const j = jean.page;
    expect(new URL(j.url()).pathname).toBe(`/validations/${id}`);
    await j
      .getByText('Vous êtes N+1 de Marie Payet. En votre absence, Sophie Grondin (N+2)')
      .waitFor();
    await j.getByRole('button', { name: 'Refuser la demande' }).click();
    expect(await j.locator('#reason-error').textContent()).toBe(
      'Indiquez le motif du refus : l’agent le recevra par courriel.',
    );
    expect(await checkPage(j, 'refusals-03-refus-sans-motif')).toEqual([]);
    await j.getByLabel('Motif du refus').fill('Pas de télétravail prévu cette année');
    await j.getByRole('button', { name: 'Refuser la demande' }).click();
    await j.getByText('La demande est refusée.').waitFor();
    await j.getByText('Aucune demande n’attend votre décision.').waitFor();

    await reloadUntil(m, 'Votre demande a été refusée');
    expect(await m.locator('.fr-alert--error').textContent()).toMatch(
      /Refusée par Jean Hoarau le .* à \d{2}:\d{2}\. Motif : Pas de télétravail prévu cette année/,
    );
    expect(await m.getByRole('link', { name: 'Annuler ma demande' }).count()).toBe(0);
    expect(await checkPage(m, 'refusals-04-demande-refusee')).toEqual([]);
    await marie.context.close();
    await jean.context.close();
  });
});

describe('the validator and withdrawal', () => {
  it('lets the agent send her request to her N+2, then withdraw it after confirming', async () => {
    const { page, context } = await signIn(portal.browser, portal.okey.baseUrl, 'Marie Payet', {
      path: '/renouveler?clef=000508901031',
    });
    await page.getByLabel('Motif de votre demande').selectOption({ label: 'Télétravail' });
    await page.locator('label[for=validatorUid-sgrondin]').click();
    await page.getByLabel(/^Justificatifs/).setInputFiles({
      name: 'convention de télétravail.pdf',
      mimeType: 'application/pdf',
      buffer: pdf,
    });
    await page.getByRole('button', { name: 'Envoyer ma demande' }).click();
    const id = new URL(page.url()).pathname.split('/')[2] as string;
    expect(await page.locator('.okey-summary').textContent()).toContain(
      'À valider par Sophie Grondin',
    );
    await expect
      .poll(async () => (await portal.okey.outbox(id)).map((e) => e.to))
      .toEqual(['sophie.grondin@academie.example']);
    // Sophie has no key of her own: signing in, she lands where her decision waits.
    const sophie = await signIn(portal.browser, portal.okey.baseUrl, 'Sophie Grondin');
    expect(new URL(sophie.page.url()).pathname).toBe('/validations');
    await sophie.page.getByRole('row', { name: /Marie Payet/ }).waitFor();
    await sophie.context.close();
    const download = await context.request.get(
      (await page
        .getByRole('link', { name: 'convention de télétravail.pdf' })
        .getAttribute('href')) as string,
    );
    expect(download.headers()['content-disposition']).toContain(
      "filename*=UTF-8''convention%20de%20t%C3%A9l%C3%A9travail.pdf",
    );

    await page.getByRole('link', { name: 'Annuler ma demande' }).click();
    expect(await checkPage(page, 'refusals-05-confirmer-annulation')).toEqual([]);
    await page.getByRole('link', { name: 'Non, revenir à ma demande' }).click();
    expect(new URL(page.url()).pathname).toBe(`/demandes/${id}`);
    await page.getByRole('link', { name: 'Annuler ma demande' }).click();
    await page.getByRole('button', { name: 'Oui, annuler ma demande' }).click();
    await page.getByText('Votre demande est annulée.').waitFor();
    await page.getByRole('heading', { name: 'Demande annulée' }).waitFor();
    expect((await marieRequests()).find((r) => r.id === id)?.status).toBe('cancelled');
    await context.close();
  });
});

describe('the page after sign-in', () => {
  it.each([
    ['an agent with a key', 'Marie Payet', '/clefs'],
    ['an operator', 'Nadia Técher', '/dsi'],
    ['a manager without a key', 'Jean Hoarau', '/validations'],
  ])('is where the work is for %s', async (_who, name, landing) => {
    const { page, context } = await signIn(portal.browser, portal.okey.baseUrl, name);
    expect(new URL(page.url()).pathname).toBe(landing);
    await context.close();
  });

  it('is the page asked for when there was one, whoever signs in', async () => {
    const [request] = await marieRequests();
    const asked = `/demandes/${request?.id}`;
    const marie = await signIn(portal.browser, portal.okey.baseUrl, 'Marie Payet', { path: asked });
    expect(new URL(marie.page.url()).pathname).toBe(asked);
    const sophie = await signIn(portal.browser, portal.okey.baseUrl, 'Sophie Grondin', {
      path: '/clefs',
    });
    expect(new URL(sophie.page.url()).pathname).toBe('/clefs');
    await marie.context.close();
    await sophie.context.close();
  });
});

describe('sessions and forms', () => {
  it('send strangers to sign in, refuse forged forms, hide others’ requests', async () => {
    const [request] = await marieRequests();
    const id = request?.id as string;
    const anonymous = await fetch(`${portal.okey.baseUrl}/demandes/${id}`, { redirect: 'manual' });
    expect(anonymous.status).toBe(303);
    expect(anonymous.headers.get('location')).toBe(
      `/connexion?retour=${encodeURIComponent(`/demandes/${id}`)}`,
    );
    const away = await fetch(`${portal.okey.baseUrl}/connexion`, {
      method: 'POST',
      body: new URLSearchParams({ uid: 'mpayet', retour: 'https://ailleurs.example/' }),
      redirect: 'manual',
    });
    expect(away.headers.get('location')).toBe('/');
    const cookie = away.headers.get('set-cookie') ?? '';
    expect(cookie).toMatch(/^okey_session=[^;]+;.*HttpOnly/);
    expect(cookie).toContain('SameSite=Lax');

    const marie = await signIn(portal.browser, portal.okey.baseUrl, 'Marie Payet', {
      path: '/clefs',
    });
    const forged = await marie.context.request.post(`/demandes/${id}/annuler`, {
      form: { _csrf: 'pas-le-bon-jeton' },
      maxRedirects: 0,
    });
    expect(forged.status()).toBe(403);
    expect(forged.headers()['content-type']).toContain('text/html');
    expect(await forged.text()).toContain('Ce formulaire a expiré ou ne vient pas d’OKEY');

    const luc = await signIn(portal.browser, portal.okey.baseUrl, 'Luc Fontaine', {
      path: `/demandes/${id}`,
    });
    expect(await luc.page.getByRole('heading', { level: 1 }).textContent()).toBe(
      'Page introuvable',
    );
    expect(await luc.page.getByText('Demande introuvable.').count()).toBe(1);
    expect(await checkPage(luc.page, 'refusals-06-introuvable')).toEqual([]);
    await luc.page.goto('/clef');
    expect(await luc.page.getByRole('heading', { level: 1 }).textContent()).toBe(
      'Page introuvable',
    );
    const api = await luc.context.request.get('/api/nulle-part', {
      headers: { accept: 'text/html' },
    });
    expect(api.headers()['content-type']).toContain('application/json');
    const notOperator = await luc.context.request.get('/dsi');
    expect(notOperator.status()).toBe(403);
    expect(await notOperator.text()).toContain('réservée aux opérateurs de sécurité de la DSI');
    await marie.context.close();
    await luc.context.close();
  });
});

describe('the enrollment email outside production', () => {
  it('can be played from the request page, so the screens alone get a software key renewed', async () => {
    const marie = await portal.okey.login('mpayet');
    const form = new FormData();
    form.append('files', new File([pdf], 'justificatif.pdf', { type: 'application/pdf' }));
    form.append('keySerial', '000508901031');
    form.append('keyType', 'software');
    form.append('reason', 'autres');
    const created = await marie.post('/api/renewals', form);
    const id = created.body.id as string;
    await portal.okey.waitForStatus(marie.token, id, 'awaiting_approval');
    await (await portal.okey.login('jhoarau')).post(`/api/renewals/${id}/approve`, {
      comment: 'Accord, bon courage.',
    });
    await marie.post(`/api/renewals/${id}/mobile-os`, { os: 'ios' });

    const { page } = await signIn(portal.browser, portal.okey.baseUrl, 'Marie Payet', {
      path: `/demandes/${id}`,
    });
    await page
      .getByRole('button', { name: 'Simuler l’arrivée de mon courriel à la boîte OKEY' })
      .click();
    await page.getByText('Votre courriel d’activation est arrivé à la boîte OKEY.').waitFor();
    // The page after the click already shows the next step, without a reload.
    await page.getByText('Signez la charte d’utilisation').waitFor({ timeout: 2000 });
    expect(await page.locator('.okey-summary').textContent()).toContain('« Accord, bon courage. »');
    const inbound = await (await portal.okey.login('ntecher')).get(
      '/api/ops/inbound-emails?status=all',
    );
    expect(JSON.stringify(inbound.body)).toContain(id);
    await marie.post(`/api/renewals/${id}/cancel`);
  });
});

describe('an enrollment email that arrived too early', () => {
  it('is listed for the DSI, who attaches it to the request once it waits for it', async () => {
    const { okey } = portal;
    await addAgent(okey.db, { uid: 'aearly', keySerial: '000508906001', manager: 'jhoarau' });
    const agent = await okey.login('aearly');
    const id = (
      await agent.post(
        '/api/renewals',
        pdfForm({ keySerial: '000508906001', keyType: 'software', reason: 'autres' }),
      )
    ).body.id as string;
    await okey.waitForStatus(agent.token, id, 'awaiting_approval');
    // Sent before the request waits for it: nothing to match yet.
    const early = await okey.call(null, 'POST', '/dev/inbound-email', {
      from: 'aearly@academie.example',
      subject: 'Ma clef',
    });
    expect(early.body.status).toBe('unmatched');
    await (await okey.login('jhoarau')).post(`/api/renewals/${id}/approve`, {});
    await agent.post(`/api/renewals/${id}/mobile-os`, { os: 'android' });

    const { page } = await signIn(portal.browser, okey.baseUrl, 'Nadia Técher', { path: '/dsi' });
    const row = page.getByRole('row', { name: /aearly@academie\.example/ });
    expect(await row.textContent()).toContain('Ma clef');
    await row.getByRole('button', { name: 'Rattacher' }).click();
    await page.getByText('Le courriel est rattaché à la demande').waitFor();
    expect(await checkPage(page, 'refusals-07-courriel-rattache')).toEqual([]);
    await okey.waitForStatus(agent.token, id, 'awaiting_charter');
  });
});
