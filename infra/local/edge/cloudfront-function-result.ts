/**
 * Result validation of the local cloudfront-js-2.0 stand-in: what CloudFront
 * would accept back from a viewer-request function (the request, possibly
 * changed, or a response), checked key by key.
 */
import { isPlainObject } from '../../../edge-functions/core/safe-json';
import { CloudFrontFunctionResultError } from './cloudfront-function-errors';
import type {
  CloudFrontFunctionOutcome,
  CloudFrontFunctionRequest,
  CloudFrontFunctionResponse,
  CloudFrontFunctionResponseCookie,
  CloudFrontFunctionValue,
  CloudFrontFunctionValues,
} from './cloudfront-function-shapes';

const REQUEST_KEYS = new Set(['method', 'uri', 'querystring', 'headers', 'cookies']);
const RESPONSE_KEYS = new Set(['statusCode', 'statusDescription', 'headers', 'cookies', 'body']);
const HEADER_NAME = /^[!#$%&'*+\-.^_`|~0-9a-z]+$/;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

type JsonObject = Record<string, unknown>;

export function toOutcome(
  value: unknown,
  original: CloudFrontFunctionRequest,
  returnedEventRequest: boolean,
  logs: readonly string[],
): CloudFrontFunctionOutcome {
  if (!isPlainObject(value)) throw new CloudFrontFunctionResultError('the handler must return the request or a response object');
  if ('statusCode' in value) return { kind: 'response', response: assertResponse(value), logs };
  return { kind: 'request', request: assertRequest(value, original), returnedEventRequest, logs };
}

function assertRequest(value: JsonObject, original: CloudFrontFunctionRequest): CloudFrontFunctionRequest {
  assertOnlyKeys(value, REQUEST_KEYS, 'request');
  if (value['method'] !== original.method) throw new CloudFrontFunctionResultError('request.method is read-only');
  const uri = value['uri'];
  if (typeof uri !== 'string' || !uri.startsWith('/'))
    throw new CloudFrontFunctionResultError('request.uri must be a string that starts with /');
  return {
    method: original.method,
    uri,
    querystring: assertValues(value['querystring'], 'request.querystring', false),
    headers: assertValues(value['headers'], 'request.headers', true),
    cookies: assertValues(value['cookies'], 'request.cookies', false),
  };
}

function assertResponse(value: JsonObject): CloudFrontFunctionResponse {
  assertOnlyKeys(value, RESPONSE_KEYS, 'response');
  const statusCode = value['statusCode'];
  if (typeof statusCode !== 'number' || !Number.isInteger(statusCode) || statusCode < 100 || statusCode > 599) {
    throw new CloudFrontFunctionResultError('response.statusCode must be an integer HTTP status (a number, not a string)');
  }
  const response: CloudFrontFunctionResponse = { statusCode };
  const description = value['statusDescription'];
  if (description !== undefined) {
    if (typeof description !== 'string') throw new CloudFrontFunctionResultError('response.statusDescription must be a string');
    response.statusDescription = description;
  }
  if (value['headers'] !== undefined) response.headers = assertValues(value['headers'], 'response.headers', true);
  if (value['cookies'] !== undefined) response.cookies = assertResponseCookies(value['cookies']);
  if (value['body'] !== undefined) response.body = assertBody(value['body']);
  return response;
}

function assertOnlyKeys(value: JsonObject, allowed: ReadonlySet<string>, what: string): void {
  for (const key of Object.keys(value)) {
    if (!allowed.has(key)) throw new CloudFrontFunctionResultError(`${what} has a field CloudFront does not know: ${key}`);
  }
}

function assertValues(value: unknown, what: string, headerNames: boolean): CloudFrontFunctionValues {
  if (!isPlainObject(value)) throw new CloudFrontFunctionResultError(`${what} must be an object`);
  const entries: [string, CloudFrontFunctionValue][] = [];
  for (const [name, field] of Object.entries(value)) {
    if (headerNames && !HEADER_NAME.test(name))
      throw new CloudFrontFunctionResultError(`${what}: "${name}" is not a lower-case header name`);
    if (!isPlainObject(field) || typeof field['value'] !== 'string')
      throw new CloudFrontFunctionResultError(`${what}.${name} must be {value: string}`);
    const entry: CloudFrontFunctionValue = { value: field['value'] };
    const multi = field['multiValue'];
    if (multi !== undefined) {
      if (!Array.isArray(multi) || !multi.every((item) => isPlainObject(item) && typeof item['value'] === 'string')) {
        throw new CloudFrontFunctionResultError(`${what}.${name}.multiValue must be an array of {value: string}`);
      }
      entry.multiValue = multi.map((item: JsonObject) => ({ value: String(item['value']) }));
    }
    entries.push([name, entry]);
  }
  // fromEntries defines own properties: a name such as `__proto__` stays a name, not a prototype.
  return Object.fromEntries(entries);
}

function assertResponseCookies(value: unknown): Record<string, CloudFrontFunctionResponseCookie> {
  if (!isPlainObject(value)) throw new CloudFrontFunctionResultError('response.cookies must be an object');
  const entries: [string, CloudFrontFunctionResponseCookie][] = [];
  for (const [name, field] of Object.entries(value)) {
    if (!isPlainObject(field) || typeof field['value'] !== 'string')
      throw new CloudFrontFunctionResultError(`response.cookies.${name} must be {value: string}`);
    if (field['attributes'] !== undefined && typeof field['attributes'] !== 'string') {
      throw new CloudFrontFunctionResultError(`response.cookies.${name}.attributes must be a string`);
    }
    const cookie: CloudFrontFunctionResponseCookie = { value: field['value'] };
    if (typeof field['attributes'] === 'string') cookie.attributes = field['attributes'];
    const multi = field['multiValue'];
    if (multi !== undefined) {
      if (!Array.isArray(multi) || !multi.every((item) => isPlainObject(item) && typeof item['value'] === 'string')) {
        throw new CloudFrontFunctionResultError(`response.cookies.${name}.multiValue must be an array of {value: string}`);
      }
      cookie.multiValue = multi.map((item: JsonObject) => ({
        value: String(item['value']),
        ...(typeof item['attributes'] === 'string' ? { attributes: item['attributes'] } : {}),
      }));
    }
    entries.push([name, cookie]);
  }
  return Object.fromEntries(entries);
}

function assertBody(value: unknown): NonNullable<CloudFrontFunctionResponse['body']> {
  if (typeof value === 'string') return value;
  if (!isPlainObject(value) || typeof value['data'] !== 'string' || (value['encoding'] !== 'text' && value['encoding'] !== 'base64')) {
    throw new CloudFrontFunctionResultError('response.body must be a string or {encoding: "text" | "base64", data: string}');
  }
  if (value['encoding'] === 'base64' && !BASE64.test(value['data'])) {
    throw new CloudFrontFunctionResultError('response.body.data is not valid base64 (CloudFront answers an error)');
  }
  return { encoding: value['encoding'], data: value['data'] };
}
