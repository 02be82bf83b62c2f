import { ApplicationFailure, Context } from '@temporalio/activity';
import { and, eq, gt, isNull, lt, lte, or, sql } from 'drizzle-orm';
import type { Database } from '../db/client.js';
import { delegations, events, keys, people, renewals, slots } from '../db/schema.js';
import type { Logger } from '../lib/log.js';
import type { RenewalSnapshot } from '../workflows/renewal.js';
import { createDocumentActivities } from './documents.js';
import { createEmailActivities, type EmailDeps } from './emails.js';
import { createExpiryActivities } from './expiry.js';

export interface ActivityDeps extends EmailDeps {
  db: Database;
  log: Logger;
  /** Days documents are kept after their request ends (DOCUMENT_RETENTION_DAYS). */
  retentionDays?: number;
  /** Years a newly assigned key stays valid. */
  keyValidityYears?: number;
}

/** Activities receive their clients, so tests run them against real PostgreSQL and mail servers. */
export function createActivities(deps: ActivityDeps) {
  const { db } = deps;
  const log = () => {
    const info = Context.current().info;
    return deps.log.child({
      workflowId: info.workflowExecution?.workflowId,
      activity: info.activityType,
    });
  };

  return {
    ...createEmailActivities(deps, log),
    ...createDocumentActivities(deps, log),
    ...createExpiryActivities(deps),

    /** Writes the workflow's state to the read model; older snapshots never overwrite newer. */
    async projectRenewal(s: RenewalSnapshot): Promise<void> {
      await db.transaction(async (tx) => {
        const updated = await tx
          .update(renewals)
          .set({
            status: s.status,
            stepSince: new Date(s.stepSince),
            stepTimes: s.stepTimes,
            decision: s.decision,
            mobileOs: s.mobileOs,
            charterVersion: s.charterVersion,
            charterCode: s.charterCode,
            newKeySerial: s.newKeySerial,
            slotId: s.slotId,
            attention: s.attention,
            version: s.version,
            updatedAt: sql`now()`,
          })
          .where(and(eq(renewals.id, s.renewalId), lt(renewals.version, s.version)))
          .returning({ id: renewals.id });
        if (updated.length === 0) {
          const [row] = await tx
            .select({ id: renewals.id })
            .from(renewals)
            .where(eq(renewals.id, s.renewalId));
          if (!row) throw new Error(`Renewal ${s.renewalId} has no row in the read model`);
        }
        if (s.events.length > 0) {
          await tx
            .insert(events)
            .values(
              s.events.map((e) => ({
                renewalId: s.renewalId,
                seq: e.seq,
                type: e.type,
                actorId: e.actorId,
                detail: e.detail,
                at: new Date(e.at),
              })),
            )
            .onConflictDoNothing();
        }
      });
      log().info('renewal projected', {
        renewalId: s.renewalId,
        status: s.status,
        version: s.version,
      });
    },

    /**
     * Permanent primary-school directors, and agents with an ONDE delegation current `on` that
     * day (the workflow's date in La Réunion, when the approval step opens), skip approval.
     */
    async evaluateAutoApproval({
      renewalId,
      on,
    }: {
      renewalId: string;
      on?: string;
    }): Promise<'permanent_director' | 'onde_delegation' | null> {
      const [row] = await db
        .select({ personId: people.id, isPermanentDirector: people.isPermanentDirector })
        .from(renewals)
        .innerJoin(people, eq(people.id, renewals.requesterId))
        .where(eq(renewals.id, renewalId));
      if (!row) throw ApplicationFailure.nonRetryable(`Unknown renewal ${renewalId}`);
      if (row.isPermanentDirector) return 'permanent_director';
      const today = on ? sql`${on}::date` : sql`current_date`;
      const [delegation] = await db
        .select({ id: delegations.id })
        .from(delegations)
        .where(
          and(
            eq(delegations.personId, row.personId),
            eq(delegations.kind, 'onde'),
            lte(delegations.startsOn, today),
            or(isNull(delegations.endsOn), sql`${delegations.endsOn} >= ${today}`),
          ),
        );
      return delegation ? 'onde_delegation' : null;
    },

    /** Takes a pickup slot for this renewal; taking the same slot again is a no-op. */
    async reserveSlot({
      renewalId,
      slotId,
    }: {
      renewalId: string;
      slotId: string;
    }): Promise<{ startsAt: string }> {
      const taken = await db
        .update(slots)
        .set({ renewalId })
        .where(
          and(
            eq(slots.id, slotId),
            gt(slots.startsAt, sql`now()`),
            or(isNull(slots.renewalId), eq(slots.renewalId, renewalId)),
          ),
        )
        .returning({ startsAt: slots.startsAt });
      if (!taken[0]) {
        throw ApplicationFailure.create({
          type: 'SlotUnavailable',
          message: 'Ce créneau de retrait n’est plus disponible.',
          nonRetryable: true,
        });
      }
      return { startsAt: taken[0].startsAt.toISOString() };
    },

    /** Frees a missed pickup slot so that someone else may book it; only if it is still ours. */
    async releaseSlot({ renewalId, slotId }: { renewalId: string; slotId: string }) {
      await db
        .update(slots)
        .set({ renewalId: null })
        .where(and(eq(slots.id, slotId), eq(slots.renewalId, renewalId)));
    },

    /** Records the new key for the agent and marks the old one replaced. */
    async activateNewKey({ renewalId, newKeySerial }: { renewalId: string; newKeySerial: string }) {
      const years = deps.keyValidityYears ?? 3;
      await db.transaction(async (tx) => {
        const [r] = await tx
          .select({
            keySerial: renewals.keySerial,
            requesterId: renewals.requesterId,
            keyType: renewals.keyType,
          })
          .from(renewals)
          .where(eq(renewals.id, renewalId));
        if (!r) throw ApplicationFailure.nonRetryable(`Unknown renewal ${renewalId}`);
        await tx
          .insert(keys)
          .values({
            serial: newKeySerial,
            personId: r.requesterId,
            type: r.keyType,
            expiresOn: sql`current_date + make_interval(years => ${years})` as unknown as string,
            replacesSerial: r.keySerial,
          })
          .onConflictDoNothing();
        await tx.update(keys).set({ state: 'replaced' }).where(eq(keys.serial, r.keySerial));
      });
    },
  };
}

export type RenewalActivities = ReturnType<typeof createActivities>;
