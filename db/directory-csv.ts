import { CsvError, parse } from 'csv-parse/sync';
import { z } from 'zod';

/** Établissement codes: 7 digits and a check letter (9740045X). */
export const uaiPattern = /^\d{7}[A-Z]$/;

/** A calendar date, written 2024-09-01 or 01/09/2024, returned as 2024-09-01. */
export const isoDate = z
  .string()
  .trim()
  .transform((v, ctx) => {
    const french = /^(\d{2})\/(\d{2})\/(\d{4})$/.exec(v);
    const iso = french ? `${french[3]}-${french[2]}-${french[1]}` : v;
    const d = new Date(`${iso}T00:00:00Z`);
    if (
      !/^\d{4}-\d{2}-\d{2}$/.test(iso) ||
      Number.isNaN(d.getTime()) ||
      !d.toISOString().startsWith(iso)
    ) {
      ctx.addIssue({ code: 'custom', message: 'date attendue au format AAAA-MM-JJ ou JJ/MM/AAAA' });
      return z.NEVER;
    }
    return iso;
  });

export interface Delegation {
  start: string;
  end: string | null;
}

export interface DirectoryRow {
  line: number;
  uid: string;
  firstName: string;
  lastName: string;
  email: string;
  title: string;
  establishmentUai: string | null;
  establishmentName: string | null;
  managerUid: string | null;
  isPermanentDirector: boolean;
  isOperator: boolean;
  delegation: Delegation | null;
}

export interface Problem {
  line: number;
  column?: string;
  message: string;
}

export const requiredColumns = [
  'uid',
  'first_name',
  'last_name',
  'email',
  'title',
  'establishment_uai',
  'manager_uid',
  'is_permanent_director',
  'is_operator',
] as const;
export const optionalColumns = [
  'establishment_name',
  'onde_delegation_start',
  'onde_delegation_end',
] as const;
type Column = (typeof requiredColumns)[number] | (typeof optionalColumns)[number];

const text = (max: number) => z.string().trim().min(1, 'valeur obligatoire').max(max, 'trop long');
const optional = (schema: z.ZodType<string, string>) =>
  z
    .string()
    .trim()
    .transform((v) => (v === '' ? null : v))
    .pipe(schema.nullable());
const yesNo = z
  .string()
  .trim()
  .toLowerCase()
  .refine((v) => ['', 'oui', 'non', 'o', 'n', 'true', 'false', '1', '0'].includes(v), {
    message: 'oui ou non attendu',
  })
  .transform((v) => ['oui', 'o', 'true', '1'].includes(v));

const fields: Record<Column, z.ZodType> = {
  uid: text(64).regex(/^[a-z0-9][a-z0-9._-]*$/, 'minuscules, chiffres, point, tiret attendus'),
  first_name: text(100),
  last_name: text(100),
  email: text(254).toLowerCase().pipe(z.email('adresse e-mail invalide')),
  title: text(200),
  establishment_uai: optional(z.string().toUpperCase().regex(uaiPattern, 'code UAI invalide')),
  establishment_name: optional(text(200)),
  manager_uid: optional(text(64)),
  is_permanent_director: yesNo,
  is_operator: yesNo,
  onde_delegation_start: optional(isoDate),
  onde_delegation_end: optional(isoDate),
};

/**
 * Reads a directory export: a header naming the columns (any order, `,` or `;` separated), then
 * one person a line. Every problem is reported with its line and column; none is guessed away.
 */
