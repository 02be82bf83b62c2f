import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { eq, inArray } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importDirectory } from '../db/import-directory.js';
import { delegations, establishments, events, people, renewals } from '../db/schema.js';
import { freshDatabase } from './support/db.js';

const header =
  'uid;first_name;last_name;email;title;establishment_uai;establishment_name;manager_uid;' +
  'is_permanent_director;is_operator;onde_delegation_start;onde_delegation_end';

/** A directory export as the académie's tools write it: `;`, a BOM, French dates. */
const directory = (...lines: string[]) => `\uFEFF${[header, ...lines].join('\r\n')}\r\n`;

const rivière = [
  'fboyer;Fabrice;Boyer;Fabrice.Boyer@academie.example;Principal;9740099A;Collège La Rivière;sgrondin;non;non;;',
  'arobert;Annie;Robert;annie.robert@academie.example;Professeure;9740099A;;fboyer;non;non;;',
  'gsautron;Gilles;Sautron;gilles.sautron@academie.example;Directeur d’école (faisant fonction);9740310K;;sgrondin;non;non;01/09/2024;31/08/2026',
  'vlauret;Valérie;Lauret;valerie.lauret@academie.example;Technicienne DSI;9741444D;;;non;oui;;',
];

/** Annie's line with some cells replaced, by index. */
const row = (overrides: Record<number, string>) => {
  const cells = rivière[1]?.split(';') ?? [];
  for (const [i, v] of Object.entries(overrides)) cells[Number(i)] = v;
  return cells.join(';');
};
const withoutTitle = (line: string) => line.split(';').toSpliced(4, 1).join(';');

let db: Awaited<ReturnType<typeof freshDatabase>>;
beforeAll(async () => {
  db = await freshDatabase();
});
afterAll(async () => {
  await db?.drop();
});

const person = async (uid: string) => {
  const [p] = await db.db.select().from(people).where(eq(people.uid, uid));
  return p;
};

describe('importing a directory export', () => {
  it('loads people, establishments, functions, delegations, N+1 links and operator roles', async () => {
    const result = await importDirectory(db.db, directory(...rivière));
    expect(result).toEqual({
      ok: true,
      counts: expect.objectContaining({ people: 4, created: 4, updated: 0, delegations: 1 }),
    });
    const [fabrice, annie, gilles, valérie] = await Promise.all(
      ['fboyer', 'arobert', 'gsautron', 'vlauret'].map(person),
    );
    const sophie = await person('sgrondin');
    expect(fabrice).toMatchObject({
      email: 'fabrice.boyer@academie.example',
      establishmentUai: '9740099A',
      managerId: sophie?.id,
    });
    expect(annie?.managerId).toBe(fabrice?.id);
    expect(valérie).toMatchObject({ isOperator: true, managerId: null });
    const [college] = await db.db
      .select()
      .from(establishments)
      .where(eq(establishments.uai, '9740099A'));
    expect(college?.name).toBe('Collège La Rivière');
    const onde = await db.db
      .select()
      .from(delegations)
      .where(eq(delegations.personId, gilles?.id ?? ''));
    expect(onde).toEqual([
      expect.objectContaining({ kind: 'onde', startsOn: '2024-09-01', endsOn: '2026-08-31' }),
    ]);
  });

  it('changes nothing when the same file is imported again', async () => {
    const before = await db.db.select().from(people).orderBy(people.uid);
    const again = await importDirectory(db.db, directory(...rivière));
    expect(again).toEqual({
      ok: true,
      counts: expect.objectContaining({
        people: 4,
        created: 0,
        updated: 0,
        unchanged: 4,
        managerLinksWritten: 0,
      }),
    });
    expect(await db.db.select().from(people).orderBy(people.uid)).toEqual(before);
  });

  it('updates people on re-import without losing their requests or history', async () => {
    const marie = await person('mpayet');
    const renewalId = crypto.randomUUID();
    await db.db.insert(renewals).values({
      id: renewalId,
      workflowId: 'renewal-000508901031',
      keySerial: '000508901031',
      requesterId: marie?.id ?? '',
      keyType: 'software',
      reason: 'autres',
      status: 'awaiting_approval',
    });
    await db.db.insert(events).values({
      renewalId,
      seq: 1,
      type: 'created',
      actorId: marie?.id,
      at: new Date(),
    });

    // Marie changes school: new title, new N+1, and an ONDE delegation.
    const moved = directory(
      ...rivière,
      'mpayet;Marie;Payet;marie.payet@academie.example;Professeure documentaliste;9740099A;;fboyer;non;non;2025-01-06;',
    );
    const result = await importDirectory(db.db, moved);
    expect(result).toMatchObject({ ok: true, counts: { updated: 1, managerLinksWritten: 1 } });
    const after = await person('mpayet');
    expect(after).toMatchObject({
      id: marie?.id,
      title: 'Professeure documentaliste',
      establishmentUai: '9740099A',
      managerId: (await person('fboyer'))?.id,
    });
    const [kept] = await db.db.select().from(renewals).where(eq(renewals.id, renewalId));
    expect(kept?.requesterId).toBe(marie?.id);
    expect(await db.db.select().from(events).where(eq(events.renewalId, renewalId))).toHaveLength(
      1,
    );
    const onde = await db.db
      .select()
      .from(delegations)
      .where(eq(delegations.personId, marie?.id ?? ''));
    expect(onde).toEqual([expect.objectContaining({ startsOn: '2025-01-06', endsOn: null })]);
  });
});

