import { and, eq, inArray, sql } from 'drizzle-orm';
import type { Database } from '../db/client.js';
import { inboundEmails, people, renewals } from '../db/schema.js';
import { referenceIn } from '../lib/reference.js';

/** `"Marie Payet" <Marie.Payet+okey@academie.example>` → `marie.payet@academie.example`. */
export function normalizeAddress(raw: string): string {
  const inBrackets = /<([^>]+)>/.exec(raw)?.[1] ?? raw;
  const [local = '', domain = ''] = inBrackets.trim().toLowerCase().split('@');
  return `${local.split('+')[0]}@${domain}`;
}

export interface InboundMessage {
  from: string;
  to: string[];
  subject: string;
}

export type InboundMatch =
  | { status: 'matched'; renewal: { id: string; workflowId: string; runId: string | null } }
  | { status: 'already_received'; renewalId: string }
  | { status: 'unmatched' | 'ambiguous' | 'ignored' };

/**
 * Which renewal an email to the OKEY mailbox is for: one waiting for its enrollment email, whose
 * agent is the sender, narrowed by the reference (OKEY-XXXXXXXX) when the subject has one. The
 * reference alone never matches: a stranger who learnt it cannot complete someone's step.
 */
export async function matchInbound(
  db: Database,
  mailbox: string,
  message: InboundMessage,
): Promise<InboundMatch> {
  if (!message.to.some((t) => normalizeAddress(t) === mailbox.toLowerCase())) {
    return { status: 'ignored' };
  }
  const from = normalizeAddress(message.from);
  const ref = referenceIn(message.subject);
  const fromSender = await db
    .select({
      id: renewals.id,
      workflowId: renewals.workflowId,
      runId: renewals.runId,
      status: renewals.status,
    })
    .from(renewals)
    .innerJoin(people, eq(people.id, renewals.requesterId))
    .where(eq(sql`lower(${people.email})`, from));
  const named = fromSender.filter((r) => !ref || r.id.startsWith(ref));
  const waiting = named.filter((r) => r.status === 'awaiting_enrollment_email');
  // A renewal that already has its enrollment email takes no second one for the same step.
  const alreadyMatched = named.length
    ? await db
        .select({ renewalId: inboundEmails.renewalId })
        .from(inboundEmails)
        .where(
          and(
            eq(inboundEmails.status, 'matched'),
            inArray(
              inboundEmails.renewalId,
              named.map((r) => r.id),
            ),
          ),
        )
    : [];
  const done = new Set(alreadyMatched.map((m) => m.renewalId));
  const open = waiting.filter((r) => !done.has(r.id));
  if (open.length === 1 && open[0]) {
    const { id, workflowId, runId } = open[0];
    return { status: 'matched', renewal: { id, workflowId, runId } };
  }
  if (open.length > 1) return { status: 'ambiguous' };
  const earlier = named.find((r) => done.has(r.id));
  if (earlier) return { status: 'already_received', renewalId: earlier.id };
  return { status: 'unmatched' };
}

/** Renewals an unmatched message could belong to, for the operator who attaches it. */
export async function candidatesFor(db: Database, fromAddress: string) {
  return db
    .select({ id: renewals.id, keySerial: renewals.keySerial, status: renewals.status })
    .from(renewals)
    .innerJoin(people, eq(people.id, renewals.requesterId))
    .where(
      and(
        eq(sql`lower(${people.email})`, fromAddress),
        eq(renewals.status, 'awaiting_enrollment_email'),
      ),
    );
}
