import { openDatabase } from '../db/client.js';
import { loadConfigOrExit } from '../lib/config.js';
import { createLogger } from '../lib/log.js';
import { startApi } from './server.js';

/** The API alone, against PostgreSQL and a Temporal address: the production shape. */
const config = loadConfigOrExit();
const log = createLogger({ level: config.LOG_LEVEL, base: { service: 'okey-api' } });
const database = await openDatabase({ url: config.DATABASE_URL, pgliteDir: config.PGLITE_DIR });
const api = await startApi({ config, db: database.db, log });
log.info('api listening', { port: config.PORT });

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, async () => {
    log.info('api stopping', { signal });
    await api.close();
    await database.close();
    process.exit(0);
  });
}
