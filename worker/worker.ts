import { fileURLToPath } from 'node:url';
import { NativeConnection, Worker, type WorkflowBundle } from '@temporalio/worker';
import { type ActivityDeps, createActivities } from '../activities/index.js';
import { mailerFromConfig } from '../activities/mailer.js';
import type { Database } from '../db/client.js';
import type { Config } from '../lib/config.js';
import type { Logger } from '../lib/log.js';

export const workflowsPath = fileURLToPath(new URL('../workflows/index.ts', import.meta.url));

export interface RenewalWorkerOptions extends ActivityDeps {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  /** A prebuilt bundle (tests build it once per file); otherwise the worker bundles the code. */
  workflowBundle?: WorkflowBundle;
}

export async function createRenewalWorker(options: RenewalWorkerOptions): Promise<Worker> {
  const { connection, namespace, taskQueue, workflowBundle, ...deps } = options;
  return Worker.create({
    connection,
    namespace,
    taskQueue,
    ...(workflowBundle ? { workflowBundle } : { workflowsPath }),
    activities: createActivities(deps),
  });
}

/** The worker as configured by the environment: the shape of `npm start` and `start:worker`. */
export async function createConfiguredWorker(config: Config, db: Database, log: Logger) {
  const connection = await NativeConnection.connect({ address: config.TEMPORAL_ADDRESS });
  const worker = await createRenewalWorker({
    connection,
    namespace: config.TEMPORAL_NAMESPACE,
    taskQueue: config.TEMPORAL_TASK_QUEUE,
    db,
    mailer: mailerFromConfig(config),
    log,
    mailFrom: config.MAIL_FROM,
    publicUrl: config.PUBLIC_URL,
    okeyMailbox: config.OKEY_MAILBOX,
    retentionDays: config.DOCUMENT_RETENTION_DAYS,
  });
  return { worker, connection };
}
