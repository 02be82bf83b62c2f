import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Okey, startOkey } from './support/okey.js';

let okey: Okey;
let marie: Awaited<ReturnType<Okey['login']>>;
beforeAll(async () => {
  okey = await startOkey({ config: { UPLOAD_MAX_FILE_MB: '1', UPLOAD_MAX_FILES: '2' } });
  marie = await okey.login('mpayet');
});
afterAll(async () => {
  await okey?.stop();
});

const create = { keySerial: '000508901031', keyType: 'software', reason: 'autres' };

async function raw(path: string, init: RequestInit & { token?: string }) {
  const headers = new Headers(init.headers);
  if (init.token) headers.set('authorization', `Bearer ${init.token}`);
  const res = await fetch(`${okey.baseUrl}${path}`, { ...init, headers });
  return {
    status: res.status,
    body: (await res.json()) as { error: { code: string; message: string; fields?: object } },
  };
}

describe('a wrong call gets a JSON error that names the problem', () => {
  it('401 without a token, or with a forged one', async () => {
    const none = await raw('/api/renewals', { method: 'GET' });
    expect(none).toMatchObject({ status: 401, body: { error: { code: 'unauthorized' } } });
    const forged = await raw('/api/renewals', {
      method: 'GET',
      token: `${marie.token.slice(0, -2)}xx`,
    });
    expect(forged.status).toBe(401);
  });

  it('400 for a body that is not JSON, 415 for a body that is not declared as JSON', async () => {
    const malformed = await raw('/api/renewals', {
      method: 'POST',
      token: marie.token,
      headers: { 'content-type': 'application/json' },
      body: '{"keySerial":',
    });
    expect(malformed).toMatchObject({ status: 400, body: { error: { code: 'malformed_json' } } });
    const text = await raw('/api/renewals', {
      method: 'POST',
      token: marie.token,
      headers: { 'content-type': 'text/plain' },
      body: JSON.stringify(create),
    });
    expect(text).toMatchObject({
      status: 415,
      body: { error: { code: 'unsupported_media_type' } },
    });
  });

  it('422 naming each invalid field', async () => {
    const res = await marie.post('/api/renewals', {
      keySerial: '123',
      keyType: 'usb',
      reason: 'autres',
    });
    expect(res.status).toBe(422);
    expect(Object.keys(res.body.error.fields).sort()).toEqual(['keySerial', 'keyType']);
    expect(res.body.error.message).toContain('keySerial');
    // zod's own messages are in French too, and a body that is not an object is named as such.
    const wrongType = await marie.post('/api/renewals', { ...create, keySerial: 508901031 });
    expect(wrongType.body.error.fields.keySerial).toMatch(/attendu/);
    const list = await marie.post('/api/renewals', [create]);
    expect(list.status).toBe(422);
    expect(list.body.error.fields).toHaveProperty('body');
    const validator = await marie.post('/api/renewals', { ...create, validatorUid: 'ntecher' });
    expect(validator).toMatchObject({
      status: 422,
      body: { error: { code: 'invalid_validator' } },
    });
  });

  it('404 for a key or a request that is not the caller’s', async () => {
    const luc = await marie.post('/api/renewals', { ...create, keySerial: '000508901032' });
    expect(luc).toMatchObject({ status: 404, body: { error: { code: 'not_found' } } });
    expect((await marie.get('/api/renewals/00000000-0000-4000-8000-000000000000')).status).toBe(
      404,
    );
    expect((await marie.get('/api/renewals/not-a-uuid')).status).toBe(404);
    expect((await marie.get('/api/nothing-here')).status).toBe(404);
  });

  it('403 for an agent on an operator route', async () => {
    const res = await marie.get('/api/ops/renewals');
    expect(res).toMatchObject({ status: 403, body: { error: { code: 'forbidden' } } });
  });

  it('409 for a step that is not open, 413 and 415 for refused documents, nothing half-written', async () => {
    const created = await marie.post('/api/renewals', create);
    expect(created.status).toBe(201);
    const id = created.body.id as string;
    // Asking twice for the same key returns the open request, and starts nothing new.
    const again = await marie.post('/api/renewals', create);
    expect(again).toMatchObject({ status: 200, body: { id } });

    const os = await marie.post(`/api/renewals/${id}/mobile-os`, { os: 'ios' });
    expect(os).toMatchObject({ status: 409, body: { error: { code: 'invalid_state' } } });
    const charter = await marie.get(`/api/renewals/${id}/charter`);
    expect(charter.status).toBe(409);

    const big = new FormData();
    big.append('files', new File([new Uint8Array(1_200_000).fill(0x25)], 'scan.pdf'));
    expect((await marie.post(`/api/renewals/${id}/attachments`, big)).status).toBe(413);
    const disguised = new FormData();
    disguised.append(
      'files',
      new File(['juste du texte'], 'attestation.pdf', { type: 'application/pdf' }),
    );
    const refused = await marie.post(`/api/renewals/${id}/attachments`, disguised);
    expect(refused).toMatchObject({
      status: 415,
      body: { error: { code: 'unsupported_file_type' } },
    });
    expect(refused.body.error.message).toContain('attestation.pdf');
    const view = await marie.get(`/api/renewals/${id}`);
    expect(view.body).toMatchObject({ status: 'awaiting_attachments', attachments: [] });
  });
});
