import { randomBytes } from 'node:crypto';
import postgres from 'postgres';
import { openDatabase } from '../db/client.js';
import { importDirectory } from '../db/import-directory.js';
import { loadConfigOrExit } from '../lib/config.js';

/**
 * `npm run bench:directory-import [-- 5000]`: times the import of a generated directory export
 * into a temporary database on the PostgreSQL named by DATABASE_URL, then its re-import (nothing
 * to change) and an import where every tenth person changed. Prints the figures; drops the
 * database afterwards. A benchmark, not a test: the README gives the figure measured.
 */
const serverUrl = loadConfigOrExit().DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const count = Number(process.argv[2] ?? 5000);

/** One académie: 1 rectorat, inspectors over principals over staff; some ONDE delegations. */
function generateDirectory(n: number, edition = 0): string {
  const rows = [
    'uid,first_name,last_name,email,title,establishment_uai,establishment_name,manager_uid,' +
      'is_permanent_director,is_operator,onde_delegation_start,onde_delegation_end',
  ];
  for (let i = 0; i < n; i++) {
    const school = Math.floor(i / 50);
    const uai = `974${String(school).padStart(4, '0')}${'ABCDEFGHJKLMNPRSTUVWXYZ'[school % 23]}`;
    const head = school * 50;
    const inspector = Math.floor(school / 10) * 500;
    const manager = i === head ? (head === inspector ? '' : `p${inspector}`) : `p${head}`;
    const title =
      i === head ? 'Principal' : edition && i % 10 === 0 ? `Professeur ${edition}` : 'Professeur';
    const onde = i % 97 === 0 ? '2025-09-01,2026-08-31' : ',';
    rows.push(
      [
        `p${i}`,
        `Prénom${i}`,
        `Nom${i}`,
        `p${i}@academie.example`,
        title,
        uai,
        i === head ? `Établissement ${school}` : '',
        manager,
        i % 200 === 1 ? 'oui' : 'non',
        i < 5 ? 'oui' : 'non',
        onde,
      ].join(','),
    );
  }
  return `${rows.join('\n')}\n`;
}

const name = `okey_bench_${randomBytes(4).toString('hex')}`;
const admin = postgres(serverUrl, { max: 1, onnotice: () => {} });
await admin.unsafe(`create database ${name}`);
const url = new URL(serverUrl);
url.pathname = `/${name}`;
const database = await openDatabase({ url: url.toString(), pgliteDir: '' });
try {
  await database.migrate();
  const timed = async (label: string, csv: string) => {
    const started = performance.now();
    const result = await importDirectory(database.db, csv);
    const ms = Math.round(performance.now() - started);
    if (!result.ok) throw new Error(`${label}: ${JSON.stringify(result.problems.slice(0, 3))}`);
    process.stdout.write(
      `${label.padEnd(28)} ${String(ms).padStart(6)} ms  ${JSON.stringify(result.counts)}\n`,
    );
  };
  process.stdout.write(`${count} people, PostgreSQL ${url.host}\n`);
  await timed('first import', generateDirectory(count));
  await timed('same file again', generateDirectory(count));
  await timed('one in ten changed', generateDirectory(count, 2));
} finally {
  await database.close();
  await admin.unsafe(`drop database if exists ${name} with (force)`);
  await admin.end();
}
