import contentDisposition from 'content-disposition';
import { and, eq } from 'drizzle-orm';
import { Hono } from 'hono';
import { formatDate } from '../../activities/templates.js';
import { attachments } from '../../db/schema.js';
import type { AppEnv } from '../context.js';
import { HttpError, notFound } from '../errors.js';
import { findRenewal, requireRole } from '../views.js';

/**
 * Serving a stored name back: path separators become "_" so no browser reads a folder into it,
 * the ASCII fallback drops accents for old clients and `filename*` (RFC 5987/6266) carries the
 * real name in UTF-8.
 */
export function attachmentDisposition(filename: string): string {
  const served = filename.replace(/[/\\]/g, '_');
  const ascii = served
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^\x20-\x7e]/g, '_');
  return contentDisposition(served, { fallback: ascii });
}

/** One supporting document, as it was uploaded, to the agent, the approvers and operators. */
export const attachmentRoutes = new Hono<AppEnv>().get(
  '/:id/attachments/:attachmentId',
  async (c) => {
    const { db } = c.var.deps;
    const r = await findRenewal(db, c.req.param('id'));
    requireRole(c.var.user, r, 'requester', 'approver', 'operator');
    const attachmentId = c.req.param('attachmentId');
    if (!/^[0-9a-f-]{36}$/i.test(attachmentId)) throw notFound('Document');
    const [doc] = await db
      .select()
      .from(attachments)
      .where(and(eq(attachments.id, attachmentId), eq(attachments.renewalId, r.id)));
    if (!doc) throw notFound('Document');
    if (doc.deletedAt || !doc.content) {
      const on = doc.deletedAt ? ` le ${formatDate(doc.deletedAt)}` : '';
      throw new HttpError(
        410,
        'document_deleted',
        `Le document « ${doc.filename} » a été supprimé${on} à la fin de sa durée de conservation ; ` +
          'seuls son nom, sa taille et son empreinte sont conservés.',
      );
    }
    return c.body(new Uint8Array(doc.content), 200, {
      'content-type': doc.contentType,
      'content-length': String(doc.content.byteLength),
      'content-disposition': attachmentDisposition(doc.filename),
      'x-content-type-options': 'nosniff',
      // Nothing in a document may run in okey's origin, and nothing is kept by shared caches.
      'content-security-policy': "default-src 'none'; sandbox",
      'cache-control': 'private, no-store',
      etag: `"${doc.sha256}"`,
    });
  },
);
