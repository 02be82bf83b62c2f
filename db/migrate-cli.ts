import { loadConfigOrExit } from '../lib/config.js';
import { openDatabase } from './client.js';
import { seedDemo } from './seed.js';

/** `npm run db:migrate [-- --seed]`: applies the migrations, and with --seed the demo directory. */
const config = loadConfigOrExit();
const database = await openDatabase({ url: config.DATABASE_URL, pgliteDir: config.PGLITE_DIR });
await database.migrate();
if (process.argv.includes('--seed')) await seedDemo(database.db);
await database.close();
process.stdout.write(
  `${JSON.stringify({ level: 'info', msg: 'database migrated', kind: database.kind })}\n`,
);
