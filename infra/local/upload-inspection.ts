/**
 * The upload inspector in the local stack: what S3's event notification and
 * Lambda do on AWS, in process. s3rver emits an event for every object it
 * stores; ObjectCreated events under the upload prefix are turned into the
 * S3Event shape S3 sends (key URL-encoded as S3 encodes it) and given to the
 * real inspector handler, whose S3 client talks to the POST-policy guard
 * like any other S3 caller.
 *
 * Inspections run in the background, one at a time in arrival order (as a
 * reserved concurrency of 1 would on AWS), and `close()` waits for the ones
 * under way, so stopping the stack never cuts one in half.
 *
 * Each verdict's event goes to the local event bus (local-events.ts), which
 * stands in for EventBridge's default bus.
 *
 * Differences from AWS: a failed inspection is logged and dropped (no
 * Lambda retries, no dead-letter queue). The bucket policy's read and
 * tagging rules are the guard's (its `readRule`), and every write starts the
 * object with its own tags only, as in S3 (s3rver.ts), so a re-upload to a
 * verified key is unreadable until the inspector has looked at it again.
 */
import { S3Client } from '@aws-sdk/client-s3';
import type { S3Event } from 'aws-lambda';
import { parseInspectorConfig } from '../../origin/inspector/core/config';
import { jsonLineInspectionLogger } from '../../origin/inspector/core/inspection-log';
import type { VerdictPublisher } from '../../origin/inspector/core/verdict-events';
import { createInspectorHandler } from '../../origin/inspector/handler';
import { S3UploadStore } from '../../origin/inspector/s3/s3-upload-store';
import { encodeEventKey } from '../../origin/inspector/s3-event';

export interface LocalUploadInspectionOptions {
  /** Where the inspector's S3 client sends its calls: the guard's root, path-style. */
  readonly s3Endpoint: string;
  readonly bucket: string;
  readonly region: string;
  readonly credentials: { readonly accessKeyId: string; readonly secretAccessKey: string };
  readonly kmsKeyId: string;
  /** Where each verdict's event goes (the local event bus). */
  readonly events: VerdictPublisher;
  /** One JSON line per inspected object. */
  readonly log: (line: string) => void;
}

export interface LocalUploadInspection {
  /** Give it every event s3rver emits; it picks the ObjectCreated ones under the upload prefix. */
  onS3rverEvent(event: unknown): void;
  /** Resolves when every inspection started so far has finished. */
  idle(): Promise<void>;
  /** Waits for inspections under way, then stops taking events. */
  close(): Promise<void>;
}

export function createLocalUploadInspection(options: LocalUploadInspectionOptions): LocalUploadInspection {
  const config = parseInspectorConfig({ UPLOAD_BUCKET: options.bucket, UPLOAD_KMS_KEY_ID: options.kmsKeyId });
  const client = new S3Client({
    endpoint: options.s3Endpoint,
    forcePathStyle: true,
    region: options.region,
    credentials: { ...options.credentials },
    maxAttempts: 3,
  });
  const handler = createInspectorHandler({
    config,
    store: new S3UploadStore(client, { kmsKeyId: config.kmsKeyId }),
    logger: jsonLineInspectionLogger(options.log),
    events: options.events,
  });

  let queue: Promise<void> = Promise.resolve();
  let closed = false;

  return {
    onS3rverEvent(event) {
      if (closed) return;
      const created = awsShapedEvent(event, config.uploadPrefix);
      if (created === undefined) return;
      // The handler logs each failure itself; here a failure only must not stop the queue.
      queue = queue.then(() => handler(created)).catch(() => undefined);
    },
    idle: () => queue,
    async close() {
      closed = true;
      await queue;
      client.destroy();
    },
  };
}

/**
 * s3rver's event, as S3 would have sent it: only ObjectCreated records under
 * the prefix (the notification's filter on AWS), keys URL-encoded. Anything
 * not shaped like s3rver's event is ignored.
 */
function awsShapedEvent(event: unknown, uploadPrefix: string): S3Event | undefined {
  if (typeof event !== 'object' || event === null || !Array.isArray((event as { Records?: unknown }).Records)) return undefined;
  const records = (event as { Records: unknown[] }).Records.flatMap((record) => {
    const r = record as { eventName?: unknown; s3?: { object?: { key?: unknown } } };
    const key = r.s3?.object?.key;
    if (
      typeof r.eventName !== 'string' ||
      !r.eventName.startsWith('ObjectCreated:') ||
      typeof key !== 'string' ||
      !key.startsWith(uploadPrefix)
    )
      return [];
    const s3 = r.s3 as Record<string, unknown>;
    return [{ ...(record as object), s3: { ...s3, object: { ...(s3.object as object), key: encodeEventKey(key) } } }];
  });
  return records.length === 0 ? undefined : ({ Records: records } as unknown as S3Event);
}
