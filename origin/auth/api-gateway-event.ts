/**
 * The API Gateway REST proxy integration, in and out: APIGatewayProxyEvent ⇒
 * AuthRequest, AuthResponse ⇒ APIGatewayProxyResult. Defensive about the
 * event, because a test invocation or a broken integration can leave fields
 * null or missing.
 */
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import type { AuthRequest, AuthResponse } from '../core/http';
import { isPlainObject } from '../../edge-functions/core/safe-json';

export function toAuthRequest(event: APIGatewayProxyEvent): AuthRequest {
  return {
    method: stringOr(event.httpMethod, '').toUpperCase(),
    path: stringOr(event.path, ''),
    headers: collectHeaders(event),
    rawBody: typeof event.body === 'string' ? event.body : null,
    isBase64Encoded: event.isBase64Encoded === true,
    requestId: typeof event.requestContext?.requestId === 'string' ? event.requestContext.requestId : undefined,
  };
}

export function toProxyResult(response: AuthResponse): APIGatewayProxyResult {
  return {
    statusCode: response.status,
    headers: { ...response.headers },
    ...(response.cookies.length === 0 ? {} : { multiValueHeaders: { 'Set-Cookie': [...response.cookies] } }),
    body: response.body,
    isBase64Encoded: false,
  };
}

/**
 * Lower-cased header names with every value. `multiValueHeaders` holds all
 * values when API Gateway sends it; `headers` (last value only) fills in any
 * name it lacks.
 */
function collectHeaders(event: APIGatewayProxyEvent): Map<string, string[]> {
  const headers = new Map<string, string[]>();
  const add = (name: string, value: unknown): void => {
    if (typeof value !== 'string') return;
    const key = name.toLowerCase();
    const values = headers.get(key);
    if (values === undefined) headers.set(key, [value]);
    else values.push(value);
  };
  const multi: unknown = event.multiValueHeaders;
  if (isPlainObject(multi)) {
    for (const [name, values] of Object.entries(multi)) {
      if (Array.isArray(values)) for (const value of values) add(name, value);
    }
  }
  const single: unknown = event.headers;
  if (isPlainObject(single)) {
    for (const [name, value] of Object.entries(single)) {
      if (!headers.has(name.toLowerCase())) add(name, value);
    }
  }
  return headers;
}

function stringOr(value: unknown, fallback: string): string {
  return typeof value === 'string' ? value : fallback;
}
