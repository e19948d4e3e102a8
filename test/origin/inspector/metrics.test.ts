/**
 * The inspector's one log line per object is CloudWatch Embedded Metric
 * Format (README "Metrics"): Route `inspector`, Outcome OK for a verified
 * object, else its outcome code, and the Verified and Quarantined counts the
 * dashboard and the quarantine alarm read. Driven through the real handler
 * over an in-memory bucket (a stand-in with S3's ETag rules).
 */
import { createHash } from 'node:crypto';
import { parseInspectorConfig } from '../../../origin/inspector/core/config';
import { ObjectChangedError, ObjectGoneError, ObjectUnreadableError } from '../../../origin/inspector/core/errors';
import type { ByteRange } from '../../../origin/inspector/core/inspection';
import { jsonLineInspectionLogger } from '../../../origin/inspector/core/inspection-log';
import type { ObjectBytes, Tags, UploadStore } from '../../../origin/inspector/core/upload-store';
import { createInspectorHandler } from '../../../origin/inspector/handler';
import { expectedDirectives, parseEmfLine } from '../../support/emf';
import { HTML_PAGE, objectCreatedEvent, REAL_FILES } from './support/sample-files';

const BUCKET = 'edge-upload-metrics-test';
const config = parseInspectorConfig({
  UPLOAD_BUCKET: BUCKET,
  UPLOAD_KMS_KEY_ID: 'arn:aws:kms:us-east-1:000000000000:key/00000000-0000-4000-8000-00000000c0de',
});
const USER = '0f5e8c1a-5b7d-4c2e-9a31-7d2b6e4f8a90';
const WRITTEN_AT = 1_790_000_000_456;

interface StoredObject {
  readonly bytes: Buffer;
  readonly type: string;
  readonly etag: string;
  tags: Tags;
}

/** A bucket in memory, with If-Match on ETags as S3 applies it. */
class MemoryStore implements UploadStore {
  readonly objects = new Map<string, StoredObject>();
  /** When set, every call fails as S3 being unreachable would. */
  down = false;

  put(key: string, bytes: Buffer, type: string): void {
    this.objects.set(key, { bytes, type, etag: `"${createHash('md5').update(bytes).digest('hex')}"`, tags: {} });
  }
  private get(key: string, ifMatch?: string): StoredObject {
    if (this.down) throw Object.assign(new Error('connect ECONNREFUSED'), { name: 'NetworkingError' });
    const object = this.objects.get(key);
    if (object === undefined) throw new ObjectGoneError(key);
    if (ifMatch !== undefined && ifMatch !== object.etag) throw new ObjectChangedError(key);
    return object;
  }
  async readRange(_bucket: string, key: string, range: ByteRange, ifMatch?: string): Promise<ObjectBytes> {
    const object = this.get(key, ifMatch);
    if (object.bytes.length === 0 && range.start > 0) throw new ObjectUnreadableError(key, 'empty');
    return {
      bytes: object.bytes.subarray(range.start, range.end + 1),
      size: object.bytes.length,
      etag: object.etag,
      contentType: object.type,
    };
  }
  async copy(_bucket: string, source: string, destination: string, ifMatch: string, tags: Tags): Promise<void> {
    const object = this.get(source, ifMatch);
    this.objects.set(destination, { ...object, tags });
  }
  async delete(_bucket: string, key: string, ifMatch: string): Promise<void> {
    if (!this.objects.has(key)) return;
    this.get(key, ifMatch);
    this.objects.delete(key);
  }
  async putTags(_bucket: string, key: string, tags: Tags): Promise<void> {
    this.get(key).tags = tags;
  }
  async currentEtag(_bucket: string, key: string): Promise<string | undefined> {
    if (this.down) this.get(key);
    return this.objects.get(key)?.etag;
  }
}

let counter = 0;
const uploadKey = (name: string) =>
  `uploads/${USER}/2026/11/29/0b9a1c2d-3e4f-4a5b-8c6d-${String((counter += 1)).padStart(12, '0')}/${name}`;

