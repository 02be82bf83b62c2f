import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Connection } from '@temporalio/client';
import { startApi } from '../api/server.js';
import { openDatabase } from '../db/client.js';
import { seedDemo } from '../db/seed.js';
import { loadConfigOrExit, temporalBinaries } from '../lib/config.js';
import { createLogger } from '../lib/log.js';
import { ensureSchedulesFromConfig } from '../worker/schedules.js';
import { createConfiguredWorker } from '../worker/worker.js';
import { searchAttributeFlags } from './search-attributes.js';

/**
 * `npm start`: everything on embedded defaults in one process — the Temporal dev server (a child
 * process, state in .data/), PGlite migrated and seeded, the worker and the API.
 */
const dataDir = process.env.OKEY_DATA_DIR ?? fileURLToPath(new URL('../.data', import.meta.url));
mkdirSync(dataDir, { recursive: true });
const config = loadConfigOrExit();
const log = createLogger({ level: config.LOG_LEVEL, base: { service: 'okey' } });

let temporalServer: ChildProcess | undefined;
// TEMPORAL_EMBEDDED=false uses a Temporal server that is already running at TEMPORAL_ADDRESS.
if (process.env.TEMPORAL_EMBEDDED !== 'false') {
  const { cli } = temporalBinaries();
  if (!cli) throw new Error('Temporal CLI not found: run `node scripts/temporal-binaries.mjs`');
  const [host, port] = config.TEMPORAL_ADDRESS.split(':');
  temporalServer = spawn(
    cli,
    [
      'server',
      'start-dev',
      '--ip',
      host ?? 'localhost',
      '--port',
      port ?? '7233',
      '--ui-port',
      new URL(config.TEMPORAL_UI_URL).port || '8233',
      '--db-filename',
      `${dataDir}/temporal.db`,
      '--log-level',
      'warn',
      ...searchAttributeFlags(),
    ],
    { stdio: ['ignore', 'ignore', 'inherit'] },
  );
  temporalServer.once('exit', (code, signal) => {
    if (stopping) return;
    // Ctrl-C in a terminal reaches the dev server too, and it may end before our own handler
    // runs: that is a stop, not a crash.
    const asked = code === 0 || signal === 'SIGINT' || signal === 'SIGTERM';
    if (!asked) log.error('temporal dev server exited', { code, signal });
    void stop(asked ? 0 : 1);
  });
}
let stopping = false;
/** Until okey is up there is nothing to close; `start()` replaces it with the full stop. */
let stop = async (code: number): Promise<void> => {
  await stopTemporal();
  process.exit(code);
};
// However okey stops, the dev server it started stops with it; on a normal stop we also wait
// for it to be gone (5 s at most), so nothing is left writing to .data/ after we exit.
process.on('exit', () => temporalServer?.kill('SIGTERM'));
async function stopTemporal(): Promise<void> {
  const server = temporalServer;
  if (!server || server.exitCode !== null || server.signalCode !== null) return;
  stopping = true; // its exit is ours, not a crash to react to
  const gone = new Promise((resolve) => server.once('exit', resolve));
  server.kill('SIGTERM');
  await Promise.race([gone, new Promise((resolve) => setTimeout(resolve, 5000))]);
}

try {
  await start();
} catch (err) {
  log.error('okey could not start', { error: (err as Error).message });
  process.stderr.write(`\nokey could not start: ${(err as Error).message}\n`);
  await stopTemporal();
  process.exit(1);
}

async function start() {
  await waitForTemporal(config.TEMPORAL_ADDRESS);
  const database = await openDatabase({ url: config.DATABASE_URL, pgliteDir: config.PGLITE_DIR });
  await database.migrate();
  await seedDemo(database.db);

  const { worker, connection } = await createConfiguredWorker(config, database.db, log);
  await ensureSchedulesFromConfig(config, log);
  const running = worker.run();
  const api = await startApi({ config, db: database.db, log });

  process.stdout.write(
    [
      '',
      `  okey API     ${config.PUBLIC_URL}`,
      `  Temporal UI  ${config.TEMPORAL_UI_URL}`,
      `  Base         ${database.kind === 'pglite' ? config.PGLITE_DIR : 'PostgreSQL (DATABASE_URL)'}`,
      `  E-mails      ${config.RESEND_API_KEY ? 'Resend' : `${config.PUBLIC_URL}/dev/outbox`}`,
      '  Ctrl-C pour arrêter.',
      '',
    ].join('\n'),
  );

  stop = async (code: number) => {
    if (stopping) return;
    stopping = true;
    log.info('stopping');
    await api.close();
    // The worker also listens for signals and may already be draining; without a Temporal
    // server it may never finish draining, hence the bound (in ms).
    if (worker.getState() === 'RUNNING') worker.shutdown();
    await Promise.race([running, new Promise((resolve) => setTimeout(resolve, 5000))]);
    await connection.close().catch(() => {});
    await database.close();
    await stopTemporal();
    process.exit(code);
  };
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => void stop(0));
}

async function waitForTemporal(address: string): Promise<void> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    try {
      const c = await Connection.connect({ address, connectTimeout: 1000 });
      await c.close();
      return;
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, 500));
    }
  }
}
