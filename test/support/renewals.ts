import { readFileSync } from 'node:fs';
import { eq, sql } from 'drizzle-orm';
import type { Database } from '../../db/client.js';
import { emails, events, keys, people } from '../../db/schema.js';

const pdf = readFileSync(new URL('../fixtures/justificatif.pdf', import.meta.url));

/** A multipart body with one PDF and the given fields, as the portal sends a request. */
export function pdfForm(fields: Record<string, string> = {}) {
  const form = new FormData();
  form.append('files', new File([pdf], 'justificatif.pdf', { type: 'application/pdf' }));
  for (const [k, v] of Object.entries(fields)) form.append(k, v);
  return form;
}

/**
 * A member of staff added to the directory with one active key. `manager` and `n2` are uids;
 * `manager: 'self'` makes them their own N+1, as heads of school are.
 */
export async function addAgent(
  db: Database,
  a: {
    uid: string;
    keySerial: string;
    keyType?: 'software' | 'hardware';
    manager?: string;
    n2?: string;
    establishmentUai?: string;
    expiresOn?: string;
  },
): Promise<string> {
  const idOf = async (uid?: string) =>
    uid ? (await db.select().from(people).where(eq(people.uid, uid)))[0]?.id : undefined;
  const [row] = await db
    .insert(people)
    .values({
      uid: a.uid,
      firstName: 'Agent',
      lastName: a.uid,
      email: `${a.uid}@academie.example`,
      title: 'Agent',
      establishmentUai: a.establishmentUai ?? '9740045X',
      n2Id: await idOf(a.n2),
    })
    .returning({ id: people.id });
  const id = row?.id as string;
  const managerId = a.manager === 'self' ? id : await idOf(a.manager);
  if (managerId) await db.update(people).set({ managerId }).where(eq(people.id, id));
  await db.insert(keys).values({
    serial: a.keySerial,
    personId: id,
    type: a.keyType ?? 'software',
    expiresOn: a.expiresOn ?? '2030-01-31',
  });
  return id;
}

/** The renewal's history as the read model keeps it: workflow events, then late API ones. */
export async function historyOf(db: Database, renewalId: string) {
  return db
    .select()
    .from(events)
    .where(eq(events.renewalId, renewalId))
    .orderBy(sql`${events.seq} asc nulls last`, events.at);
}

export async function emailsOf(db: Database, renewalId: string) {
  const rows = await db.select().from(emails).where(eq(emails.renewalId, renewalId));
  return rows.map((e) => ({ template: e.template, to: e.to }));
}
