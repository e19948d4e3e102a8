/**
 * The inspector as a Lambda handler for S3 ObjectCreated notifications:
 * each record is inspected in turn and logged as one JSON line. A record
 * that cannot be finished for a passing reason (throttling, S3 or the
 * network down) does not stop the others; once all are tried, the handler
 * throws so that Lambda retries the event (then sends it to the dead-letter
 * queue). Inspection is idempotent, so a retry repeats finished records
 * harmlessly.
 *
 * After each verdict (verified or rejected) one event is published
 * (core/verdict-events.ts); a failed publish fails the record like any
 * passing failure, so the retry publishes it again: at least once.
 */
import type { Context, S3Event } from 'aws-lambda';
import type { InspectorConfig } from './core/config';
import { InspectionFailedError, InspectorError, ObjectUnreadableError } from './core/errors';
import { jsonLineInspectionLogger, type InspectionLogEntry, type InspectionLogger } from './core/inspection-log';
import type { UploadStore } from './core/upload-store';
import { verdictEvent, type VerdictPublisher } from './core/verdict-events';
import { EventBridgeVerdictPublisher } from './events/eventbridge-publisher';
import { inspectObject } from './inspect-object';
import { recordTargets } from './s3-event';
import type { UploadRules } from '../../edge-functions/core/upload-rules';

export interface InspectorHandlerOptions {
  readonly config: InspectorConfig;
  readonly store: UploadStore;
  /** @default one JSON line per object on stdout */
  readonly logger?: InspectionLogger;
  /** @default DEFAULT_UPLOAD_RULES */
  readonly rules?: UploadRules;
  /** Milliseconds from an arbitrary origin, for each object's latency. @default performance.now */
  readonly now?: () => number;
  /** Where the event of each verdict goes. @default EventBridge, the default bus of the function's region */
  readonly events?: VerdictPublisher;
}

export type InspectorHandler = (event: S3Event, context?: Pick<Context, 'awsRequestId'>) => Promise<void>;

export function createInspectorHandler(options: InspectorHandlerOptions): InspectorHandler {
  const logger = options.logger ?? jsonLineInspectionLogger();
  const now = options.now ?? (() => performance.now());
  const events = options.events ?? new EventBridgeVerdictPublisher();
  const deps = { store: options.store, config: options.config, ...(options.rules === undefined ? {} : { rules: options.rules }) };

  return async (event, context) => {
    const requestId = context?.awsRequestId;
    const log = (entry: InspectionLogEntry) => logger.log(requestId === undefined ? entry : { ...entry, requestId });
    const failed: string[] = [];
    let firstFailure: unknown;

    for (const target of recordTargets(event, options.config)) {
      const started = now();
      const { bucket, key, eventName } = target;
      if (target.action === 'skip') {
        log({ outcome: 'SKIPPED', bucket, key, eventName, detail: target.why, latencyMs: now() - started });
        continue;
      }
      try {
        const result = await inspectObject(bucket, key, deps);
        log({ ...result, bucket, key, eventName, latencyMs: now() - started });
        if (result.outcome !== 'GONE') await events.publish(verdictEvent(result, bucket, key, options.config.uploadPrefix));
      } catch (error) {
        log({ outcome: 'FAILED', bucket, key, eventName, detail: describeError(error), latencyMs: now() - started });
        failed.push(key);
        firstFailure ??= error;
      }
    }
    if (failed.length > 0) throw new InspectionFailedError(failed, { cause: firstFailure });
  };
}

/** An error in a few safe words for the log: its class, and its code or HTTP status. */
function describeError(error: unknown): string {
  if (error instanceof ObjectUnreadableError) return `${error.name}: ${error.reason}`;
  if (error instanceof InspectorError) return `${error.name}: ${error.message}`;
  if (error instanceof Error) {
    const status = (error as { $metadata?: { httpStatusCode?: unknown } }).$metadata?.httpStatusCode;
    return typeof status === 'number' ? `${error.name} (HTTP ${status})` : error.name;
  }
  return typeof error;
}
