import { and, asc, eq, sql } from 'drizzle-orm';
import type { JWTPayload } from 'jose';
import { z } from 'zod';
import type { Database } from '../db/client.js';
import { type Delegation, isoDate, uaiPattern } from '../db/directory-csv.js';
import { replaceOndeDelegations } from '../db/import-directory.js';
import { delegations, establishments, people } from '../db/schema.js';
import type { Config } from '../lib/config.js';
import type { Logger } from '../lib/log.js';

const claimSchemas = {
  title: z.string().trim().min(1).max(200),
  establishmentUai: z.string().trim().toUpperCase().regex(uaiPattern),
  isPermanentDirector: z.boolean(),
  delegations: z.array(
    z
      .object({ start: isoDate, end: isoDate.nullish() })
      .refine((d) => !d.end || d.end >= d.start, 'end before start'),
  ),
};

/**
 * What the identity provider says at sign-in about the person's function, establishment and ONDE
 * delegations is fresher than the last directory import, so it updates their entry. A claim that
 * is absent leaves the entry as it is; a malformed one is ignored and logged by name only.
 */
export async function refreshFromClaims(
  db: Database,
  personId: string,
  current: { title: string; establishmentUai: string | null; isPermanentDirector: boolean },
  payload: JWTPayload,
  config: Config,
  log: Logger,
): Promise<void> {
  const names = {
    title: config.OIDC_TITLE_CLAIM,
    establishmentUai: config.OIDC_ESTABLISHMENT_CLAIM,
    isPermanentDirector: config.OIDC_PERMANENT_DIRECTOR_CLAIM,
    delegations: config.OIDC_DELEGATIONS_CLAIM,
  };
  const read = <K extends keyof typeof claimSchemas>(key: K) => {
    if (!(names[key] in payload)) return undefined;
    const parsed = claimSchemas[key].safeParse(payload[names[key]]);
    if (!parsed.success) log.warn('claim ignored', { claim: names[key] });
    return parsed.success ? (parsed.data as z.infer<(typeof claimSchemas)[K]>) : undefined;
  };
  const claimed = {
    title: read('title'),
    establishmentUai: read('establishmentUai'),
    isPermanentDirector: read('isPermanentDirector'),
  };
  const claimedDelegations = read('delegations')?.map((d) => ({
    start: d.start,
    end: d.end ?? null,
  }));

  const changes = Object.fromEntries(
    Object.entries(claimed).filter(
      ([k, v]) => v !== undefined && v !== current[k as keyof typeof current],
    ),
  ) as Partial<typeof current>;
  const delegationsChanged =
    claimedDelegations !== undefined &&
    !sameDelegations(claimedDelegations, await ondeDelegationsOf(db, personId));
  if (Object.keys(changes).length === 0 && !delegationsChanged) return;

  await db.transaction(async (tx) => {
    if (changes.establishmentUai) {
      // An establishment the directory has not seen yet: its name comes with the next import.
      await tx
        .insert(establishments)
        .values({ uai: changes.establishmentUai, name: changes.establishmentUai, kind: 'inconnu' })
        .onConflictDoNothing();
    }
    if (Object.keys(changes).length > 0) {
      await tx
        .update(people)
        .set({ ...changes, updatedAt: sql`now()` })
        .where(eq(people.id, personId));
    }
    if (delegationsChanged && claimedDelegations) {
      const rows = claimedDelegations.map((d) => ({ personId, ...d }));
      await replaceOndeDelegations(tx, [personId], rows);
    }
  });
  log.info('directory entry refreshed from claims', {
    fields: [...Object.keys(changes), ...(delegationsChanged ? ['delegations'] : [])].join(','),
  });
}

async function ondeDelegationsOf(db: Database, personId: string): Promise<Delegation[]> {
  const rows = await db
    .select({ start: delegations.startsOn, end: delegations.endsOn })
    .from(delegations)
    .where(and(eq(delegations.personId, personId), eq(delegations.kind, 'onde')))
    .orderBy(asc(delegations.startsOn));
  return rows;
}

const sameDelegations = (a: Delegation[], b: Delegation[]) => {
  const key = (list: Delegation[]) =>
    list
      .map((d) => `${d.start}/${d.end ?? ''}`)
      .sort()
      .join(' ');
  return key(a) === key(b);
};
