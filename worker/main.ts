import { NativeConnection } from '@temporalio/worker';
import { mailerFromConfig } from '../activities/mailer.js';
import { openDatabase } from '../db/client.js';
import { loadConfig } from '../lib/config.js';
import { createLogger } from '../lib/log.js';
import { createRenewalWorker } from './worker.js';

/** The worker alone, against PostgreSQL and a Temporal address: the production shape. */
const config = loadConfig();
const log = createLogger({ level: config.LOG_LEVEL, base: { service: 'okey-worker' } });
const database = await openDatabase({ url: config.DATABASE_URL, pgliteDir: config.PGLITE_DIR });
await database.migrate();
const connection = await NativeConnection.connect({ address: config.TEMPORAL_ADDRESS });
const worker = await createRenewalWorker({
  connection,
  namespace: config.TEMPORAL_NAMESPACE,
  taskQueue: config.TEMPORAL_TASK_QUEUE,
  db: database.db,
  mailer: mailerFromConfig(config),
  log,
  mailFrom: config.MAIL_FROM,
  publicUrl: config.PUBLIC_URL,
  okeyMailbox: config.OKEY_MAILBOX,
  retentionDays: config.DOCUMENT_RETENTION_DAYS,
});
log.info('worker started', { taskQueue: config.TEMPORAL_TASK_QUEUE });
await worker.run();
await connection.close();
await database.close();
