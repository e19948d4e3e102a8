/**
 * The upload inspector Lambda, triggered by S3 ObjectCreated notifications
 * on the upload prefix. Config and the S3 client are built once, here, at
 * cold start; a bad environment throws InspectorConfigError now, failing the
 * cold start with a message that names every bad variable.
 */
import { S3Client } from '@aws-sdk/client-s3';
import { parseInspectorConfig } from './core/config';
import { createInspectorHandler } from './handler';
import { S3UploadStore } from './s3/s3-upload-store';

/** The SDK's default: one try and two retries, with backoff, before the event itself is retried. */
const S3_MAX_ATTEMPTS = 3;

const config = parseInspectorConfig(process.env);
const client = new S3Client({ maxAttempts: S3_MAX_ATTEMPTS });

export const handler = createInspectorHandler({ config, store: new S3UploadStore(client, { kmsKeyId: config.kmsKeyId }) });
