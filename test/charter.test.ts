import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { currentCharterVersion } from '../lib/charter.js';
import { type Okey, startOkey } from './support/okey.js';
import { historyOf, pdfForm } from './support/renewals.js';
import { startTimeSkippingServer } from './support/temporal.js';

let env: TestWorkflowEnvironment;
let okey: Okey;
beforeAll(async () => {
  env = await startTimeSkippingServer();
  // Above the per-minute rate limit of charter attempts: this test is about the workflow's count.
  okey = await startOkey({ env, config: { RATE_LIMIT_CHARTER_PER_MIN: '50' } });
});
afterAll(async () => {
  await okey?.stop();
  await env?.teardown();
});

/** A six-digit code other than `code`, different for each `n`. */
const wrong = (code: string, n: number) => {
  const guess = String(100000 + n);
  return guess === code ? String(200000 + n) : guess;
};

describe('the charter', () => {
  it('asks for a new code after 5 wrong ones, and records the version and code signed', async () => {
    const luc = await okey.login('lfontaine');
    const created = await luc.post(
      '/api/renewals',
      pdfForm({ keySerial: '000508901032', keyType: 'hardware', reason: 'autres' }),
    );
    const id = created.body.id as string;
    await okey.waitForStatus(luc.token, id, 'awaiting_charter');
    const first = (await luc.get(`/api/renewals/${id}/charter`)).body;
    expect(first).toMatchObject({ version: currentCharterVersion, signed: false });
    expect(first.code).toMatch(/^\d{6}$/);
    const sign = (code: string) =>
      luc.post(`/api/renewals/${id}/charter`, { code, acknowledged: true });

    // The same wrong code sent twice at once counts once.
    const doubled = await Promise.all([sign(wrong(first.code, 1)), sign(wrong(first.code, 1))]);
    expect(doubled.map((r) => r.status)).toEqual([422, 422]);
    for (const n of [2, 3, 4]) {
      const res = await sign(wrong(first.code, n));
      expect(res.status).toBe(422);
      expect(res.body.error.code).toBe('wrong_charter_code');
    }
    const lastTry = await sign(wrong(first.code, 5));
    expect(lastTry.status).toBe(422);
    expect(lastTry.body.error.message).toContain('rouvrez la charte');

    // The old code no longer signs; reopening the charter gives a new one.
    const locked = await sign(first.code);
    expect(locked.status).toBe(409);
    expect(locked.body.error.code).toBe('charter_locked');
    const reopened = (await luc.get(`/api/renewals/${id}/charter`)).body;
    expect(reopened.code).toMatch(/^\d{6}$/);
    expect(reopened.code).not.toBe(first.code);
    expect(reopened.text).toContain(`Code de signature : ${reopened.code}`);
    expect((await luc.get(`/api/renewals/${id}/charter`)).body.code).toBe(reopened.code);

    const signed = await sign(reopened.code);
    expect(signed.status).toBe(200);
    expect(signed.body).toMatchObject({
      status: 'awaiting_assignment',
      charter: { version: currentCharterVersion, signed: true },
    });
    const history = await historyOf(okey.db, id);
    expect(history.map((e) => e.type)).toEqual([
      'created',
      'approved_automatically',
      'charter_locked',
      'charter_reopened',
      'charter_signed',
    ]);
    expect(history.find((e) => e.type === 'charter_locked')?.detail).toEqual({ wrongCodes: 5 });
    expect(history.at(-1)?.detail).toEqual({
      charterVersion: currentCharterVersion,
      code: reopened.code,
    });
  });

  it('gives each request its own code', async () => {
    const marie = await okey.login('mpayet');
    const jean = await okey.login('jhoarau');
    const created = await marie.post(
      '/api/renewals',
      pdfForm({ keySerial: '000508901031', keyType: 'hardware', reason: 'autres' }),
    );
    const id = created.body.id as string;
    await okey.waitForStatus(marie.token, id, 'awaiting_approval');
    await jean.post(`/api/renewals/${id}/approve`, {});
    await okey.waitForStatus(marie.token, id, 'awaiting_charter');
    const mine = (await marie.get(`/api/renewals/${id}/charter`)).body.code;
    const luc = await okey.login('lfontaine');
    const [lucs] = (await luc.get('/api/renewals')).body.renewals;
    const lucHistory = await historyOf(okey.db, lucs.id);
    expect(mine).toMatch(/^\d{6}$/);
    // Drawn from each workflow's own seed: two requests share a code once in 900,000.
    expect(mine).not.toBe(lucHistory.find((e) => e.type === 'charter_signed')?.detail.code);
  });
});
