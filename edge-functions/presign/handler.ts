/**
 * The Lambda@Edge viewer-request adapter for `/presign` and `/presign/multipart[/parts]`: CloudFront event in,
 * generated CloudFront response out. It converts shapes, times the request,
 * maps errors in one place and logs one line; every decision is in the core.
 */
import type { CloudFrontHeaders, CloudFrontRequest, CloudFrontRequestEvent, CloudFrontResultResponse } from 'aws-lambda';
import { gzipSync } from 'node:zlib';
import { INTERNAL, PAYLOAD_TOO_LARGE } from '../contract/http-errors';
import { EdgeUploadError, InvalidTicketError, PayloadTooLargeError, UnauthorizedError } from '../core/errors';
import { preflightResponse, withCorsHeaders } from '../core/cors';
import { errorResponse, type HttpResponse } from '../core/http-response';
import { metricLine, OUTCOME_OK, roundLatency, type RequestMetrics } from '../core/metric-line';
import { PRESIGN_ROUTES, routeLabel, routePresignRequest, type EdgeHttpRequest, type PresignDependencies } from '../core/presign-routes';

/** The log's own members (route, status, code, …) and the EMF members (Route, Outcome, Requests, LatencyMs). */
export type LogLine = Readonly<Record<string, string | number | boolean>> & RequestMetrics;
export type Logger = (line: LogLine) => void;

/** Lambda@Edge refuses a generated viewer-request response larger than this (headers and body). */
export const MAX_GENERATED_RESPONSE_BYTES = 40 * 1024;
/**
 * Room kept for the status line and headers. A body larger than the rest is
 * gzipped: ten signed forms carry the function's ~1 KB session token twenty
 * times (field and policy) and reach ~48 KB, but compress several-fold.
 */
const MAX_PLAIN_BODY_BYTES = MAX_GENERATED_RESPONSE_BYTES - 2 * 1024;

const STATUS_TEXT: Readonly<Record<number, string>> = {
  200: 'OK',
  204: 'No Content',
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  413: 'Payload Too Large',
  415: 'Unsupported Media Type',
  500: 'Internal Server Error',
};

/** Each line as one EMF JSON line to `write`, stamped with `now()` (ms since the epoch). */
export function emfLogger(write: (text: string) => void, now: () => number = Date.now): Logger {
  return (line) => write(metricLine(line, now()));
}

/** Lambda@Edge's console is its CloudWatch log stream, where the EMF line becomes metrics. */
export const jsonLogger: Logger = emfLogger((text) => console.log(text));

export function createPresignHandler(deps: PresignDependencies, log: Logger = jsonLogger) {
  return async function handler(event: CloudFrontRequestEvent): Promise<CloudFrontResultResponse> {
    const started = process.hrtime.bigint();
    let response: HttpResponse;
    let outcome: Record<string, string | number> = {};
    let acceptsGzip = false;
    let route = 'other';
    let request: EdgeHttpRequest | undefined;
    try {
      request = toPresignRequest(event);
      route = routeLabel(request.uri);
      acceptsGzip = /\bgzip\b/i.test(request.headers['accept-encoding'] ?? '');
      // A granted CORS preflight is answered before any token or body is looked at (edge-functions/core/cors.ts).
      const preflight = isRoute(route) ? preflightResponse(request, deps.config.allowedOrigins) : undefined;
      response = preflight ?? (await routePresignRequest(request, deps));
    } catch (error) {
      response = errorResponse(error);
      outcome = describeFailure(error);
    }
    if (request !== undefined) response = withCorsHeaders(response, request, deps.config.allowedOrigins);
    const result = toCloudFrontResponse(response, acceptsGzip);
    // A success too large for the edge went out as 413: the metric must say so, not OK.
    if (result.status !== String(response.status)) outcome = { code: PAYLOAD_TOO_LARGE.code };
    const latencyMs = Number(process.hrtime.bigint() - started) / 1e6;
    log({
      route,
      status: Number(result.status),
      ...outcome,
      ...(result.bodyEncoding === 'base64' ? { gzip: true } : {}),
      latencyMs,
      // EMF members (edge-functions/core/metric-line.ts): route is already a bounded label, never the raw path.
      Route: route,
      Outcome: typeof outcome.code === 'string' ? outcome.code : OUTCOME_OK,
      Requests: 1,
      LatencyMs: roundLatency(latencyMs),
    });
    return result;
  };
}

function isRoute(label: string): boolean {
  return (PRESIGN_ROUTES as readonly string[]).includes(label);
}

function toPresignRequest(event: CloudFrontRequestEvent): EdgeHttpRequest {
  const request: CloudFrontRequest = event.Records[0]!.cf.request;
  const body = request.body;
  let text: string | undefined;
  if (body?.data !== undefined && body.data.length > 0) {
    text = body.encoding === 'base64' ? Buffer.from(body.data, 'base64').toString('utf8') : body.data;
  }
  return {
    uri: request.uri,
    method: request.method,
    headers: firstHeaderValues(request.headers),
    body: text,
    bodyTruncated: body?.inputTruncated === true,
  };
}

function firstHeaderValues(headers: CloudFrontHeaders): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = Object.create(null);
  for (const name of Object.keys(headers)) {
    const value = headers[name]?.[0]?.value;
    if (typeof value === 'string') out[name.toLowerCase()] = value;
  }
  return out;
}

export function toCloudFrontResponse(response: HttpResponse, acceptsGzip = false): CloudFrontResultResponse {
  const headers: CloudFrontHeaders = {};
  for (const [key, value] of Object.entries(response.headers)) headers[key.toLowerCase()] = [{ key, value }];
  const base = { status: String(response.status), statusDescription: STATUS_TEXT[response.status] ?? 'Error', headers };
  if (Buffer.byteLength(response.body, 'utf8') <= MAX_PLAIN_BODY_BYTES) {
    return { ...base, bodyEncoding: 'text', body: response.body };
  }
  if (acceptsGzip) {
    const body = gzipSync(response.body).toString('base64');
    if (body.length <= MAX_PLAIN_BODY_BYTES) {
      headers['content-encoding'] = [{ key: 'Content-Encoding', value: 'gzip' }];
      const vary = headers['vary']?.[0]?.value;
      headers['vary'] = [{ key: 'Vary', value: vary === undefined ? 'Accept-Encoding' : `${vary}, Accept-Encoding` }];
      return { ...base, bodyEncoding: 'base64', body };
    }
  }
  return toCloudFrontResponse(
    errorResponse(
      new PayloadTooLargeError('The signed forms for this many files do not fit in one edge response; send fewer files per request.'),
    ),
  );
}

/** What a log line may say about a failure: codes and error class names, never a token or a message. */
function describeFailure(error: unknown): Record<string, string | number> {
  if (error instanceof UnauthorizedError || error instanceof InvalidTicketError) return { code: error.code, reason: error.reason };
  if (error instanceof EdgeUploadError) return error.file === undefined ? { code: error.code } : { code: error.code, file: error.file };
  const name = error instanceof Error ? error.name : typeof error;
  const stack = error instanceof Error && error.stack !== undefined ? error.stack : String(error);
  return { code: INTERNAL.code, error: name, stack };
}