export function parseDirectoryCsv(
  csv: string,
): { ok: true; rows: DirectoryRow[] } | { ok: false; problems: Problem[] } {
  const firstLine = csv.replace(/^\uFEFF/, '').split(/\r?\n/, 1)[0] ?? '';
  const delimiter = firstLine.split(';').length > firstLine.split(',').length ? ';' : ',';
  let records: { record: string[]; info: { lines: number } }[];
  let lastLine = 0;
  try {
    records = parse(csv, {
      bom: true,
      delimiter,
      info: true,
      skip_empty_lines: true,
      on_record: (record, context) => {
        lastLine = context.lines;
        return record;
      },
    }) as unknown as typeof records;
  } catch (err) {
    if (!(err instanceof CsvError)) throw err;
    // An unclosed quote runs to the end of the file: name the line where it opened.
    const line = err.code === 'CSV_QUOTE_NOT_CLOSED' ? lastLine + 1 : Number(err.lines) || 1;
    return { ok: false, problems: [{ line, message: csvMessage(err) }] };
  }
  const [header, ...body] = records;
  if (!header) return { ok: false, problems: [{ line: 1, message: 'fichier vide' }] };
  const columns = header.record.map((c) => c.trim().toLowerCase());
  const known = new Set<string>([...requiredColumns, ...optionalColumns]);
  const problems: Problem[] = [
    ...requiredColumns
      .filter((c) => !columns.includes(c))
      .map((c) => ({ line: 1, column: c, message: 'colonne manquante' })),
    ...columns
      .filter((c) => !known.has(c))
      .map((c) => ({ line: 1, column: c, message: 'colonne inconnue' })),
    ...columns
      .filter((c, i) => columns.indexOf(c) !== i)
      .map((c) => ({ line: 1, column: c, message: 'colonne en double' })),
  ];
  if (problems.length > 0) return { ok: false, problems };

  const rows: DirectoryRow[] = [];
  for (const { record, info } of body) {
    const line = info.lines;
    const values: Partial<Record<Column, unknown>> = {};
    for (const [column, schema] of Object.entries(fields) as [Column, z.ZodType][]) {
      const index = columns.indexOf(column);
      const parsed = schema.safeParse(index < 0 ? '' : (record[index] ?? ''));
      if (parsed.success) values[column] = parsed.data;
      else problems.push({ line, column, message: parsed.error.issues[0]?.message ?? 'invalide' });
    }
    const start = values.onde_delegation_start as string | null | undefined;
    const end = values.onde_delegation_end as string | null | undefined;
    if (end && start === null) {
      problems.push({
        line,
        column: 'onde_delegation_start',
        message: 'début de délégation manquant',
      });
    }
    if (start && end && end < start) {
      problems.push({ line, column: 'onde_delegation_end', message: 'fin avant le début' });
    }
    rows.push({
      line,
      uid: values.uid as string,
      firstName: values.first_name as string,
      lastName: values.last_name as string,
      email: values.email as string,
      title: values.title as string,
      establishmentUai: values.establishment_uai as string | null,
      establishmentName: values.establishment_name as string | null,
      managerUid: values.manager_uid as string | null,
      isPermanentDirector: values.is_permanent_director as boolean,
      isOperator: values.is_operator as boolean,
      delegation: start ? { start, end: end ?? null } : null,
    });
  }
  problems.push(...duplicates(rows, 'uid', (r) => r.uid));
  problems.push(...duplicates(rows, 'email', (r) => r.email));
  return problems.length > 0 ? { ok: false, problems } : { ok: true, rows };
}

function duplicates(rows: DirectoryRow[], column: Column, key: (r: DirectoryRow) => string) {
  const firstLine = new Map<string, number>();
  const out: Problem[] = [];
  for (const r of rows) {
    const k = key(r);
    if (k === undefined) continue;
    const seen = firstLine.get(k);
    if (seen === undefined) firstLine.set(k, r.line);
    else out.push({ line: r.line, column, message: `déjà présent ligne ${seen}` });
  }
  return out;
}

function csvMessage(err: CsvError): string {
  switch (err.code) {
    case 'CSV_RECORD_INCONSISTENT_FIELDS_LENGTH':
      return 'nombre de champs différent de celui de l’en-tête';
    case 'CSV_QUOTE_NOT_CLOSED':
      return 'guillemet ouvert jamais refermé';
    default:
      return `CSV illisible (${err.code})`;
  }
}

/** `ligne 4, colonne email : adresse e-mail invalide` */
export const describeProblem = (p: Problem) =>
  `ligne ${p.line}${p.column ? `, colonne ${p.column}` : ''} : ${p.message}`;
