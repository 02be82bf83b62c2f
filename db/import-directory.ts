import { and, eq, inArray, sql } from 'drizzle-orm';
import type { Database } from './client.js';
import {
  type Delegation,
  type DirectoryRow,
  type Problem,
  parseDirectoryCsv,
} from './directory-csv.js';
import { delegations, establishments, people } from './schema.js';

export interface ImportCounts {
  people: number;
  created: number;
  updated: number;
  unchanged: number;
  managerLinksWritten: number;
  establishments: number;
  delegations: number;
}

export type ImportResult = { ok: true; counts: ImportCounts } | { ok: false; problems: Problem[] };

const chunk = 1000;

/** postgres-js answers raw SQL with an array of rows, PGlite with `{ rows }`. */
const rowsOf = <T>(result: unknown): T[] =>
  Array.isArray(result) ? (result as T[]) : ((result as { rows: T[] }).rows ?? []);

/**
 * Loads a directory export in one transaction: all of it, or nothing when any line is wrong.
 * People are matched by uid and keep their id, so their requests and history stay theirs; people
 * absent from the file are left as they are. Running it twice changes nothing the second time.
 */
export async function importDirectory(db: Database, csv: string): Promise<ImportResult> {
  const parsed = parseDirectoryCsv(csv);
  if (!parsed.ok) return parsed;
  const rows = parsed.rows;

  return db.transaction(async (tx) => {
    const problems = await checkAgainstDirectory(tx, rows);
    if (problems.length > 0) return { ok: false, problems };

    const named = new Map<string, string>();
    for (const r of rows) {
      if (r.establishmentUai && r.establishmentName)
        named.set(r.establishmentUai, r.establishmentName);
    }
    if (named.size > 0) {
      await tx
        .insert(establishments)
        .values([...named].map(([uai, name]) => ({ uai, name, kind: 'etablissement' })))
        .onConflictDoUpdate({
          target: establishments.uai,
          set: { name: sql`excluded.name` },
          setWhere: sql`${establishments.name} is distinct from excluded.name`,
        });
    }

    let created = 0;
    let updated = 0;
    for (let i = 0; i < rows.length; i += chunk) {
      const written = await tx
        .insert(people)
        .values(rows.slice(i, i + chunk).map(personValues))
        .onConflictDoUpdate({
          target: people.uid,
          set: {
            firstName: sql`excluded.first_name`,
            lastName: sql`excluded.last_name`,
            email: sql`excluded.email`,
            title: sql`excluded.title`,
            establishmentUai: sql`excluded.establishment_uai`,
            isPermanentDirector: sql`excluded.is_permanent_director`,
            isOperator: sql`excluded.is_operator`,
            updatedAt: sql`now()`,
          },
          // Unchanged people are not rewritten, so updated_at keeps meaning "last changed".
          setWhere: sql`(people.first_name, people.last_name, people.email, people.title,
            people.establishment_uai, people.is_permanent_director, people.is_operator)
            is distinct from (excluded.first_name, excluded.last_name, excluded.email,
            excluded.title, excluded.establishment_uai, excluded.is_permanent_director,
            excluded.is_operator)`,
        })
        .returning({ inserted: sql<boolean>`(xmax = 0)` });
      created += written.filter((w) => w.inserted).length;
      updated += written.filter((w) => !w.inserted).length;
    }

    const links = rows.map((r) => ({ uid: r.uid, manager_uid: r.managerUid }));
    const relinked = rowsOf(
      await tx.execute(sql`
        update people p set manager_id = m.id, updated_at = now()
        from json_to_recordset(${JSON.stringify(links)}::json) as v(uid text, manager_uid text)
        left join people m on m.uid = v.manager_uid
        where p.uid = v.uid and p.manager_id is distinct from m.id
        returning p.id`),
    );

    const ids = await idsByUid(tx, rows);
    const ondes = rows.flatMap((r) =>
      r.delegation ? [{ personId: ids.get(r.uid) as string, ...r.delegation }] : [],
    );
    await replaceOndeDelegations(tx, [...ids.values()], ondes);

    return {
      ok: true,
      counts: {
        people: rows.length,
        created,
        updated,
        unchanged: rows.length - created - updated,
        managerLinksWritten: relinked.length,
        establishments: named.size,
        delegations: ondes.length,
      },
    } satisfies ImportResult;
  });
}

