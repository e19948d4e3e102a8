/**
 * The real VerdictPublisher: PutEvents on the account's default event bus in
 * the inspector's region. The role may put on that bus only
 * (infra/aws/constructs/upload-inspector.ts). PutEvents answers 200 even when
 * an entry failed, so FailedEntryCount is checked: a failed entry throws, and
 * the S3 event is retried.
 */
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import type { VerdictEvent, VerdictPublisher } from '../core/verdict-events';

/** The name PutEvents takes for the default bus. */
export const DEFAULT_EVENT_BUS = 'default';

export class EventBridgePutError extends Error {
  override readonly name = 'EventBridgePutError';
  constructor(readonly errorCode: string) {
    super(`EventBridge refused the verdict event (${errorCode})`);
  }
}

/** What this adapter needs of the SDK client, so a test can stand in a real-shaped fake. */
export type PutEventsClient = Pick<EventBridgeClient, 'send'>;

export class EventBridgeVerdictPublisher implements VerdictPublisher {
  constructor(private readonly client: PutEventsClient = new EventBridgeClient({ maxAttempts: 3 })) {}

  async publish(event: VerdictEvent): Promise<void> {
    const output = await this.client.send(
      new PutEventsCommand({
        Entries: [
          { EventBusName: DEFAULT_EVENT_BUS, Source: event.source, DetailType: event.detailType, Detail: JSON.stringify(event.detail) },
        ],
      }),
    );
    if ((output.FailedEntryCount ?? 0) > 0) throw new EventBridgePutError(output.Entries?.[0]?.ErrorCode ?? 'unknown');
  }
}
