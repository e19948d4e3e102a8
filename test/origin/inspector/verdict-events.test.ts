/**
 * One event per verdict (origin/inspector/core/verdict-events.ts): its shape,
 * the real EventBridge adapter against a local HTTP stand-in for the
 * EventBridge API (the real SDK client, its endpoint pointed here), and the
 * local stack's JSON-lines bus.
 */
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { LocalEventBus } from '../../../infra/local/local-events';
import { userIdOf, verdictEvent } from '../../../origin/inspector/core/verdict-events';
import { EventBridgePutError, EventBridgeVerdictPublisher } from '../../../origin/inspector/events/eventbridge-publisher';

const USER = '0f5e8c1a-5b7d-4c2e-9a31-7d2b6e4f8a90';
const KEY = `uploads/${USER}/2026/11/29/0b9a1c2d-3e4f-4a5b-8c6d-7e8f9a0b1c2d/holiday.png`;

describe('verdictEvent', () => {
  it('says Upload Verified with key, user id, size and type', () => {
    const event = verdictEvent(
      { outcome: 'VERIFIED', declaredType: 'image/png', detected: 'png', size: 483211, etag: '"abc"' },
      'acme-uploads',
      KEY,
      'uploads/',
    );
    expect(event).toEqual({
      source: 'edge-upload',
      detailType: 'Upload Verified',
      detail: { bucket: 'acme-uploads', key: KEY, userId: USER, size: 483211, type: 'image/png', detected: 'png', etag: '"abc"' },
    });
  });

  it('says Upload Rejected with the reason and where the object is now', () => {
    const event = verdictEvent(
      {
        outcome: 'QUARANTINED',
        quarantineKey: `quarantine/${KEY.slice(8)}`,
        reason: 'TYPE_MISMATCH',
        declaredType: 'image/png',
        size: 12,
        etag: '"e"',
      },
      'acme-uploads',
      KEY,
      'uploads/',
    );
    expect(event.detailType).toBe('Upload Rejected');
    expect(event.detail).toMatchObject({
      key: KEY,
      userId: USER,
      size: 12,
      type: 'image/png',
      reason: 'TYPE_MISMATCH',
      quarantineKey: `quarantine/${KEY.slice(8)}`,
    });
  });

  it('leaves out what an unreadable object never told', () => {
    const event = verdictEvent(
      { outcome: 'QUARANTINED', quarantineKey: 'quarantine/x', reason: 'UNREADABLE', etag: '"e"' },
      'b',
      KEY,
      'uploads/',
    );
    expect(Object.keys(event.detail).sort()).toEqual(['bucket', 'etag', 'key', 'quarantineKey', 'reason', 'userId']);
  });

  it('takes the user id from the key segment after the prefix', () => {
    expect(userIdOf(KEY, 'uploads/')).toBe(USER);
    expect(userIdOf('other/x/y', 'uploads/')).toBeUndefined();
    expect(userIdOf('uploads//y', 'uploads/')).toBeUndefined();
  });
});

interface Received {
  readonly headers: IncomingHttpHeaders;
  readonly body: Record<string, unknown>;
}

/** Answers PutEvents as EventBridge does (JSON 1.1), with `failed` entries failing. */
async function eventBridgeStandIn(failed: boolean): Promise<{ server: Server; endpoint: string; received: Received[] }> {
  const received: Received[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      received.push({ headers: req.headers, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown> });
      res.writeHead(200, { 'Content-Type': 'application/x-amz-json-1.1' });
      res.end(
        JSON.stringify(
          failed
            ? { FailedEntryCount: 1, Entries: [{ ErrorCode: 'AccessDeniedException', ErrorMessage: 'no' }] }
            : { FailedEntryCount: 0, Entries: [{ EventId: '11710aed-b79e-4468-a20b-bb3c0c3b4860' }] },
        ),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, received };
}

describe('EventBridgeVerdictPublisher', () => {
  const event = verdictEvent(
    { outcome: 'VERIFIED', declaredType: 'image/png', detected: 'png', size: 5, etag: '"abc"' },
    'acme-uploads',
    KEY,
    'uploads/',
  );
  const clientFor = (endpoint: string) =>
    new EventBridgeClient({
      endpoint,
      region: 'eu-west-1',
      credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'not-a-secret' },
      maxAttempts: 1,
    });

  it('puts one entry on the default bus: source, detail-type and the detail as JSON', async () => {
    const standIn = await eventBridgeStandIn(false);
    const client = clientFor(standIn.endpoint);
    try {
      await new EventBridgeVerdictPublisher(client).publish(event);
    } finally {
      client.destroy();
      standIn.server.close();
    }
    expect(standIn.received).toHaveLength(1);
    expect(standIn.received[0]!.headers['x-amz-target']).toBe('AWSEvents.PutEvents');
    const entries = standIn.received[0]!.body.Entries as Array<Record<string, string>>;
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({ EventBusName: 'default', Source: 'edge-upload', DetailType: 'Upload Verified' });
    expect(JSON.parse(entries[0]!.Detail!)).toEqual(event.detail);
  });

  it('throws when EventBridge reports a failed entry (PutEvents answers 200 all the same)', async () => {
    const standIn = await eventBridgeStandIn(true);
    const client = clientFor(standIn.endpoint);
    try {
      await expect(new EventBridgeVerdictPublisher(client).publish(event)).rejects.toThrow(EventBridgePutError);
    } finally {
      client.destroy();
      standIn.server.close();
    }
  });
});

describe('LocalEventBus', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'edge-upload-events-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('appends each event to events.jsonl in the EventBridge envelope, and keeps them across a restart', async () => {
    const file = path.join(dir, 'events.jsonl');
    const bus = new LocalEventBus(file, () => new Date('2026-11-29T12:00:00.123Z'));
    await bus.publish(
      verdictEvent({ outcome: 'VERIFIED', declaredType: 'image/png', detected: 'png', size: 5, etag: '"a"' }, 'b', KEY, 'uploads/'),
    );
    await bus.publish(
      verdictEvent({ outcome: 'QUARANTINED', quarantineKey: 'q', reason: 'TYPE_MISMATCH', etag: '"b"' }, 'b', KEY, 'uploads/'),
    );

    const lines = readFileSync(file, 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines.map((line) => line['detail-type'])).toEqual(['Upload Verified', 'Upload Rejected']);
    expect(lines[0]).toMatchObject({
      version: '0',
      source: 'edge-upload',
      time: '2026-11-29T12:00:00Z',
      detail: { key: KEY, userId: USER },
    });
    expect(new LocalEventBus(file).all()).toEqual(lines);
  });
});
