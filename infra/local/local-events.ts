/**
 * The local stack's stand-in for the EventBridge default bus: each verdict
 * event of the upload inspector is appended to `<state>/events.jsonl` (one
 * JSON object per line, oldest first, shaped as EventBridge delivers it to a
 * rule's target) and served by the local edge at `GET /_local/events`.
 * Local only: nothing like it is deployed; on AWS a backend adds a rule on
 * the default bus (origin/inspector/README.md, "Events").
 */
import { randomUUID } from 'node:crypto';
import { appendFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { VerdictEvent, VerdictPublisher } from '../../origin/inspector/core/verdict-events';
import { LOCAL_S3_REGION } from './local-settings';

/** An event as a rule's target receives it (the EventBridge envelope). */
export interface LocalBusEvent {
  readonly version: '0';
  readonly id: string;
  readonly 'detail-type': string;
  readonly source: string;
  readonly account: string;
  /** ISO 8601, to the second, as EventBridge writes it. */
  readonly time: string;
  readonly region: string;
  readonly resources: readonly string[];
  readonly detail: Readonly<Record<string, unknown>>;
}

/** The account the local stack pretends to be (as in its fake KMS key ARN). */
export const LOCAL_ACCOUNT = '000000000000';

export class LocalEventBus implements VerdictPublisher {
  private readonly events: LocalBusEvent[];

  /** Opens (or creates) the file; lines that cannot be read are skipped, never fatal. */
  constructor(
    private readonly file: string,
    private readonly now: () => Date = () => new Date(),
  ) {
    mkdirSync(path.dirname(file), { recursive: true });
    this.events = existsSync(file) ? readEvents(readFileSync(file, 'utf8')) : [];
  }

  async publish(event: VerdictEvent): Promise<void> {
    const entry: LocalBusEvent = {
      version: '0',
      id: randomUUID(),
      'detail-type': event.detailType,
      source: event.source,
      account: LOCAL_ACCOUNT,
      time: this.now()
        .toISOString()
        .replace(/\.\d{3}Z$/, 'Z'),
      region: LOCAL_S3_REGION,
      resources: [],
      detail: { ...event.detail },
    };
    this.events.push(entry);
    appendFileSync(this.file, `${JSON.stringify(entry)}\n`, { encoding: 'utf8', mode: 0o600 });
  }

  /** Every event so far, oldest first. */
  all(): readonly LocalBusEvent[] {
    return [...this.events];
  }
}

function readEvents(text: string): LocalBusEvent[] {
  const events: LocalBusEvent[] = [];
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    try {
      const parsed: unknown = JSON.parse(line);
      if (isEvent(parsed)) events.push(parsed);
    } catch {
      // a line cut short by a crash: skip it, keep the rest
    }
  }
  return events;
}

function isEvent(value: unknown): value is LocalBusEvent {
  if (typeof value !== 'object' || value === null) return false;
  const event = value as Record<string, unknown>;
  return (
    typeof event.source === 'string' &&
    typeof event['detail-type'] === 'string' &&
    typeof event.detail === 'object' &&
    event.detail !== null
  );
}
