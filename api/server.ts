import { serve } from '@hono/node-server';
import { Client, Connection } from '@temporalio/client';
import type { Database } from '../db/client.js';
import type { Config } from '../lib/config.js';
import type { Logger } from '../lib/log.js';
import { createApp } from './app.js';

/** Starts the HTTP API on `config.PORT`; resolves once it listens. */
export async function startApi(options: { config: Config; db: Database; log: Logger }) {
  const { config, db, log } = options;
  const connection = await Connection.connect({ address: config.TEMPORAL_ADDRESS });
  const temporal = new Client({ connection, namespace: config.TEMPORAL_NAMESPACE });
  const app = createApp({ db, temporal, config, log });
  const server = await new Promise<ReturnType<typeof serve>>((resolve, reject) => {
    const s = serve({ fetch: app.fetch, port: config.PORT, hostname: '0.0.0.0' }, () => resolve(s));
    s.once('error', (err: NodeJS.ErrnoException) => {
      void connection.close();
      reject(
        err.code === 'EADDRINUSE'
          ? new Error(`Port ${config.PORT} is already in use: stop what uses it, or set PORT`)
          : err,
      );
    });
  });
  return {
    async close() {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await connection.close();
    },
  };
}
