import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../lib/config.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const oidc = {
  OIDC_ISSUER: 'https://idp.academie.example/realms/agents',
  OIDC_AUDIENCE: 'okey',
  OIDC_JWKS_URL: 'https://idp.academie.example/realms/agents/protocol/openid-connect/certs',
};

/** Runs an entry point as `npm run start:*` does and collects how it ended. */
function run(entry: string, env: Record<string, string>) {
  const child = spawn(process.execPath, ['--import', 'tsx', entry], {
    cwd: root,
    // Nothing to reach: the process must stop before it opens a database or Temporal.
    env: { PATH: process.env.PATH, DATABASE_URL: 'postgres://nobody@127.0.0.1:9/none', ...env },
  });
  let stderr = '';
  child.stderr.on('data', (d) => {
    stderr += d;
  });
  const killer = setTimeout(() => child.kill('SIGKILL'), 20_000);
  return new Promise<{ code: number | null; stderr: string }>((resolve) =>
    child.on('exit', (code) => {
      clearTimeout(killer);
      resolve({ code, stderr });
    }),
  );
}

describe('production mode', () => {
  it.each(['api/main.ts', 'worker/main.ts'])(
    '%s refuses to start with dev sign-in enabled, saying why',
    async (entry) => {
      const { code, stderr } = await run(entry, {
        NODE_ENV: 'production',
        AUTH_DEV_LOGIN: 'true',
        ...oidc,
      });
      expect(code).toBe(1);
      expect(stderr).toContain('AUTH_DEV_LOGIN cannot be enabled in production');
      expect(stderr).not.toContain('    at ');
    },
  );

  it.each(['api/main.ts', 'worker/main.ts'])(
    '%s refuses to start without an identity provider',
    async (entry) => {
      const { code, stderr } = await run(entry, { NODE_ENV: 'production' });
      expect(code).toBe(1);
      expect(stderr).toContain('OIDC_ISSUER, OIDC_AUDIENCE, OIDC_JWKS_URL required');
    },
  );

  it('accepts OpenID Connect alone, and turns dev sign-in off by default', () => {
    const config = loadConfig({ NODE_ENV: 'production', ...oidc });
    expect(config.AUTH_DEV_LOGIN).toBe(false);
    expect(config.OIDC_ALGORITHMS).toEqual(['RS256', 'ES256']);
  });

  it.each([
    [{ OIDC_ALGORITHMS: 'RS256,none' }, 'OIDC_ALGORITHMS'],
    [{ OIDC_ALGORITHMS: 'HS256' }, 'OIDC_ALGORITHMS'],
    [{ OIDC_ISSUER: undefined }, 'OIDC_ISSUER required'],
    [{ OIDC_JWKS_URL: 'pas une url' }, 'OIDC_JWKS_URL'],
  ])('refuses a wrong identity provider setting %o', (change, message) => {
    expect(() => loadConfig({ NODE_ENV: 'development', ...oidc, ...change })).toThrow(message);
  });
});
