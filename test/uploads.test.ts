import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { parse as parseDisposition } from 'content-disposition';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../api/app.js';
import { loadConfig } from '../lib/config.js';
import { createLogger } from '../lib/log.js';
import { bigPhoto, files, form, giveKey, variantPdf } from './support/documents.js';
import { type Okey, startOkey } from './support/okey.js';

let okey: Okey;
let marie: Awaited<ReturnType<Okey['login']>>;
let renewalId: string;

beforeAll(async () => {
  okey = await startOkey();
  marie = await okey.login('mpayet');
  const created = await marie.post('/api/renewals', {
    keySerial: '000508901031',
    keyType: 'software',
    reason: 'teletravail',
  });
  renewalId = created.body.id;
  await okey.waitForStatus(marie.token, renewalId, 'awaiting_attachments');
});
afterAll(async () => {
  await okey?.stop();
});

const upload = (id: string, body: FormData, who = marie) =>
  who.post(`/api/renewals/${id}/attachments`, body);
const attachmentsOf = async (id: string) =>
  (await marie.get(`/api/renewals/${id}`)).body.attachments as {
    id: string;
    filename: string;
    contentType: string;
    size: number;
    sha256: string;
    url: string;
  }[];

async function download(url: string, token = marie.token) {
  const res = await fetch(`${okey.baseUrl}${url}`, {
    headers: { authorization: `Bearer ${token}` },
  });
  return { res, bytes: Buffer.from(await res.arrayBuffer()) };
}

describe('uploading supporting documents', () => {
  it('refuses each bad file with its status and a French message, storing nothing', async () => {
    const cases: [string, FormData, number, string, RegExp][] = [
      [
        'an empty file',
        form([['vide.pdf', files.empty]]),
        422,
        'empty_file',
        /« vide.pdf » est vide/,
      ],
      [
        'a text file renamed .pdf',
        form([['attestation.pdf', files.textAsPdf]]),
        415,
        'unsupported_file_type',
        /« attestation.pdf » n’est pas un document accepté \(PDF, JPEG, PNG ou HEIC\)/,
      ],
      [
        'a 25 MB photo',
        form([['IMG_0001.jpg', bigPhoto(25_000_000)]]),
        413,
        'file_too_large',
        /« IMG_0001.jpg » dépasse 10 Mo/,
      ],
      [
        'six files at once',
        form(Array.from({ length: 6 }, (_, i) => [`p${i}.pdf`, variantPdf(`n${i}`)])),
        422,
        'too_many_files',
        /5 au maximum/,
      ],
      ['no file', form([]), 422, 'no_files', /Aucun fichier reçu/],
      [
        'a good PDF next to an empty file',
        form([
          ['bon.pdf', files.pdf],
          ['vide.pdf', files.empty],
        ]),
        422,
        'empty_file',
        /vide/,
      ],
    ];
    for (const [what, body, status, code, message] of cases) {
      const res = await upload(renewalId, body);
      expect({ what, status: res.status, code: res.body.error?.code }).toEqual({
        what,
        status,
        code,
      });
      expect(res.body.error.message).toMatch(message);
    }
    expect(await attachmentsOf(renewalId)).toEqual([]);
    expect((await marie.get(`/api/renewals/${renewalId}`)).body.status).toBe(
      'awaiting_attachments',
    );
  });

  it('recognises a real PDF, phone JPEG, iPhone HEIC and PNG by content and gives them back', async () => {
    // Names that lie about the type: the content decides.
    const res = await upload(
      renewalId,
      form([
        ['justificatif.pdf', files.pdf],
        ['IMG_2041.JPG', files.jpeg],
        ['IMG_2042.heic', files.heic],
        ['scan sans extension', files.png],
      ]),
    );
    expect(res.status).toBe(201);
    const stored = await attachmentsOf(renewalId);
    expect(stored.map((a) => [a.filename, a.contentType, a.size])).toEqual([
      ['justificatif.pdf', 'application/pdf', files.pdf.length],
      ['IMG_2041.JPG', 'image/jpeg', files.jpeg.length],
      ['IMG_2042.heic', 'image/heic', files.heic.length],
      ['scan sans extension', 'image/png', files.png.length],
    ]);
    await okey.waitForStatus(marie.token, renewalId, 'awaiting_approval');

    const originals = [files.pdf, files.jpeg, files.heic, files.png];
    for (const [i, a] of stored.entries()) {
      const { res: got, bytes } = await download(a.url);
      expect(got.status).toBe(200);
      expect(bytes.equals(originals[i] as Buffer)).toBe(true);
      expect(got.headers.get('content-type')).toBe(a.contentType);
      expect(got.headers.get('x-content-type-options')).toBe('nosniff');
      expect(got.headers.get('content-disposition')).toMatch(/^attachment;/);
    }
    // The JPEG comes back with its EXIF untouched (the camera's make is still in it).
    const jpeg = await download(stored[1]?.url as string);
    expect(jpeg.bytes.includes(Buffer.from('Apple'))).toBe(true);
  });

  it('stores the same file once, whatever its name', async () => {
    const before = await attachmentsOf(renewalId);
    const again = await upload(renewalId, form([['copie du justificatif.pdf', files.pdf]]));
    expect(again.status).toBe(201);
    expect(await attachmentsOf(renewalId)).toEqual(before);
  });

  it('keeps names with accents, quotes and path characters and serves them back safely', async () => {
    const name = 'l’attestation "signée" d\'été ../../etc/passwd\\copie 2023.pdf';
    const res = await upload(
      renewalId,
      form([
        [name, variantPdf('names')],
        ['facture\u202Efdp.pdf\r\nX-Injected: 1', variantPdf('rtlo')],
      ]),
    );
    expect(res.status).toBe(201);
    const stored = await attachmentsOf(renewalId);
    const kept = stored.find((a) => a.filename === name);
    expect(kept).toBeDefined();
    // Control characters and the right-to-left override are dropped, the rest is kept.
    expect(stored.map((a) => a.filename)).toContain('facturefdp.pdfX-Injected: 1');

    const { res: got } = await download(kept?.url as string);
    const header = got.headers.get('content-disposition') as string;
    expect(header).toMatch(/^[\x20-\x7e]+$/);
    expect(header).toContain("filename*=UTF-8''");
    expect(got.headers.get('x-injected')).toBeNull();
    const served = parseDisposition(header).parameters.filename;
    expect(served).toBe('l’attestation "signée" d\'été .._.._etc_passwd_copie 2023.pdf');
  });

  it('lets the agent, the N+1, the N+2 and operators read documents, and nobody else', async () => {
    const [doc] = await attachmentsOf(renewalId);
    const cases: [string, number][] = [
      ['mpayet', 200],
      ['jhoarau', 200],
      ['sgrondin', 200],
      ['ntecher', 200],
      ['lfontaine', 404],
    ];
    for (const [uid, status] of cases) {
      const who = await okey.login(uid);
      const { res } = await download(doc?.url as string, who.token);
      expect({ uid, status: res.status }).toEqual({ uid, status });
    }
    const other = await download(`/api/renewals/${renewalId}/attachments/${crypto.randomUUID()}`);
    expect(other.res.status).toBe(404);
    const garbage = await download(`/api/renewals/${renewalId}/attachments/..%2F..%2Fetc`);
    expect(garbage.res.status).toBe(404);
    const jean = await okey.login('jhoarau');
    const byApprover = await upload(renewalId, form([['x.pdf', variantPdf('jean')]]), jean);
    expect(byApprover.status).toBe(403);
  });

  it.each([
    ['cancelled', 'cancel'],
    ['rejected', 'reject'],
  ])('refuses documents added to a %s request with 409', async (status, action) => {
    const keySerial = await giveKey(okey.db, 'mpayet');
    const created = await marie.post(
      '/api/renewals',
      form([['justificatif.pdf', files.pdf]], { keySerial, keyType: 'software', reason: 'autres' }),
    );
    const id = created.body.id as string;
    await okey.waitForStatus(marie.token, id, 'awaiting_approval');
    if (action === 'cancel') await marie.post(`/api/renewals/${id}/cancel`);
    else await (await okey.login('jhoarau')).post(`/api/renewals/${id}/reject`, { reason: 'Non' });
    await okey.waitForStatus(marie.token, id, status);

    const late = await upload(id, form([['complément.pdf', variantPdf(status)]]));
    expect(late.status).toBe(409);
    expect(late.body.error.message).toBe(
      'Cette demande est close : impossible d’ajouter des documents.',
    );
    expect((await attachmentsOf(id)).map((a) => a.filename)).toEqual(['justificatif.pdf']);
  });
});

