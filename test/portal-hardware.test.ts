import { describe, expect, it } from 'vitest';
import { checkPage, reloadUntil, signIn, usePortal } from './support/browser.js';
import { files } from './support/documents.js';

const pdf = files.pdf;

const portal = usePortal();

describe('a hardware key, with JavaScript turned off in the browser', () => {
  it('goes from Luc Fontaine’s request to the handover of his new key', async () => {
    const luc = await signIn(portal.browser, portal.okey.baseUrl, 'Luc Fontaine', {
      path: '/clefs',
      javaScriptEnabled: false,
    });
    const l = luc.page;
    const key = l.getByRole('listitem').filter({ hasText: 'Clef matérielle 000508901032' });
    expect(await key.textContent()).toContain('31 janvier 2027');
    await key.getByRole('link', { name: 'Renouveler ma clef 000508901032' }).click();
    expect(await l.getByRole('radio', { name: /Matérielle/ }).isChecked()).toBe(true);
    await l.getByText('votre demande sera validée automatiquement').waitFor();
    expect(await checkPage(l, 'hardware-01-renouveler-directeur')).toEqual([]);
    await l.getByLabel('Motif de votre demande').selectOption({ label: 'Télétravail' });
    await l.getByLabel(/^Justificatifs/).setInputFiles({
      name: 'ordre de mission.pdf',
      mimeType: 'application/pdf',
      buffer: pdf,
    });
    await l.getByRole('button', { name: 'Envoyer ma demande' }).click();
    const id = new URL(l.url()).pathname.split('/')[2] as string;
    expect(id).toMatch(/^[0-9a-f-]{36}$/);

    // A permanent primary-school director is approved without anyone deciding.
    await reloadUntil(l, 'Signez la charte d’utilisation');
    expect(await l.locator('.okey-summary').textContent()).toContain(
      'Validée automatiquement (directeur ou directrice d’école sur un poste définitif)',
    );
    expect(await l.getByRole('link', { name: 'ordre de mission.pdf' }).count()).toBe(1);
    const code = ((await l.locator('.okey-charter__code').textContent()) ?? '').trim();
    await l.getByLabel('Code de signature').fill(code);
    await l.locator('label[for=acknowledged]').click();
    await l.getByRole('button', { name: 'Signer la charte' }).click();
    await l.getByText('afin que vous preniez rendez-vous pour récupérer votre clef').waitFor();

    const nadia = await signIn(portal.browser, portal.okey.baseUrl, 'Nadia Técher', {
      path: `/dsi/demandes/${id}`,
    });
    const n = nadia.page;
    await n.getByLabel('Numéro de la nouvelle clef').fill('000508908888');
    await n.getByRole('button', { name: 'Attribuer la clef' }).click();
    await n.getByText('La nouvelle clef est attribuée.').waitFor();

    // Luc books a pickup slot; the first one offered is tomorrow or later.
    await reloadUntil(l, 'Prenez rendez-vous pour retirer votre clef');
    expect(await checkPage(l, 'hardware-02-prise-de-rendez-vous')).toEqual([]);
    const firstSlot = l.locator('input[name=slotId]').first();
    const slotLabel = await l
      .locator(`label[for="${await firstSlot.getAttribute('id')}"]`)
      .textContent();
    await l.getByRole('button', { name: 'Réserver ce créneau' }).click();
    expect(await l.locator('#slotId-error').textContent()).toBe('Choisissez un créneau.');
    await l.locator(`label[for="${await firstSlot.getAttribute('id')}"]`).click();
    await l.getByRole('button', { name: 'Réserver ce créneau' }).click();
    await l.getByText('Votre clef vous attend').waitFor();
    const when = (slotLabel ?? '').replace(/Rectorat.*$/, '').trim();
    expect(await l.locator('.okey-panel').textContent()).toContain(`Rendez-vous le ${when}`);
    expect(await checkPage(l, 'hardware-03-rendez-vous-pris')).toEqual([]);

    // The DSI sees the appointment and records the handover.
    await n.goto('/dsi');
    await n.getByRole('heading', { name: 'Rendez-vous à venir' }).waitFor();
    const appointment = n.getByRole('row', { name: /Luc Fontaine/ });
    expect(await appointment.textContent()).toContain('000508908888');
    expect(await checkPage(n, 'hardware-04-file-dsi-rendez-vous')).toEqual([]);
    await appointment
      .getByRole('link', { name: 'Enregistrer la remise de la clef de Luc Fontaine' })
      .click();
    expect(await checkPage(n, 'hardware-05-remise')).toEqual([]);
    await n.getByRole('button', { name: 'Enregistrer la remise de la clef' }).click();
    await n.getByText('La remise de la clef est enregistrée.').waitFor();
    await n.getByText('Clef remise (Nadia Técher)').waitFor();

    await l.reload();
    await l.getByText('Votre nouvelle clef est prête').waitFor();
    const steps = await l.locator('.okey-steps .okey-step__when').allTextContents();
    expect(steps.every((t) => t.startsWith('Terminée'))).toBe(true);
    expect(await checkPage(l, 'hardware-06-terminee')).toEqual([]);
  }, 240_000);
});

describe('the design system’s files', () => {
  it('come from okey itself, typed and cached for a year', async () => {
    const page = await (await fetch(`${portal.okey.baseUrl}/connexion`)).text();
    const urls = [...page.matchAll(/(?:href|src)="([^"]+)"/g)].map((m) => m[1] as string);
    const assets = urls.filter((u) => /\.(css|js|svg|ico|png)$/.test(u));
    expect(assets.length).toBeGreaterThanOrEqual(5);
    expect(assets.every((u) => u.startsWith('/'))).toBe(true);
    const expected: Record<string, string> = {
      css: 'text/css',
      js: 'text/javascript',
      svg: 'image/svg+xml',
    };
    for (const url of assets.filter((u) => /\.(css|js|svg)$/.test(u))) {
      const res = await fetch(`${portal.okey.baseUrl}${url}`);
      expect(res.status, url).toBe(200);
      const type = res.headers.get('content-type')?.split(';')[0];
      expect(type, url).toBe(expected[url.split('.').at(-1) as string]);
      expect(res.headers.get('cache-control'), url).toBe('public, max-age=31536000, immutable');
    }
    const css = await (
      await fetch(`${portal.okey.baseUrl}${assets.find((u) => u.endsWith('dsfr.min.css'))}`)
    ).text();
    const font = /url\((fonts\/Marianne-Regular\.woff2)\)/.exec(css)?.[1];
    expect(font).toBeDefined();
    const dsfrBase = (assets.find((u) => u.endsWith('dsfr.min.css')) as string).replace(
      /dsfr\.min\.css$/,
      '',
    );
    const fontRes = await fetch(`${portal.okey.baseUrl}${dsfrBase}${font}`);
    expect(fontRes.headers.get('content-type')).toBe('font/woff2');
    expect((await fontRes.arrayBuffer()).byteLength).toBeGreaterThan(10_000);
    expect((await fetch(`${portal.okey.baseUrl}${dsfrBase}../package.json`)).status).toBe(404);
  });
});
