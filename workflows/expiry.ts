import { proxyActivities } from '@temporalio/workflow';
import type { RenewalActivities } from '../activities/index.js';
import { reunionDate } from './calendar.js';

const { sendExpiryInvitations } = proxyActivities<RenewalActivities>({
  startToCloseTimeout: '5 minutes',
  retry: { initialInterval: '10 seconds', maximumInterval: '10 minutes' },
});

/**
 * Started every day by the `okey-expiry-invitations` Schedule: emails the holders of keys that
 * expire within the thresholds and have no open renewal. "Today" is the date in La Réunion.
 */
export async function expiryInvitationsWorkflow(input: {
  thresholds: number[];
}): Promise<{ invited: number }> {
  return sendExpiryInvitations({ today: reunionDate(Date.now()), thresholds: input.thresholds });
}
