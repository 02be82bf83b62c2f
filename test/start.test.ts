import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { type AddressInfo, connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from './support/ports.js';

const root = new URL('..', import.meta.url).pathname;
const tsx = join(root, 'node_modules/.bin/tsx');

describe('npm start on embedded defaults', () => {
  const dir = mkdtempSync(join(tmpdir(), 'okey-start-'));
  const pgliteDir = join(dir, 'pglite');
  let child: ChildProcess;
  let output = '';
  let env: NodeJS.ProcessEnv;
  let api: string;

  /** Runs the `npm start` entry point; resolves with its output once it is up or has exited. */
  async function launch(extra: NodeJS.ProcessEnv = {}) {
    const [port, temporalPort, uiPort] = [await freePort(), await freePort(), await freePort()];
    env = {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      PORT: String(port),
      TEMPORAL_ADDRESS: `127.0.0.1:${temporalPort}`,
      TEMPORAL_UI_URL: `http://localhost:${uiPort}`,
      PGLITE_DIR: pgliteDir,
      ...extra,
    };
    api = `http://127.0.0.1:${env.PORT}`;
    output = '';
    // The data folders are moved out of the work tree.
    child = spawn(tsx, ['scripts/start.ts'], { cwd: root, env: { ...env, OKEY_DATA_DIR: dir } });
    child.stdout?.on('data', (d) => {
      output += d;
    });
    child.stderr?.on('data', (d) => {
      output += d;
    });
    const deadline = Date.now() + 90_000;
    while (!output.includes('Ctrl-C') && child.exitCode === null) {
      if (Date.now() > deadline) throw new Error(`npm start did not come up:\n${output}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  beforeAll(async () => {
    // Ports are picked free, but another test may take one meanwhile: try again on a clash.
    for (let attempt = 1; attempt <= 3; attempt++) {
      await launch();
      if (child.exitCode === null) return;
      if (!output.includes('already in use') || attempt === 3) {
        throw new Error(`npm start exited early:\n${output}`);
      }
    }
  });

  afterAll(() => {
    if (child.exitCode === null) child.kill('SIGKILL');
    // A Temporal server stopping a moment ago may still be writing its files: retry.
    rmSync(dir, { recursive: true, force: true, maxRetries: 20, retryDelay: 250 });
  });

  it('prints the API and Temporal UI addresses', () => {
    expect(output).toContain(`okey API     http://localhost:${env.PORT}`);
    expect(output).toContain(`Temporal UI  ${env.TEMPORAL_UI_URL}`);
  });

  it('serves the seeded demo directory and runs a renewal workflow', async () => {
    expect((await fetch(`${api}/healthz`)).status).toBe(200);
    const login = await fetch(`${api}/auth/dev-login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ uid: 'mpayet' }),
    });
    const { token } = (await login.json()) as { token: string };
    const created = await fetch(`${api}/api/renewals`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ keySerial: '000508901031', keyType: 'software', reason: 'autres' }),
    });
    expect(created.status).toBe(201);
    const { id } = (await created.json()) as { id: string };
    // The workflow's first projection marks the creation step done.
    await expect
      .poll(async () => {
        const res = await fetch(`${api}/api/renewals/${id}`, {
          headers: { authorization: `Bearer ${token}` },
        });
        return ((await res.json()) as { events: unknown[] }).events.length;
      })
      .toBeGreaterThan(0);

    // What an operator types: the renewal is found by its status search attribute.
    const list = () =>
      spawnSync(
        'node',
        [
          'scripts/temporal.mjs',
          'workflow',
          'list',
          '--output',
          'json',
          '--query',
          "OkeyStatus = 'awaiting_attachments' AND OkeyKeyType = 'software'",
        ],
        {
          cwd: root,
          env: { ...process.env, TEMPORAL_ADDRESS: env.TEMPORAL_ADDRESS },
          encoding: 'utf8',
        },
      ).stdout;
    // Visibility is eventually consistent: the list catches up within moments.
    await expect.poll(list, { timeout: 10_000 }).toContain('renewal-000508901031');
  });

  it('refuses a second process on the same embedded database', () => {
    const res = spawnSync(tsx, ['db/migrate-cli.ts'], { cwd: root, env, encoding: 'utf8' });
    expect(res.status).not.toBe(0);
    expect(res.stderr).toContain('PGlite cannot be shared between processes');
  });

  it('says which port is taken, and leaves no Temporal server behind', async () => {
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '0.0.0.0', resolve));
    const port = String((taken.address() as AddressInfo).port);
    const temporalPort = await freePort();
    const res = spawnSync(tsx, ['scripts/start.ts'], {
      cwd: root,
      env: {
        ...env,
        PORT: port,
        PGLITE_DIR: join(dir, 'other'),
        TEMPORAL_ADDRESS: `127.0.0.1:${temporalPort}`,
        TEMPORAL_UI_URL: `http://localhost:${await freePort()}`,
        OKEY_DATA_DIR: join(dir, 'other-data'),
      },
      encoding: 'utf8',
      timeout: 90_000,
    });
    taken.close();
    expect(res.status).toBe(1);
    expect(res.stderr).toContain(`Port ${port} is already in use`);
    expect(res.stderr).not.toMatch(/^\s+at /m);
    await expect(connects(temporalPort)).resolves.toBe(false);
  });

  it('stops cleanly on Ctrl-C and releases the database', async () => {
    child.kill('SIGINT');
    const code = await new Promise((resolve) => child.once('exit', resolve));
    expect(code).toBe(0);
    expect(existsSync(`${pgliteDir}.lock`)).toBe(false);
  });
});

/** Whether something still listens on 127.0.0.1:port. */
function connects(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}
