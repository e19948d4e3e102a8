/**
 * Object keys: uploads/{sub}/{YYYY}/{MM}/{DD}/{id}/{safeName} (docs/http-api.md).
 *
 * The same user, the same client-chosen id and the same name on the same UTC
 * day give the same key, so a retried upload overwrites instead of duplicating.
 */
import { randomUUID } from 'node:crypto';

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/** A client-chosen id is accepted in any letter case and normalized to lower case. */
export function normalizeUploadId(id: string): string | undefined {
  const lower = id.toLowerCase();
  return UUID_V4.test(lower) ? lower : undefined;
}

export function newUploadId(): string {
  return randomUUID();
}

export function buildObjectKey(parts: { prefix: string; sub: string; now: Date; id: string; safeName: string }): string {
  const { prefix, sub, now, id, safeName } = parts;
  const yyyy = String(now.getUTCFullYear()).padStart(4, '0');
  const mm = String(now.getUTCMonth() + 1).padStart(2, '0');
  const dd = String(now.getUTCDate()).padStart(2, '0');
  return `${prefix}${sub}/${yyyy}/${mm}/${dd}/${id}/${safeName}`;
}
