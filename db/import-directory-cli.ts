import { readFileSync } from 'node:fs';
import { loadConfigOrExit } from '../lib/config.js';
import { openDatabase } from './client.js';
import { describeProblem } from './directory-csv.js';
import { importDirectory } from './import-directory.js';

/**
 * `npm run directory:import -- annuaire.csv`: loads a directory export into the database named by
 * the configuration (migrated first). Problems go to stderr, one a line, and nothing is written.
 */
const file = process.argv[2];
if (!file) {
  process.stderr.write('usage : npm run directory:import -- <fichier.csv>\n');
  process.exit(2);
}
const config = loadConfigOrExit();
let csv: string;
try {
  csv = readFileSync(file, 'utf8');
} catch (err) {
  process.stderr.write(
    `okey: fichier illisible : ${file} (${(err as NodeJS.ErrnoException).code})\n`,
  );
  process.exit(2);
}
const database = await openDatabase({ url: config.DATABASE_URL, pgliteDir: config.PGLITE_DIR });
await database.migrate();
const started = performance.now();
const result = await importDirectory(database.db, csv);
await database.close();
if (!result.ok) {
  process.stderr.write(`${file} : rien n’a été importé.\n`);
  for (const p of result.problems) process.stderr.write(`${file}, ${describeProblem(p)}\n`);
  process.exit(1);
}
process.stdout.write(
  `${JSON.stringify({
    level: 'info',
    msg: 'directory imported',
    ...result.counts,
    ms: Math.round(performance.now() - started),
  })}\n`,
);
