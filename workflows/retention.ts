import { proxyActivities, sleep } from '@temporalio/workflow';
import type { RenewalActivities } from '../activities/index.js';

const { documentRetentionDays, purgeDocuments } = proxyActivities<RenewalActivities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '10 seconds', maximumInterval: '1 hour' },
});

/**
 * Keeps an ended request's documents for the retention period, then deletes their contents.
 * Started by the renewal workflow as it ends, and left running on its own: a durable timer per
 * request, visible in the Temporal UI as `retention-<renewalId>`, that survives restarts.
 */
export async function documentRetentionWorkflow({
  renewalId,
}: {
  renewalId: string;
}): Promise<{ purged: number }> {
  const days = await documentRetentionDays();
  await sleep(days * 24 * 60 * 60 * 1000);
  return { purged: await purgeDocuments({ renewalId }) };
}