function inspector(store: MemoryStore) {
  const lines: string[] = [];
  let clock = 100;
  const handler = createInspectorHandler({
    config,
    store,
    logger: jsonLineInspectionLogger(
      (line) => lines.push(line),
      () => WRITTEN_AT,
    ),
    now: () => (clock += 12.5),
    // The verdict events are not this suite's subject (verdict-events.test.ts): kept, not sent.
    events: { publish: async () => undefined },
  });
  return { handler, lines };
}

describe('the inspector log line, in Embedded Metric Format', () => {
  const png = REAL_FILES.find((file) => file.name === 'image.png');
  if (png === undefined) throw new Error('image.png sample missing');

  it('a verified object: Outcome OK, Verified 1, Quarantined 0, its latency, the EMF directive with the two counts', async () => {
    const store = new MemoryStore();
    const key = uploadKey('image.png');
    store.put(key, png.bytes, 'image/png');
    const { handler, lines } = inspector(store);
    await handler(objectCreatedEvent(BUCKET, key));
    expect(lines).toHaveLength(1);
    const line = parseEmfLine(lines[0] ?? '');
    expect(line['_aws']).toEqual({ Timestamp: WRITTEN_AT, CloudWatchMetrics: expectedDirectives(['Verified', 'Quarantined']) });
    expect(line).toMatchObject({ Route: 'inspector', Outcome: 'OK', Requests: 1, LatencyMs: 12.5, Verified: 1, Quarantined: 0 });
    // The log's own members are still there.
    expect(line).toMatchObject({ msg: 'upload inspected', outcome: 'VERIFIED', key });
    expect(line).not.toHaveProperty('latencyMs');
  });

  it('a quarantined object: Outcome QUARANTINED, Quarantined 1', async () => {
    const store = new MemoryStore();
    const key = uploadKey('cat.png');
    store.put(key, HTML_PAGE, 'image/png');
    const { handler, lines } = inspector(store);
    await handler(objectCreatedEvent(BUCKET, key));
    expect(parseEmfLine(lines[0] ?? '')).toMatchObject({
      Route: 'inspector',
      Outcome: 'QUARANTINED',
      Verified: 0,
      Quarantined: 1,
      outcome: 'QUARANTINED',
    });
  });

  it('gone, skipped and failed objects each count as a request with their outcome, and neither verified nor quarantined', async () => {
    const store = new MemoryStore();
    const { handler, lines } = inspector(store);
    await handler(objectCreatedEvent(BUCKET, uploadKey('gone.png')));
    await handler(objectCreatedEvent('another-bucket', uploadKey('elsewhere.png')));
    store.put(uploadKey('x.png'), png.bytes, 'image/png');
    store.down = true;
    await expect(handler(objectCreatedEvent(BUCKET, uploadKey('down.png')))).rejects.toThrow();
    const parsed = lines.map(parseEmfLine);
    expect(parsed.map((line) => [line['Outcome'], line['Requests'], line['Verified'], line['Quarantined'], line['Route']])).toEqual([
      ['GONE', 1, 0, 0, 'inspector'],
      ['SKIPPED', 1, 0, 0, 'inspector'],
      ['FAILED', 1, 0, 0, 'inspector'],
    ]);
  });

  it('never makes the key or the user a dimension', async () => {
    const store = new MemoryStore();
    const key = uploadKey('image.png');
    store.put(key, png.bytes, 'image/png');
    const { handler, lines } = inspector(store);
    await handler(objectCreatedEvent(BUCKET, key));
    const line = parseEmfLine(lines[0] ?? '');
    const dimensions = (line['_aws'] as { CloudWatchMetrics: Array<{ Dimensions: string[][] }> }).CloudWatchMetrics.flatMap((d) =>
      d.Dimensions.flat(),
    );
    for (const name of dimensions) expect(String(line[name])).not.toContain(USER);
  });
});
