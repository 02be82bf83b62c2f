import { describe, expect, it } from 'vitest';
import { loadConfig } from '../lib/config.js';

describe('configuration', () => {
  it('has embedded defaults for development', () => {
    const c = loadConfig({});
    expect(c).toMatchObject({ NODE_ENV: 'development', PORT: 3000, AUTH_DEV_LOGIN: true });
    expect(c.DATABASE_URL).toBeUndefined();
    expect(c.PUBLIC_URL).toBe('http://localhost:3000');
  });

  it('turns dev sign-in off by default in production, and refuses it when asked for', () => {
    expect(loadConfig({ NODE_ENV: 'production' }).AUTH_DEV_LOGIN).toBe(false);
    expect(() => loadConfig({ NODE_ENV: 'production', AUTH_DEV_LOGIN: 'true' })).toThrow(
      /AUTH_DEV_LOGIN cannot be enabled in production/,
    );
  });

  it.each([
    ['PORT', 'abc'],
    ['DATABASE_URL', 'not a url'],
    ['RESEND_WEBHOOK_SECRET', 'secret'],
    ['OKEY_MAILBOX', 'okey'],
  ])('names the variable when %s is wrong', (name, value) => {
    expect(() => loadConfig({ [name]: value })).toThrow(
      new RegExp(`Invalid configuration: ${name}`),
    );
  });
});
