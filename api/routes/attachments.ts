import { and, eq } from 'drizzle-orm';
import { Hono } from 'hono';
import { attachments } from '../../db/schema.js';
import type { AppEnv } from '../context.js';
import { notFound } from '../errors.js';
import { findRenewal, requireRole } from '../views.js';

/** `attachment; filename="ordre_de_mission.pdf"; filename*=UTF-8''ordre%20de%20mission.pdf` */
export function contentDisposition(filename: string): string {
  const ascii = filename
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^\x20-\x7e]|["\\%]/g, '_');
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(filename)}`;
}

/** One supporting document, as uploaded, to the people who have a part in the request. */
export const attachmentRoutes = new Hono<AppEnv>().get(
  '/:id/attachments/:attachmentId',
  async (c) => {
    const { db } = c.var.deps;
    const r = await findRenewal(db, c.req.param('id'));
    requireRole(c.var.user, r, 'requester', 'approver', 'operator');
    const attachmentId = c.req.param('attachmentId');
    if (!/^[0-9a-f-]{36}$/i.test(attachmentId)) throw notFound('Document');
    const [file] = await db
      .select()
      .from(attachments)
      .where(and(eq(attachments.id, attachmentId), eq(attachments.renewalId, r.id)));
    if (!file?.content) throw notFound('Document');
    return c.body(new Uint8Array(file.content), 200, {
      'content-type': file.contentType,
      'content-disposition': contentDisposition(file.filename),
      'cache-control': 'private, no-store',
    });
  },
);
