import { randomBytes } from 'node:crypto';
import postgres from 'postgres';
import { type DatabaseHandle, openDatabase } from '../../db/client.js';
import { seedDemo } from '../../db/seed.js';

export const serverUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/**
 * A new database on the real PostgreSQL server for one test file: migrated, seeded with the demo
 * directory, dropped afterwards. Files never see each other's rows.
 */
export async function freshDatabase(options: { seed?: boolean } = {}) {
  const name = `okey_test_${randomBytes(5).toString('hex')}`;
  const admin = postgres(serverUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database ${name}`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  const handle: DatabaseHandle = await openDatabase({ url: url.toString(), pgliteDir: '' });
  await handle.migrate();
  if (options.seed !== false) await seedDemo(handle.db);
  return {
    ...handle,
    url: url.toString(),
    async drop() {
      await handle.close();
      await admin.unsafe(`drop database if exists ${name} with (force)`);
      await admin.end();
    },
  };
}
