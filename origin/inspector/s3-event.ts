/**
 * The S3 event notification, at the boundary: `unknown` until checked, then
 * one target per record: inspect it, or skip it with the reason why. Keys in
 * S3 events are URL-encoded as in a form (a space is `+`); they are decoded
 * here, once.
 */
import type { InspectorConfig } from './core/config';
import { isPlainObject } from '../../edge-functions/core/safe-json';

export type RecordTarget =
  | { readonly action: 'inspect'; readonly bucket: string; readonly key: string; readonly eventName: string }
  | { readonly action: 'skip'; readonly bucket: string; readonly key: string; readonly eventName: string; readonly why: string };

export function recordTargets(event: unknown, config: InspectorConfig): RecordTarget[] {
  const records = isPlainObject(event) && Array.isArray(event.Records) ? (event.Records as unknown[]) : undefined;
  // S3 sends one s3:TestEvent, without Records, when a notification is configured.
  if (records === undefined)
    return [{ action: 'skip', bucket: '', key: '', eventName: '', why: 'not an S3 event notification (no Records)' }];
  return records.map((record) => target(record, config));
}

function target(record: unknown, config: InspectorConfig): RecordTarget {
  const s3 = isPlainObject(record) && isPlainObject(record.s3) ? record.s3 : undefined;
  const bucket = s3 !== undefined && isPlainObject(s3.bucket) && typeof s3.bucket.name === 'string' ? s3.bucket.name : '';
  const rawKey = s3 !== undefined && isPlainObject(s3.object) && typeof s3.object.key === 'string' ? s3.object.key : undefined;
  const eventName = isPlainObject(record) && typeof record.eventName === 'string' ? record.eventName : '';
  const skip = (why: string, key = rawKey ?? '') => ({ action: 'skip', bucket, key, eventName, why }) as const;

  if (!isPlainObject(record) || record.eventSource !== 'aws:s3' || rawKey === undefined || bucket === '') return skip('not an S3 record');
  if (!eventName.startsWith('ObjectCreated:')) return skip('not an ObjectCreated event');
  let key: string;
  try {
    key = decodeURIComponent(rawKey.replace(/\+/g, ' '));
  } catch {
    return skip('the key is not valid URL encoding');
  }
  if (bucket !== config.bucket) return skip(`not the upload bucket`, key);
  if (!key.startsWith(config.uploadPrefix) || key.length === config.uploadPrefix.length)
    return skip(`not under ${config.uploadPrefix}`, key);
  return { action: 'inspect', bucket, key, eventName };
}

/** A key as S3 writes it into an event: each character URL-encoded as in a form, `/` kept. For the local stack and tests. */
export function encodeEventKey(key: string): string {
  return key
    .split('/')
    .map((segment) => encodeURIComponent(segment).replace(/%20/g, '+'))
    .join('/');
}
