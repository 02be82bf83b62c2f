import { readFileSync } from 'node:fs';
import { eq } from 'drizzle-orm';
import type { Database } from '../../db/client.js';
import { keys, people } from '../../db/schema.js';

const fixture = (name: string) => readFileSync(new URL(`../fixtures/${name}`, import.meta.url));

/** Real files: a PDF, a phone photo with its EXIF, an iPhone HEIC, a scan, and two impostors. */
export const files = {
  pdf: fixture('justificatif.pdf'),
  jpeg: fixture('photo-telephone.jpg'),
  heic: fixture('photo-iphone.heic'),
  png: fixture('scan.png'),
  empty: fixture('vide.pdf'),
  textAsPdf: fixture('texte-deguise.pdf'),
};

/**
 * A valid JPEG of `bytes` bytes, made at test time rather than committed: the phone photo with
 * APP15 segments of padding inserted after its start marker, as a camera's maker notes would be.
 */
export function bigPhoto(bytes: number): Buffer {
  const photo = files.jpeg;
  const segments: Buffer[] = [photo.subarray(0, 2)];
  let size = photo.length;
  while (size < bytes) {
    const payload = Math.min(65533, Math.max(1, bytes - size - 4));
    const segment = Buffer.alloc(payload + 4, 0x20);
    segment.writeUInt16BE(0xffef, 0);
    segment.writeUInt16BE(payload + 2, 2);
    segments.push(segment);
    size += segment.length;
  }
  segments.push(photo.subarray(2));
  return Buffer.concat(segments);
}

/** A PDF with different bytes (and so another sha256) from the same real document. */
export const variantPdf = (tag: string) => Buffer.concat([files.pdf, Buffer.from(`\n%${tag}\n`)]);

export function form(entries: [string, Uint8Array][], fields: Record<string, string> = {}) {
  const body = new FormData();
  for (const [name, bytes] of entries) body.append('files', new File([bytes], name));
  for (const [k, v] of Object.entries(fields)) body.append(k, v);
  return body;
}

let serial = 600_000_000_000;
/** Another key for a directory user, so a test file can open as many renewals as it needs. */
export async function giveKey(
  db: Database,
  uid: string,
  type: 'software' | 'hardware' = 'software',
): Promise<string> {
  const [person] = await db.select({ id: people.id }).from(people).where(eq(people.uid, uid));
  if (!person) throw new Error(`no ${uid} in the directory`);
  serial += 1 + Math.floor(Math.random() * 1000);
  const keySerial = String(serial).padStart(12, '0');
  await db
    .insert(keys)
    .values({ serial: keySerial, personId: person.id, type, expiresOn: '2027-06-30' });
  return keySerial;
}