const personValues = (r: DirectoryRow) => ({
  uid: r.uid,
  firstName: r.firstName,
  lastName: r.lastName,
  email: r.email,
  title: r.title,
  establishmentUai: r.establishmentUai,
  isPermanentDirector: r.isPermanentDirector,
  isOperator: r.isOperator,
});

/** What only the database can tell: unknown managers and establishments, emails taken. */
async function checkAgainstDirectory(db: Database, rows: DirectoryRow[]): Promise<Problem[]> {
  const problems: Problem[] = [];
  const inFile = new Set(rows.map((r) => r.uid));
  const outside = [...new Set(rows.map((r) => r.managerUid))].filter(
    (m): m is string => !!m && !inFile.has(m),
  );
  const knownManagers = new Set(
    outside.length
      ? (await db.select({ uid: people.uid }).from(people).where(inArray(people.uid, outside))).map(
          (p) => p.uid,
        )
      : [],
  );
  const uais = [...new Set(rows.map((r) => r.establishmentUai))].filter((u): u is string => !!u);
  const knownUais = new Set(
    uais.length
      ? (
          await db
            .select({ uai: establishments.uai })
            .from(establishments)
            .where(inArray(establishments.uai, uais))
        ).map((e) => e.uai)
      : [],
  );
  for (const r of rows)
    if (r.establishmentName && r.establishmentUai) knownUais.add(r.establishmentUai);
  const emailOwners = new Map<string, string>();
  for (let i = 0; i < rows.length; i += chunk) {
    const emails = rows.slice(i, i + chunk).map((r) => r.email);
    const taken = await db
      .select({ uid: people.uid, email: sql<string>`lower(${people.email})` })
      .from(people)
      .where(inArray(sql`lower(${people.email})`, emails));
    for (const t of taken) emailOwners.set(t.email, t.uid);
  }

  for (const r of rows) {
    if (r.managerUid && !inFile.has(r.managerUid) && !knownManagers.has(r.managerUid)) {
      problems.push({
        line: r.line,
        column: 'manager_uid',
        message: 'agent inconnu de l’annuaire',
      });
    }
    if (r.establishmentUai && !knownUais.has(r.establishmentUai)) {
      problems.push({
        line: r.line,
        column: 'establishment_name',
        message: `établissement ${r.establishmentUai} inconnu : indiquez son nom`,
      });
    }
    const owner = emailOwners.get(r.email);
    if (owner && owner !== r.uid) {
      problems.push({
        line: r.line,
        column: 'email',
        message: 'adresse déjà utilisée par un autre agent',
      });
    }
  }
  return problems;
}

async function idsByUid(db: Database, rows: DirectoryRow[]): Promise<Map<string, string>> {
  const ids = new Map<string, string>();
  for (let i = 0; i < rows.length; i += chunk) {
    const uids = rows.slice(i, i + chunk).map((r) => r.uid);
    const found = await db
      .select({ id: people.id, uid: people.uid })
      .from(people)
      .where(inArray(people.uid, uids));
    for (const p of found) ids.set(p.uid, p.id);
  }
  return ids;
}

/** The people's ONDE delegations become exactly `rows`; delegations of other kinds stay. */
export async function replaceOndeDelegations(
  db: Database,
  personIds: string[],
  rows: (Delegation & { personId: string })[],
): Promise<void> {
  for (let i = 0; i < personIds.length; i += chunk) {
    await db
      .delete(delegations)
      .where(
        and(
          eq(delegations.kind, 'onde'),
          inArray(delegations.personId, personIds.slice(i, i + chunk)),
        ),
      );
  }
  for (let i = 0; i < rows.length; i += chunk) {
    await db.insert(delegations).values(
      rows.slice(i, i + chunk).map((d) => ({
        personId: d.personId,
        kind: 'onde',
        startsOn: d.start,
        endsOn: d.end,
      })),
    );
  }
}
