import { and, eq, inArray, isNull, sql } from 'drizzle-orm';
import type { Database } from '../db/client.js';
import { attachments, renewals, terminalStatuses } from '../db/schema.js';
import type { Logger } from '../lib/log.js';

/** Retention of supporting documents: their bytes go, their name, size and hash stay. */
export function createDocumentActivities(
  deps: { db: Database; retentionDays?: number },
  log: () => Logger,
) {
  const { db } = deps;
  return {
    /** The retention period in force (DOCUMENT_RETENTION_DAYS), read when a request ends. */
    async documentRetentionDays(): Promise<number> {
      return deps.retentionDays ?? 90;
    },

    /**
     * Empties the documents of an ended request. Running it again finds nothing left to empty;
     * a request that is somehow not ended keeps its documents.
     */
    async purgeDocuments({ renewalId }: { renewalId: string }): Promise<number> {
      const purged = await db
        .update(attachments)
        .set({ content: null, deletedAt: sql`now()` })
        .where(
          and(
            eq(attachments.renewalId, renewalId),
            isNull(attachments.deletedAt),
            inArray(
              attachments.renewalId,
              db
                .select({ id: renewals.id })
                .from(renewals)
                .where(inArray(renewals.status, [...terminalStatuses])),
            ),
          ),
        )
        .returning({ id: attachments.id });
      log().info('documents purged', { renewalId, count: purged.length });
      return purged.length;
    },
  };
}
