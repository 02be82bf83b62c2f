import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { people, renewals } from '../db/schema.js';
import { currentCharterVersion } from '../lib/charter.js';
import { renewalWorkflow } from '../workflows/renewal.js';
import { defaultTimers } from '../workflows/timers.js';
import { freshDatabase } from './support/db.js';
import { freePort } from './support/ports.js';
import { startDevServer } from './support/temporal.js';

const root = new URL('..', import.meta.url).pathname;
const tsx = join(root, 'node_modules/.bin/tsx');

/** Spawns one of okey's entry points and collects what it prints. */
function launch(entry: string, env: NodeJS.ProcessEnv) {
  const child = spawn(tsx, [entry], { cwd: root, env: { PATH: process.env.PATH, ...env } });
  let output = '';
  child.stdout.on('data', (d) => {
    output += d;
  });
  child.stderr.on('data', (d) => {
    output += d;
  });
  return {
    child,
    output: () => output,
    async waitFor(text: string) {
      const deadline = Date.now() + 60_000;
      while (!output.includes(text)) {
        if (child.exitCode !== null) throw new Error(`${entry} exited:\n${output}`);
        if (Date.now() > deadline) throw new Error(`${entry} never printed ${text}:\n${output}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    },
  };
}

describe('the API and the worker as separate processes against PostgreSQL', () => {
  let temporal: TestWorkflowEnvironment;
  let db: Awaited<ReturnType<typeof freshDatabase>>;
  const children: ChildProcess[] = [];
  let env: NodeJS.ProcessEnv;
  let api: string;

  beforeAll(async () => {
    [temporal, db] = await Promise.all([startDevServer(), freshDatabase()]);
    const port = await freePort();
    api = `http://127.0.0.1:${port}`;
    env = {
      NODE_ENV: 'production',
      PORT: String(port),
      DATABASE_URL: db.url,
      TEMPORAL_ADDRESS: temporal.address,
      TEMPORAL_TASK_QUEUE: 'production-shape',
      // Never fetched here: no test signs in through the provider.
      OIDC_ISSUER: 'https://idp.academie.example/realms/agents',
      OIDC_AUDIENCE: 'okey',
      OIDC_JWKS_URL: 'https://idp.academie.example/realms/agents/certs',
    };
    const worker = launch('worker/main.ts', env);
    const server = launch('api/main.ts', env);
    children.push(worker.child, server.child);
    await Promise.all([worker.waitFor('"worker started"'), server.waitFor('"api listening"')]);
  });

  afterAll(async () => {
    for (const c of children) c.kill('SIGTERM');
    await Promise.all(
      children.map((c) => c.exitCode === null && new Promise((r) => c.once('exit', r))),
    );
    await temporal?.teardown();
    await db?.drop();
  });

  it('answers health checks and hides the development routes', async () => {
    expect((await fetch(`${api}/healthz`)).status).toBe(200);
    const login = await fetch(`${api}/auth/dev-login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ uid: 'mpayet' }),
    });
    expect(login.status).toBe(404);
    expect((await fetch(`${api}/dev/outbox`)).status).toBe(404);
  });

  it('runs renewal workflows in the worker process and projects them into PostgreSQL', async () => {
    const [marie] = await db.db.select().from(people).where(eq(people.uid, 'mpayet'));
    const renewalId = randomUUID();
    await db.db.insert(renewals).values({
      id: renewalId,
      workflowId: `renewal-${renewalId}`,
      keySerial: '000508901031',
      requesterId: marie?.id as string,
      keyType: 'software',
      reason: 'autres',
      status: 'awaiting_attachments',
    });
    await temporal.client.workflow.start(renewalWorkflow, {
      taskQueue: 'production-shape',
      workflowId: `renewal-${renewalId}`,
      args: [
        {
          renewalId,
          keySerial: '000508901031',
          keyType: 'software',
          establishmentUai: '9740045X',
          hasAttachments: false,
          approverIds: { n1: null, n2: null },
          validator: null,
          charterVersion: currentCharterVersion,
          timers: defaultTimers,
        },
      ],
    });
    await expect
      .poll(
        async () =>
          (await db.db.select().from(renewals).where(eq(renewals.id, renewalId)))[0]?.version,
      )
      .toBeGreaterThan(0);
  });

  it('refuses to start in production with development sign-in enabled', () => {
    const res = spawnSync(tsx, ['api/main.ts'], {
      cwd: root,
      env: { PATH: process.env.PATH, ...env, PORT: '0', AUTH_DEV_LOGIN: 'true' },
      encoding: 'utf8',
    });
    expect(res.status).not.toBe(0);
    expect(res.stderr).toContain('AUTH_DEV_LOGIN cannot be enabled in production');
  });
});
