import { Client, Connection, ScheduleAlreadyRunning, type ScheduleSpec } from '@temporalio/client';
import type { Config } from '../lib/config.js';
import type { Logger } from '../lib/log.js';
import { expiryInvitationsWorkflow } from '../workflows/expiry.js';

export const expiryScheduleId = 'okey-expiry-invitations';

/**
 * The daily invitations before expiry as a Temporal Schedule, in La Réunion's time zone. Creating
 * it twice is harmless: an existing schedule gets the current spec and action instead, so every
 * start of okey (npm start, each worker) leaves exactly one, up to date.
 */
export async function ensureExpirySchedule(
  client: Client,
  options: { taskQueue: string; cron: string; thresholds: number[] },
): Promise<'created' | 'updated'> {
  const spec: ScheduleSpec = { cronExpressions: [options.cron], timezone: 'Indian/Reunion' };
  const action = {
    type: 'startWorkflow' as const,
    workflowType: expiryInvitationsWorkflow,
    workflowId: expiryScheduleId,
    taskQueue: options.taskQueue,
    args: [{ thresholds: options.thresholds }] as [{ thresholds: number[] }],
    staticSummary: `Invitations avant expiration (J-${options.thresholds.join(', J-')})`,
  };
  try {
    await client.schedule.create({
      scheduleId: expiryScheduleId,
      spec,
      action,
      // A missed day (server down) is caught up once; two runs never overlap.
      policies: { overlap: 'SKIP', catchupWindow: '1 day' },
    });
    return 'created';
  } catch (err) {
    if (!(err instanceof ScheduleAlreadyRunning)) throw err;
    await client.schedule.getHandle(expiryScheduleId).update((previous) => ({
      ...previous,
      spec,
      action,
    }));
    return 'updated';
  }
}

/** Connects with the configuration, ensures the schedule, and disconnects. */
export async function ensureSchedulesFromConfig(config: Config, log: Logger): Promise<void> {
  const connection = await Connection.connect({ address: config.TEMPORAL_ADDRESS });
  try {
    const client = new Client({ connection, namespace: config.TEMPORAL_NAMESPACE });
    const outcome = await ensureExpirySchedule(client, {
      taskQueue: config.TEMPORAL_TASK_QUEUE,
      cron: config.EXPIRY_INVITATION_CRON,
      thresholds: config.EXPIRY_INVITATION_DAYS,
    });
    log.info('expiry schedule', { scheduleId: expiryScheduleId, outcome });
  } finally {
    await connection.close();
  }
}
