/**
 * The viewer request as a CloudFront Functions viewer-request event, and a
 * function's result back into what the edge does next ("CloudFront
 * Functions event structure"): header names lower-cased, cookies taken out
 * of the headers into their own map, query string and cookies split into
 * named values, repeated names as `multiValue` (with `value` the first).
 * Values stay as the viewer sent them (still percent-encoded), as CloudFront
 * passes them.
 */
import type {
  CloudFrontFunctionRequest,
  CloudFrontFunctionResponse,
  CloudFrontFunctionValues,
  CloudFrontFunctionViewerRequestEvent,
} from './cloudfront-function-shapes';
import { responseBody } from './cloudfront-functions-sandbox';
import type { EdgeReply, HeaderList, ViewerRequest } from './http-exchange';

export interface DistributionInfo {
  readonly distributionDomainName: string;
  readonly distributionId: string;
}

export function toCloudFrontFunctionEvent(request: ViewerRequest, distribution: DistributionInfo): CloudFrontFunctionViewerRequestEvent {
  const headers: Array<[string, string]> = [];
  const cookies: Array<[string, string]> = [];
  for (const [name, value] of request.headers) {
    const key = name.toLowerCase();
    if (key === 'cookie') cookies.push(...parseCookieHeader(value));
    else headers.push([key, value]);
  }
  return {
    version: '1.0',
    context: {
      distributionDomainName: distribution.distributionDomainName,
      distributionId: distribution.distributionId,
      eventType: 'viewer-request',
      requestId: request.requestId,
    },
    viewer: { ip: request.viewer.ip },
    request: {
      method: request.method,
      uri: request.path,
      querystring: namedValues(parseQuery(request.query)),
      headers: namedValues(headers),
      cookies: namedValues(cookies),
    },
  };
}

/** Name → {value, multiValue?}, in first-seen order; a repeated name keeps every value. */
function namedValues(pairs: ReadonlyArray<readonly [string, string]>): CloudFrontFunctionValues {
  const grouped = new Map<string, string[]>();
  for (const [name, value] of pairs) {
    const values = grouped.get(name);
    if (values === undefined) grouped.set(name, [value]);
    else values.push(value);
  }
  const entries = [...grouped].map(([name, values]) => {
    const first = values[0] ?? '';
    return [name, values.length === 1 ? { value: first } : { value: first, multiValue: values.map((value) => ({ value })) }] as const;
  });
  // fromEntries defines own properties: a name such as `__proto__` stays a name.
  return Object.fromEntries(entries);
}

/** `a=1&b=2&a=3` → pairs, undecoded; a name without `=` has the value ''. */
export function parseQuery(query: string): Array<[string, string]> {
  if (query === '') return [];
  return query
    .split('&')
    .filter((part) => part !== '')
    .map((part): [string, string] => {
      const eq = part.indexOf('=');
      return eq === -1 ? [part, ''] : [part.slice(0, eq), part.slice(eq + 1)];
    });
}

/** `a=1; b=2` → pairs; a part without `=` is skipped, as browsers never send one. */
export function parseCookieHeader(header: string): Array<[string, string]> {
  return header
    .split(';')
    .map((part) => part.trim())
    .filter((part) => part.includes('='))
    .map((part): [string, string] => {
      const eq = part.indexOf('=');
      return [part.slice(0, eq).trim(), part.slice(eq + 1).trim()];
    })
    .filter(([name]) => name !== '');
}

/** Every value of a name → {value, multiValue} map, flattened back to pairs. */
export function flattenValues(values: CloudFrontFunctionValues): Array<[string, string]> {
  const pairs: Array<[string, string]> = [];
  for (const [name, entry] of Object.entries(values)) {
    if (entry.multiValue !== undefined && entry.multiValue.length > 0) for (const item of entry.multiValue) pairs.push([name, item.value]);
    else pairs.push([name, entry.value]);
  }
  return pairs;
}

/**
 * The request a function let through, as headers for the origin: the
 * function's header map (names back in the case the viewer used, where it
 * sent them) with its cookies joined into one Cookie header.
 */
export function originHeadersFrom(request: CloudFrontFunctionRequest, viewerHeaders: HeaderList): Array<[string, string]> {
  const sentCase = new Map<string, string>();
  for (const [name] of viewerHeaders) if (!sentCase.has(name.toLowerCase())) sentCase.set(name.toLowerCase(), name);
  const headers = flattenValues(request.headers).map(([name, value]): [string, string] => [sentCase.get(name) ?? name, value]);
  const cookies = flattenValues(request.cookies);
  if (cookies.length > 0) headers.push([sentCase.get('cookie') ?? 'Cookie', cookies.map(([name, value]) => `${name}=${value}`).join('; ')]);
  return headers;
}

/** The query of a function's request, serialized again (values as they were, still encoded). */
export function queryFrom(request: CloudFrontFunctionRequest): string {
  return flattenValues(request.querystring)
    .map(([name, value]) => (value === '' ? name : `${name}=${value}`))
    .join('&');
}

/** A response a function generated, as the edge sends it. */
export function replyFromFunctionResponse(response: CloudFrontFunctionResponse): EdgeReply {
  const headers: Array<[string, string]> = [];
  for (const [name, value] of flattenValues(response.headers ?? {})) headers.push([name, value]);
  for (const [name, cookie] of Object.entries(response.cookies ?? {})) {
    const variants = cookie.multiValue !== undefined && cookie.multiValue.length > 0 ? cookie.multiValue : [cookie];
    for (const variant of variants) {
      headers.push(['Set-Cookie', `${name}=${variant.value}${variant.attributes ? `; ${variant.attributes}` : ''}`]);
    }
  }
  return {
    status: response.statusCode,
    ...(response.statusDescription === undefined ? {} : { statusText: response.statusDescription }),
    headers,
    body: responseBody(response),
  };
}
