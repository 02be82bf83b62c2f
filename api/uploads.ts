import { createHash } from 'node:crypto';
import { HttpError } from './errors.js';

export interface UploadLimits {
  maxFiles: number;
  maxFileBytes: number;
}

export interface AcceptedFile {
  filename: string;
  contentType: string;
  size: number;
  sha256: string;
  content: Uint8Array;
}

const heicBrands = new Set(['heic', 'heix', 'hevc', 'hevx', 'heim', 'heis', 'mif1', 'msf1']);

/** The file's real type from its first bytes; the name and the browser's claim are not trusted. */
export function sniffType(bytes: Uint8Array): string | null {
  const ascii = (from: number, to: number) => String.fromCharCode(...bytes.subarray(from, to));
  if (ascii(0, 5) === '%PDF-') return 'application/pdf';
  if (bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'image/jpeg';
  if (ascii(0, 8) === '\x89PNG\r\n\x1a\n') return 'image/png';
  if (ascii(4, 8) === 'ftyp' && heicBrands.has(ascii(8, 12))) return 'image/heic';
  return null;
}

const accepted = 'PDF, JPEG, PNG ou HEIC';

/** Checks every file before any is stored, so a refused upload stores nothing. */
export async function acceptFiles(files: File[], limits: UploadLimits): Promise<AcceptedFile[]> {
  if (files.length === 0) {
    throw new HttpError(422, 'no_files', 'Aucun fichier reçu : joignez au moins un justificatif.');
  }
  if (files.length > limits.maxFiles) {
    throw new HttpError(
      422,
      'too_many_files',
      `Trop de fichiers : ${limits.maxFiles} au maximum par envoi.`,
    );
  }
  const out: AcceptedFile[] = [];
  for (const file of files) {
    const name = cleanFilename(file.name);
    if (file.size === 0) {
      throw new HttpError(422, 'empty_file', `Le fichier « ${name} » est vide.`);
    }
    if (file.size > limits.maxFileBytes) {
      const mb = Math.round(limits.maxFileBytes / 1_000_000);
      throw new HttpError(413, 'file_too_large', `Le fichier « ${name} » dépasse ${mb} Mo.`);
    }
    const content = new Uint8Array(await file.arrayBuffer());
    const contentType = sniffType(content);
    if (!contentType) {
      throw new HttpError(
        415,
        'unsupported_file_type',
        `Le fichier « ${name} » n’est pas un document accepté (${accepted}).`,
      );
    }
    const sha256 = createHash('sha256').update(content).digest('hex');
    out.push({ filename: name, contentType, size: content.byteLength, sha256, content });
  }
  return out;
}

/**
 * The name as the agent gave it — accents, spaces, quotes and slashes kept — without what could
 * fool a reader or a header: control characters and bidirectional overrides (the RTLO trick
 * that shows "facture‮fdp.exe" as "facture exe.pdf"). Composed to NFC, as macOS sends NFD.
 */
export function cleanFilename(raw: string): string {
  const cleaned = raw
    .normalize('NFC')
    // biome-ignore lint/suspicious/noControlCharactersInRegex: removing them is the point
    .replace(/[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g, '')
    .trim();
  return [...cleaned].slice(0, 200).join('') || 'document';
}

/** Multipart `files` entries, whether one or many were sent. */
export function filesOf(body: Record<string, unknown>): File[] {
  const value = body.files ?? body['files[]'];
  const list = Array.isArray(value) ? value : value === undefined ? [] : [value];
  if (list.some((v) => !(v instanceof File))) {
    throw new HttpError(422, 'not_a_file', 'Le champ « files » doit contenir des fichiers.');
  }
  return list as File[];
}