describe('a wrong export', () => {
  it('names the line and the column, and writes nothing', async () => {
    const before = await db.db.select().from(people).orderBy(people.uid);
    const result = await importDirectory(
      db.db,
      directory(
        'nhoarau;Noé;Hoarau;noe.hoarau@academie.example;Professeur;9740045X;;jhoarau;non;non;;',
        'tpayet;Théo;Payet;theo.payet@academie;Professeur;9740045X;;jhoarau;non;non;;',
      ),
    );
    expect(result).toEqual({
      ok: false,
      problems: [{ line: 3, column: 'email', message: 'adresse e-mail invalide' }],
    });
    expect(await db.db.select().from(people).orderBy(people.uid)).toEqual(before);
  });

  it.each([
    [
      'a missing column',
      `${withoutTitle(header)}\n${withoutTitle(row({}))}`,
      1,
      'title',
      'colonne manquante',
    ],
    ['an unknown column', `${header};grade\n${row({})};A`, 1, 'grade', 'colonne inconnue'],
    ['an invalid UAI', row({ 5: '974ABC' }), 2, 'establishment_uai', 'code UAI invalide'],
    ['an unknown manager', row({ 7: 'inconnu' }), 2, 'manager_uid', 'agent inconnu de l’annuaire'],
    ['an unreadable boolean', row({ 9: 'peut-être' }), 2, 'is_operator', 'oui ou non attendu'],
    ['an impossible date', row({ 10: '31/02/2025' }), 2, 'onde_delegation_start', 'date attendue'],
    [
      'an end before the start',
      row({ 10: '2025-09-01', 11: '2025-01-01' }),
      2,
      'onde_delegation_end',
      'fin avant le début',
    ],
    [
      'an end without a start',
      row({ 11: '2025-01-01' }),
      2,
      'onde_delegation_start',
      'début de délégation manquant',
    ],
    ['an empty required value', row({ 4: ' ' }), 2, 'title', 'valeur obligatoire'],
    [
      'an unknown establishment with no name',
      row({ 5: '9740777B' }),
      2,
      'establishment_name',
      'établissement 9740777B inconnu',
    ],
    [
      'an email taken by another agent',
      row({ 3: 'MARIE.PAYET@academie.example' }),
      2,
      'email',
      'adresse déjà utilisée',
    ],
    ['a line with too many fields', `${row({})};en trop`, 2, undefined, 'nombre de champs'],
    ['an unclosed quote', row({ 1: '"Annie' }), 2, undefined, 'guillemet'],
  ])('refuses %s', async (_what, line, lineNo, column, message) => {
    const csv = line.startsWith('uid;') ? line : directory(line);
    const result = await importDirectory(db.db, csv);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems[0]).toMatchObject({ line: lineNo, ...(column ? { column } : {}) });
    expect(result.problems[0]?.message).toContain(message);
  });

  it('refuses the same uid or email twice in one file, pointing at the first', async () => {
    const result = await importDirectory(db.db, directory(rivière[1] ?? '', rivière[1] ?? ''));
    expect(result).toEqual({
      ok: false,
      problems: [
        { line: 3, column: 'uid', message: 'déjà présent ligne 2' },
        { line: 3, column: 'email', message: 'déjà présent ligne 2' },
      ],
    });
  });
});

describe('npm run directory:import', () => {
  const root = fileURLToPath(new URL('..', import.meta.url));
  const run = (file: string) =>
    promisify(execFile)(process.execPath, ['--import', 'tsx', 'db/import-directory-cli.ts', file], {
      cwd: root,
      env: { ...process.env, DATABASE_URL: db.url, NODE_ENV: 'test' },
    }).then(
      (r) => ({ code: 0, ...r }),
      (e: { code: number; stdout: string; stderr: string }) => e,
    );

  it('imports a file and prints what it did, or prints the problems and exits 1', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'okey-import-'));
    const good = join(dir, 'annuaire.csv');
    writeFileSync(
      good,
      directory(
        'lriviere;Lina;Rivière;lina.riviere@academie.example;CPE;9740099A;;fboyer;non;non;;',
      ),
    );
    const ok = await run(good);
    expect(ok.stderr).toBe('');
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.stdout)).toMatchObject({ msg: 'directory imported', created: 1 });

    const bad = join(dir, 'erreur.csv');
    writeFileSync(bad, directory(row({ 0: 'kbègue', 7: 'personne' })));
    const refused = await run(bad);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('rien n’a été importé');
    expect(refused.stderr).toContain('ligne 2, colonne uid');
    const names = await db.db
      .select()
      .from(people)
      .where(inArray(people.uid, ['kbègue']));
    expect(names).toEqual([]);
  });
});
