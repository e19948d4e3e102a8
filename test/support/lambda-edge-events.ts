/**
 * Recorded Lambda@Edge viewer-request events (test/fixtures/lambda-edge) and
 * the few ways tests vary them. Every variant starts as a deep clone of a
 * recorded event, so no test hand-writes an event shape.
 */
import type { CloudFrontRequest, CloudFrontRequestEvent } from 'aws-lambda';
import { loadFixture } from './fixtures';

export type ViewerRequestScenario =
  | 'presign-one-file'
  | 'presign-without-id'
  | 'presign-ten-files'
  | 'presign-no-authorization'
  | 'presign-get'
  | 'presign-options-preflight'
  | 'presign-text-plain'
  | 'presign-malformed-json'
  | 'presign-truncated-body'
  | 'presign-no-body'
  | 'presign-multipart-start'
  | 'presign-multipart-parts'
  | 'presign-files'
  | 'presign-files-access'
  | 'presign-unknown-path';

export function viewerRequest(scenario: ViewerRequestScenario): CloudFrontRequestEvent {
  return loadFixture<CloudFrontRequestEvent>(`lambda-edge/${scenario}.json`);
}

export function requestOf(event: CloudFrontRequestEvent): CloudFrontRequest {
  const record = event.Records[0];
  if (record === undefined) throw new Error('fixture has no record');
  return record.cf.request;
}

/** Sets (or, with undefined, removes) a header, keeping CloudFront's lower-case map of [{key, value}]. */
export function withHeader(event: CloudFrontRequestEvent, key: string, value: string | undefined): CloudFrontRequestEvent {
  const headers = requestOf(event).headers;
  if (value === undefined) delete headers[key.toLowerCase()];
  else headers[key.toLowerCase()] = [{ key, value }];
  return event;
}

export function withToken(event: CloudFrontRequestEvent, token: string): CloudFrontRequestEvent {
  return withHeader(event, 'Authorization', `Bearer ${token}`);
}

/** Replaces the body with `body` (JSON-encoded unless a string), base64 as CloudFront sends it. */
export function withBody(event: CloudFrontRequestEvent, body: unknown): CloudFrontRequestEvent {
  const request = requestOf(event);
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  const data = Buffer.from(text, 'utf8').toString('base64');
  request.body = { inputTruncated: false, action: 'read-only', encoding: 'base64', data };
  return event;
}

export function bodyOf(event: CloudFrontRequestEvent): unknown {
  const data = requestOf(event).body?.data;
  if (data === undefined) throw new Error('fixture has no body');
  return JSON.parse(Buffer.from(data, 'base64').toString('utf8'));
}
