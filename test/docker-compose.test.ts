import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { composeBinaryPath } from '../scripts/compose-binary.mjs';

const root = new URL('..', import.meta.url).pathname;
const scripts = JSON.parse(readFileSync(`${root}package.json`, 'utf8')).scripts as Record<
  string,
  string
>;

function compose(args: string[], env: Record<string, string> = {}) {
  return spawnSync(composeBinaryPath(), ['-f', `${root}docker-compose.yml`, ...args], {
    encoding: 'utf8',
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...env },
  });
}

const resend = { RESEND_API_KEY: 're_test', RESEND_WEBHOOK_SECRET: 'whsec_dGVzdA==' };
const oidc = {
  OIDC_ISSUER: 'https://idp.academie.example/realms/agents',
  OIDC_AUDIENCE: 'okey',
  OIDC_JWKS_URL: 'https://idp.academie.example/realms/agents/certs',
};
const secrets = { ...resend, ...oidc };

describe('docker-compose.yml (validated by Docker Compose v2, not run: no engine here)', () => {
  it('is a valid Compose file', () => {
    const res = compose(['config', '--quiet'], secrets);
    expect(res.stderr).toBe('');
    expect(res.status).toBe(0);
  });

  it('refuses to start without the Resend secrets', () => {
    const res = compose(['config', '--quiet'], oidc);
    expect(res.status).not.toBe(0);
    expect(res.stderr).toMatch(/required variable RESEND_(API_KEY|WEBHOOK_SECRET) is missing/);
  });

  it('refuses to start without the identity provider', () => {
    const res = compose(['config', '--quiet'], resend);
    expect(res.status).not.toBe(0);
    expect(res.stderr).toMatch(/required variable OIDC_(ISSUER|AUDIENCE|JWKS_URL) is missing/);
  });

  it('describes PostgreSQL, Temporal with its UI, the api and the worker, running npm scripts that exist', () => {
    const res = compose(['config', '--format', 'json'], secrets);
    const config = JSON.parse(res.stdout) as {
      services: Record<string, { command?: string[]; environment?: Record<string, string> }>;
    };
    expect(Object.keys(config.services)).toEqual(
      expect.arrayContaining(['postgresql', 'temporal', 'temporal-ui', 'api', 'worker']),
    );
    for (const name of ['api', 'worker']) {
      const command = config.services[name]?.command ?? [];
      expect(command.slice(0, 2)).toEqual(['npm', 'run']);
      expect(scripts).toHaveProperty(command[2] as string);
      expect(config.services[name]?.environment).toMatchObject({
        NODE_ENV: 'production',
        TEMPORAL_ADDRESS: 'temporal:7233',
      });
    }
  });
});
