import { describe, expect, it } from 'vitest';
import { loadConfig, renewalTimers } from '../lib/config.js';

describe('configuration', () => {
  it('has embedded defaults for development', () => {
    const c = loadConfig({});
    expect(c).toMatchObject({ NODE_ENV: 'development', PORT: 3000, AUTH_DEV_LOGIN: true });
    expect(c.DATABASE_URL).toBeUndefined();
    expect(c.PUBLIC_URL).toBe('http://localhost:3000');
  });

  it('turns dev sign-in off by default in production, and refuses it when asked for', () => {
    const production = {
      NODE_ENV: 'production',
      OIDC_ISSUER: 'https://idp.academie.example/realms/agents',
      OIDC_AUDIENCE: 'okey',
      OIDC_JWKS_URL: 'https://idp.academie.example/realms/agents/certs',
    };
    expect(loadConfig(production).AUTH_DEV_LOGIN).toBe(false);
    expect(() => loadConfig({ ...production, AUTH_DEV_LOGIN: 'true' })).toThrow(
      /AUTH_DEV_LOGIN cannot be enabled in production/,
    );
  });

  it('passes the timer durations to renewals, and reads the invitation thresholds as days', () => {
    const c = loadConfig({ APPROVAL_N2_WORKING_DAYS: '4', EXPIRY_INVITATION_DAYS: '7,45,30' });
    expect(renewalTimers(c)).toMatchObject({
      attachmentsReminderWorkingDays: 3,
      attachmentsCancelDays: 30,
      approvalN2WorkingDays: 4,
      approvalStalledWorkingDays: 10,
    });
    expect(c.EXPIRY_INVITATION_DAYS).toEqual([45, 30, 7]);
  });

  it.each([
    ['PORT', 'abc'],
    ['DATABASE_URL', 'not a url'],
    ['RESEND_WEBHOOK_SECRET', 'secret'],
    ['OKEY_MAILBOX', 'okey'],
    ['APPROVAL_REMINDER_WORKING_DAYS', '0'],
    ['EXPIRY_INVITATION_DAYS', '45;30'],
  ])('names the variable when %s is wrong', (name, value) => {
    expect(() => loadConfig({ [name]: value })).toThrow(
      new RegExp(`Invalid configuration: ${name}`),
    );
  });
});