describe('the body size limit', () => {
  let small: { url: string; close: () => Promise<void> };
  beforeAll(async () => {
    // The same database and Temporal, with limits small enough to exceed cheaply: 2 × 1 MB.
    const config = loadConfig({
      ...Object.fromEntries(Object.entries(okey.config).map(([k, v]) => [k, String(v)])),
      UPLOAD_MAX_FILES: '2',
      UPLOAD_MAX_FILE_MB: '1',
    });
    const app = createApp({
      db: okey.db,
      temporal: okey.env.client,
      config,
      log: createLogger({ level: 'error' }),
    });
    const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' });
    await new Promise((resolve) => server.once('listening', resolve));
    small = {
      url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
      close: () => new Promise((resolve) => server.close(() => resolve())),
    };
  });
  afterAll(() => small?.close());

  it('answers an oversized body with 413 and a French JSON error, declared or streamed', async () => {
    const body = form([['IMG_0002.jpg', bigPhoto(5_000_000)]]);
    const path = `/api/renewals/${renewalId}/attachments`;
    const declared = await fetch(`${small.url}${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${marie.token}` },
      body,
    });
    expect(declared.status).toBe(413);
    expect(await declared.json()).toEqual({
      error: { code: 'too_large', message: 'La requête est trop volumineuse.' },
    });

    const encoded = new Response(body);
    const streamed = await fetch(`${small.url}${path}`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${marie.token}`,
        'content-type': encoded.headers.get('content-type') as string,
      },
      body: encoded.body,
      duplex: 'half',
    } as RequestInit);
    expect(streamed.status).toBe(413);
    expect(await streamed.json()).toMatchObject({ error: { code: 'too_large' } });
  });
});
