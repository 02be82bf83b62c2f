import { gt, sql } from 'drizzle-orm';
import type { Database } from './client.js';
import { establishments, people, slots } from './schema.js';

/** Fictional directory used by `npm start` and the tests (the procedure's own example). */
export const demoEstablishments = [
  { uai: '9740045X', name: 'Collège Les Tamarins', kind: 'college' },
  { uai: '9740310K', name: 'École primaire Les Filaos', kind: 'ecole' },
  { uai: '9740001R', name: 'Circonscription Saint-Denis 1', kind: 'circonscription' },
  { uai: '9741444D', name: 'Rectorat de La Réunion — DSI', kind: 'rectorat' },
];

const person = <T extends { title: string }>(
  uid: string,
  firstName: string,
  lastName: string,
  extra: T,
) => ({
  uid,
  firstName,
  lastName,
  email: `${ascii(firstName)}.${ascii(lastName)}@academie.example`,
  ...extra,
});

const ascii = (s: string) =>
  s
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase();

export const demoPeople = [
  person('sgrondin', 'Sophie', 'Grondin', {
    title: "Inspectrice de l'Éducation nationale",
    establishmentUai: '9740001R',
  }),
  person('jhoarau', 'Jean', 'Hoarau', {
    title: 'Principal',
    establishmentUai: '9740045X',
    manager: 'sgrondin',
  }),
  person('mpayet', 'Marie', 'Payet', {
    title: 'Professeure',
    establishmentUai: '9740045X',
    manager: 'jhoarau',
  }),
  person('lfontaine', 'Luc', 'Fontaine', {
    title: "Directeur d'école",
    establishmentUai: '9740310K',
    manager: 'sgrondin',
    isPermanentDirector: true,
  }),
  person('ntecher', 'Nadia', 'Técher', {
    title: 'Ingénieure sécurité (ISR)',
    establishmentUai: '9741444D',
    isOperator: true,
  }),
] as const;

export const demoKeys = [
  { serial: '000508901031', owner: 'mpayet', type: 'software', expiresOn: '2023-06-30' },
  { serial: '000508901032', owner: 'lfontaine', type: 'hardware', expiresOn: '2027-01-31' },
] as const;

/** Idempotent: running it again refreshes people and keeps their requests and history. */
export async function seedDemo(db: Database, now = new Date()): Promise<void> {
  await db.transaction(async (tx) => {
    await tx.insert(establishments).values(demoEstablishments).onConflictDoNothing();
    for (const p of demoPeople) {
      const { manager: _m, ...row } = p as typeof p & { manager?: string };
      await tx
        .insert(people)
        .values(row)
        .onConflictDoUpdate({
          target: people.uid,
          set: { ...row, updatedAt: sql`now()` },
        });
    }
    for (const p of demoPeople) {
      const manager = (p as { manager?: string }).manager;
      if (!manager) continue;
      await tx.execute(
        sql`update people set manager_id = (select id from people where uid = ${manager})
            where uid = ${p.uid}`,
      );
    }
    for (const k of demoKeys) {
      await tx.execute(
        sql`insert into keys (serial, person_id, type, expires_on)
            select ${k.serial}, id, ${k.type}, ${k.expiresOn} from people where uid = ${k.owner}
            on conflict do nothing`,
      );
    }
    const future = await tx.select({ id: slots.id }).from(slots).where(gt(slots.startsAt, now));
    if (future.length === 0) await tx.insert(slots).values(pickupSlots(now));
  });
}

/** Two pickup slots per working day for the next three weeks, 09:00 and 14:00 Réunion time. */
export function pickupSlots(now: Date): { startsAt: Date; location: string }[] {
  const out: { startsAt: Date; location: string }[] = [];
  const day = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()));
  for (let i = 1; i <= 21; i++) {
    const d = new Date(day.getTime() + i * 86_400_000);
    const weekday = d.getUTCDay();
    if (weekday === 0 || weekday === 6) continue;
    for (const hour of [9, 14]) {
      // Indian/Reunion is UTC+4 all year round.
      out.push({
        startsAt: new Date(d.getTime() + (hour - 4) * 3_600_000),
        location: 'Rectorat, DSI — bureau des clefs, Saint-Denis',
      });
    }
  }
  return out;
}
