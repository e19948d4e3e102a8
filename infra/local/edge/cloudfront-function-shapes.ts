/**
 * The event and result shapes of a CloudFront Function (viewer request), as
 * "CloudFront Functions event structure" documents them:
 * https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/functions-event-structure.html
 * Part of the local cloudfront-js-2.0 stand-in (cloudfront-functions-sandbox.ts).
 */
/** A query string parameter, header or request cookie; `multiValue` only when the name repeats. */
export interface CloudFrontFunctionValue {
  value: string;
  multiValue?: { value: string }[];
}

/** A response cookie (`Set-Cookie`), whose attributes travel separately. */
export interface CloudFrontFunctionResponseCookie {
  value: string;
  attributes?: string;
  multiValue?: { value: string; attributes?: string }[];
}

export type CloudFrontFunctionValues = Record<string, CloudFrontFunctionValue>;

export interface CloudFrontFunctionRequest {
  /** Read-only: a returned request must keep the method it came with. */
  method: string;
  uri: string;
  querystring: CloudFrontFunctionValues;
  /** Lower-case names; `cookie` is not here but in `cookies`. */
  headers: CloudFrontFunctionValues;
  cookies: CloudFrontFunctionValues;
}

export interface CloudFrontFunctionResponse {
  /** An integer, not a string. */
  statusCode: number;
  statusDescription?: string;
  headers?: CloudFrontFunctionValues;
  cookies?: Record<string, CloudFrontFunctionResponseCookie>;
  /** Plain text, or `{encoding, data}` with `text` or `base64` data. */
  body?: string | { encoding: 'text' | 'base64'; data: string };
}

export interface CloudFrontFunctionViewerRequestEvent {
  version: '1.0';
  context: {
    distributionDomainName?: string;
    distributionId?: string;
    eventType: 'viewer-request';
    requestId?: string;
  };
  viewer: { ip: string };
  request: CloudFrontFunctionRequest;
}

export type CloudFrontFunctionOutcome =
  | {
      readonly kind: 'request';
      readonly request: CloudFrontFunctionRequest;
      /** The handler returned `event.request` itself (possibly changed), not a new object. */
      readonly returnedEventRequest: boolean;
      readonly logs: readonly string[];
    }
  | {
      readonly kind: 'response';
      readonly response: CloudFrontFunctionResponse;
      readonly logs: readonly string[];
    };

export interface CloudFrontFunction {
  /** Runs the handler once. Throws a CloudFrontFunctionError subclass when the function fails or answers something CloudFront would refuse. */
  run(event: CloudFrontFunctionViewerRequestEvent): CloudFrontFunctionOutcome;
}

export interface LoadOptions {
  /** Shown in stack traces and error messages. */
  readonly filename?: string;
  /**
   * Wall-clock limit for loading and for each run, in ms. The real limit is a
   * compute-utilization budget of about a millisecond; this only stops
   * runaway loops without making tests flaky on a busy machine.
   */
  readonly timeoutMs?: number;
}
