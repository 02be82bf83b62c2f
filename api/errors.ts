import { WorkflowUpdateFailedError } from '@temporalio/client';
import { ApplicationFailure, WorkflowNotFoundError } from '@temporalio/common';
import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { z } from 'zod';

// People read these messages: zod's own (wrong type, too long…) in French too.
z.config(z.locales.fr());

/** The one HTTP error type: a status, a stable English code and a French message for people. */
export class HttpError extends Error {
  constructor(
    readonly status: ContentfulStatusCode,
    readonly code: string,
    message: string,
    readonly fields?: Record<string, string>,
  ) {
    super(message);
  }
}

export const notFound = (what = 'Demande') =>
  new HttpError(404, 'not_found', `${what} introuvable.`);
export const forbidden = (message = 'Vous n’avez pas accès à cette ressource.') =>
  new HttpError(403, 'forbidden', message);

/** How the workflow's typed refusals become HTTP answers. */
const refusals: Record<string, [ContentfulStatusCode, string]> = {
  InvalidState: [409, 'invalid_state'],
  InvalidInput: [422, 'invalid_input'],
  WrongCharterCode: [422, 'wrong_charter_code'],
  CharterLocked: [409, 'charter_locked'],
  AlreadyDecided: [409, 'already_decided'],
  SlotUnavailable: [409, 'slot_unavailable'],
};

export function toHttpError(err: unknown): HttpError | null {
  if (err instanceof HttpError) return err;
  if (err instanceof z.ZodError) {
    const fields = Object.fromEntries(
      err.issues.map((i) => [i.path.join('.') || 'body', i.message]),
    );
    const names = Object.keys(fields).join(', ');
    return new HttpError(422, 'validation_failed', `Champs invalides : ${names}.`, fields);
  }
  if (err instanceof WorkflowUpdateFailedError && err.cause instanceof ApplicationFailure) {
    const [status, code] = refusals[err.cause.type ?? ''] ?? [409, 'refused'];
    return new HttpError(status, code, err.cause.message);
  }
  if (err instanceof WorkflowNotFoundError) {
    return new HttpError(
      409,
      'renewal_closed',
      'Cette demande est close : l’action n’est plus possible.',
    );
  }
  return null;
}

export function errorBody(e: HttpError) {
  return { error: { code: e.code, message: e.message, ...(e.fields ? { fields: e.fields } : {}) } };
}

export function handleError(err: Error, c: Context) {
  const known = toHttpError(err);
  if (known) return c.json(errorBody(known), known.status);
  const status = (err as { status?: number }).status;
  if (status === 413) {
    return c.json(
      errorBody(new HttpError(413, 'too_large', 'La requête est trop volumineuse.')),
      413,
    );
  }
  c.var.log?.error('unhandled error', { error: err.name, detail: err.message.slice(0, 200) });
  return c.json(
    errorBody(
      new HttpError(500, 'internal', 'Une erreur interne est survenue. Réessayez plus tard.'),
    ),
    500,
  );
}

/** Parses a JSON body with a zod schema: 415 without JSON, 400 when unreadable, 422 when invalid. */
export async function jsonBody<T extends z.ZodType>(c: Context, schema: T): Promise<z.infer<T>> {
  const type = c.req.header('content-type') ?? '';
  if (!type.includes('application/json')) {
    throw new HttpError(
      415,
      'unsupported_media_type',
      'Le corps doit être du JSON (application/json).',
    );
  }
  let raw: unknown;
  try {
    raw = await c.req.json();
  } catch {
    throw new HttpError(400, 'malformed_json', 'Le corps de la requête n’est pas un JSON valide.');
  }
  return schema.parse(raw);
}
