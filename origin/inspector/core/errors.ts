/**
 * The upload inspector's errors, under one abstract root. The inspector
 * answers no one: these decide what the handler does (skip an event, retry
 * it, fail the cold start) and what its log line says, by class, never by
 * message text. Messages name keys and codes, never file content.
 */

export type InspectorErrorCode =
  | 'INSPECTOR_CONFIG_INVALID'
  | 'OBJECT_GONE'
  | 'OBJECT_CHANGED'
  | 'OBJECT_KEEPS_CHANGING'
  | 'OBJECT_UNREADABLE'
  | 'INSPECTION_FAILED';

export abstract class InspectorError extends Error {
  abstract readonly code: InspectorErrorCode;

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
  }
}

/** The environment does not hold a usable configuration; fails the cold start. Lists every problem. */
export class InspectorConfigError extends InspectorError {
  readonly code = 'INSPECTOR_CONFIG_INVALID';
  readonly problems: readonly string[];

  constructor(problems: readonly string[]) {
    super(`The upload inspector's configuration is invalid:\n  ${problems.join('\n  ')}`);
    this.problems = Object.freeze([...problems]);
  }
}

/**
 * The object is no longer there: a repeated event (S3 delivers at least
 * once) for an object already quarantined, or one deleted meanwhile.
 */
export class ObjectGoneError extends InspectorError {
  readonly code = 'OBJECT_GONE';

  constructor(readonly key: string) {
    super(`${key} no longer exists.`);
  }
}

/** The object was replaced while it was being inspected (its ETag changed); the newer object has its own event. */
export class ObjectChangedError extends InspectorError {
  readonly code = 'OBJECT_CHANGED';

  constructor(readonly key: string) {
    super(`${key} changed while it was being inspected.`);
  }
}

/**
 * The object was replaced again and again while it was being inspected. Its
 * tags have been cleared (unverified: fail closed) and the event is retried.
 */
export class ObjectKeepsChangingError extends InspectorError {
  readonly code = 'OBJECT_KEEPS_CHANGING';

  constructor(
    readonly key: string,
    readonly attempts: number,
  ) {
    super(`${key} changed during each of ${attempts} inspections.`);
  }
}

/**
 * S3 refused to give the object's bytes for a reason a retry will not fix
 * (access denied, the KMS key refused, an answer that does not match the
 * range asked for). `reason` is the S3 error code or a few safe words.
 */
export class ObjectUnreadableError extends InspectorError {
  readonly code = 'OBJECT_UNREADABLE';

  constructor(
    readonly key: string,
    readonly reason: string,
    options?: { cause?: unknown },
  ) {
    super(`${key} could not be read (${reason}).`, options);
  }
}

/**
 * One or more records of an event could not be handled for a reason that
 * may pass (S3 throttling or unavailable, a network error). Thrown by the
 * handler after every record has been tried, so that Lambda retries the
 * event; inspection is idempotent, so records already done are harmless to
 * repeat.
 */
export class InspectionFailedError extends InspectorError {
  readonly code = 'INSPECTION_FAILED';

  constructor(
    readonly keys: readonly string[],
    options?: { cause?: unknown },
  ) {
    super(`Inspection failed for ${keys.length} object(s); the event will be retried.`, options);
  }
}
