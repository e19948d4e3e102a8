/**
 * A small API Gateway REST API (Lambda proxy integration, `ANY /auth/{proxy+}`)
 * in front of the auth handler: the request CloudFront forwards to the origin
 * becomes an APIGatewayProxyEvent shaped like the recorded ones in
 * test/fixtures/api-gateway, and the handler's result becomes the reply.
 *
 * As API Gateway does: `headers` keeps the last value of a repeated header
 * and `multiValueHeaders` every value, names in the case they arrived; query
 * parameters are decoded; a body that is UTF-8 text is passed as text, any
 * other body as base64 with `isBase64Encoded` (the binary-media-type path).
 */
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { randomUUID } from 'node:crypto';
import { TextDecoder } from 'node:util';
import type { EdgeReply, HeaderList } from './http-exchange';

export const API_STAGE = 'local';
export const API_RESOURCE = '/auth/{proxy+}';
const PROXY_PREFIX = '/auth/';

export interface OriginRequest {
  readonly method: string;
  /** Path after any CloudFront Function, still percent-encoded. */
  readonly path: string;
  /** Raw query, no `?`. */
  readonly query: string;
  readonly headers: HeaderList;
  readonly body: Buffer;
  readonly sourceIp: string;
  readonly receivedAt: Date;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

export function toApiGatewayEvent(request: OriginRequest): APIGatewayProxyEvent {
  const { single: headers, multi: multiValueHeaders } = group(request.headers);
  const query = decodedQuery(request.query);
  const path = decodePath(request.path);
  const { body, isBase64Encoded } = eventBody(request.body);
  const userAgent = headerValue(request.headers, 'user-agent');
  const host = headerValue(request.headers, 'host') ?? 'localhost';
  return {
    resource: API_RESOURCE,
    path,
    httpMethod: request.method,
    headers,
    multiValueHeaders,
    queryStringParameters: query?.single ?? null,
    multiValueQueryStringParameters: query?.multi ?? null,
    pathParameters: path.startsWith(PROXY_PREFIX) ? { proxy: path.slice(PROXY_PREFIX.length) } : null,
    stageVariables: null,
    requestContext: {
      accountId: '000000000000',
      apiId: 'local',
      authorizer: null,
      domainName: host,
      domainPrefix: host.split('.')[0] ?? host,
      extendedRequestId: randomUUID(),
      httpMethod: request.method,
      identity: {
        accessKey: null,
        accountId: null,
        apiKey: null,
        apiKeyId: null,
        caller: null,
        clientCert: null,
        cognitoAuthenticationProvider: null,
        cognitoAuthenticationType: null,
        cognitoIdentityId: null,
        cognitoIdentityPoolId: null,
        principalOrgId: null,
        sourceIp: request.sourceIp,
        user: null,
        userAgent: userAgent ?? null,
        userArn: null,
      },
      path: `/${API_STAGE}${path}`,
      protocol: 'HTTP/1.1',
      requestId: randomUUID(),
      requestTime: requestTime(request.receivedAt),
      requestTimeEpoch: request.receivedAt.getTime(),
      resourceId: 'local',
      resourcePath: API_RESOURCE,
      stage: API_STAGE,
    },
    body,
    isBase64Encoded,
  };
}

/** The proxy result as the viewer gets it. */
export function replyFromProxyResult(result: APIGatewayProxyResult): EdgeReply {
  const headers: Array<[string, string]> = [];
  const multi = result.multiValueHeaders ?? {};
  const multiNames = new Set(Object.keys(multi).map((name) => name.toLowerCase()));
  for (const [name, value] of Object.entries(result.headers ?? {})) {
    if (!multiNames.has(name.toLowerCase())) headers.push([name, String(value)]);
  }
  for (const [name, values] of Object.entries(multi)) for (const value of values) headers.push([name, String(value)]);
  const body = result.isBase64Encoded === true ? Buffer.from(result.body, 'base64') : Buffer.from(result.body, 'utf8');
  return { status: result.statusCode, headers, body };
}

function eventBody(bytes: Buffer): { body: string | null; isBase64Encoded: boolean } {
  if (bytes.length === 0) return { body: null, isBase64Encoded: false };
  try {
    return { body: new TextDecoder('utf-8', { fatal: true }).decode(bytes), isBase64Encoded: false };
  } catch {
    return { body: bytes.toString('base64'), isBase64Encoded: true };
  }
}

function decodedQuery(query: string): { single: Record<string, string>; multi: Record<string, string[]> } | undefined {
  const pairs = [...new URLSearchParams(query)];
  return pairs.length === 0 ? undefined : group(pairs);
}

/**
 * Last value and every value per name. Built from a Map and defined with
 * fromEntries, so a name such as `__proto__` (a valid header token) stays a
 * name and never reaches a prototype.
 */
function group(pairs: Iterable<readonly [string, string]>): { single: Record<string, string>; multi: Record<string, string[]> } {
  const values = new Map<string, string[]>();
  for (const [name, value] of pairs) {
    const list = values.get(name);
    if (list === undefined) values.set(name, [value]);
    else list.push(value);
  }
  return {
    single: Object.fromEntries([...values].map(([name, list]) => [name, list[list.length - 1] as string])),
    multi: Object.fromEntries(values),
  };
}

/** API Gateway hands the function a decoded path; a path that cannot be decoded is passed as sent. */
function decodePath(path: string): string {
  try {
    return decodeURIComponent(path);
  } catch {
    return path;
  }
}

function headerValue(headers: HeaderList, name: string): string | undefined {
  const wanted = name.toLowerCase();
  for (const [key, value] of headers) if (key.toLowerCase() === wanted) return value;
  return undefined;
}

/** API Gateway's `requestTime`: 29/Nov/2026:12:00:04 +0000. */
function requestTime(date: Date): string {
  const pad = (n: number): string => String(n).padStart(2, '0');
  return `${pad(date.getUTCDate())}/${MONTHS[date.getUTCMonth()]}/${date.getUTCFullYear()}:${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())} +0000`;
}
