import { openDatabase } from '../db/client.js';
import { loadConfigOrExit } from '../lib/config.js';
import { createLogger } from '../lib/log.js';
import { ensureSchedulesFromConfig } from './schedules.js';
import { createConfiguredWorker } from './worker.js';

/** The worker alone, against PostgreSQL and a Temporal address: the production shape. */
const config = loadConfigOrExit();
const log = createLogger({ level: config.LOG_LEVEL, base: { service: 'okey-worker' } });
const database = await openDatabase({ url: config.DATABASE_URL, pgliteDir: config.PGLITE_DIR });
await database.migrate();
const { worker, connection } = await createConfiguredWorker(config, database.db, log);
await ensureSchedulesFromConfig(config, log);
log.info('worker started', { taskQueue: config.TEMPORAL_TASK_QUEUE });
await worker.run();
await connection.close();
await database.close();
