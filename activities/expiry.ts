import { and, eq, gte, lte, notInArray, sql } from 'drizzle-orm';
import type { Database } from '../db/client.js';
import { emails, keys, renewals, terminalStatuses } from '../db/schema.js';

const dayMs = 86_400_000;

/**
 * Invitations before expiry, run daily by a Temporal Schedule: which active keys with no open
 * renewal expire within a threshold and have not had that threshold's invitation yet. The email
 * itself is `sendExpiryInvitation`, keyed by key, expiry date and threshold.
 */
export function createExpiryActivities(deps: { db: Database }) {
  const { db } = deps;
  return {
    async findExpiringKeys({
      today,
      thresholds,
    }: {
      /** The date in La Réunion, YYYY-MM-DD, from the workflow. */
      today: string;
      /** Days before expiry, e.g. [45, 30, 7]. */
      thresholds: number[];
    }): Promise<{ keySerial: string; daysBefore: number }[]> {
      const open = db
        .select({ keySerial: renewals.keySerial })
        .from(renewals)
        .where(notInArray(renewals.status, [...terminalStatuses]));
      const due = await db
        .select({ serial: keys.serial, expiresOn: keys.expiresOn })
        .from(keys)
        .where(
          and(
            eq(keys.state, 'active'),
            gte(keys.expiresOn, today),
            lte(keys.expiresOn, sql`(${today}::date + ${Math.max(...thresholds)}::int)`),
            notInArray(keys.serial, open),
          ),
        );
      const result: { keySerial: string; daysBefore: number }[] = [];
      for (const key of due) {
        const daysLeft = Math.round((Date.parse(key.expiresOn) - Date.parse(today)) / dayMs);
        // The nearest threshold only: a key first seen 6 days before expiry gets the 7-day email.
        const daysBefore = Math.min(...thresholds.filter((t) => t >= daysLeft));
        const [sent] = await db
          .select({ id: emails.id })
          .from(emails)
          .where(eq(emails.idempotencyKey, `expiry/${key.serial}/${key.expiresOn}/${daysBefore}`));
        if (!sent) result.push({ keySerial: key.serial, daysBefore });
      }
      return result;
    },
  };
}
