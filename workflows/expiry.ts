import { proxyActivities } from '@temporalio/workflow';
import type { RenewalActivities } from '../activities/index.js';
import { reunionDate } from './calendar.js';

const { findExpiringKeys, sendExpiryInvitation } = proxyActivities<RenewalActivities>({
  startToCloseTimeout: '5 minutes',
  retry: { initialInterval: '10 seconds', maximumInterval: '10 minutes' },
});

/**
 * Started every day by the `okey-expiry-invitations` Schedule: emails the holders of keys that
 * expire within the thresholds and have no open renewal, once per threshold. "Today" is the date
 * in La Réunion.
 */
export async function expiryInvitationsWorkflow(input: {
  thresholds: number[];
}): Promise<{ invited: number }> {
  const due = await findExpiringKeys({
    today: reunionDate(Date.now()),
    thresholds: input.thresholds,
  });
  for (const key of due) await sendExpiryInvitation(key);
  return { invited: due.length };
}
