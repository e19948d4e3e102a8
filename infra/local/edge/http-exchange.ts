/**
 * The local edge's view of one HTTP exchange, independent of node:http: the
 * viewer request as CloudFront sees it (raw path and query, every header with
 * the case the viewer sent, the body, who the viewer is) and the reply the
 * edge sends back. The behaviours translate these into CloudFront Functions,
 * Lambda@Edge and API Gateway shapes and back.
 */
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';

export type HeaderList = ReadonlyArray<readonly [name: string, value: string]>;

export interface Viewer {
  readonly ip: string;
  /** ISO 3166-1 alpha-2, upper case. */
  readonly country: string;
}

export interface ViewerRequest {
  /** The edge's id for this request (CloudFront's x-amz-cf-id). */
  readonly requestId: string;
  readonly method: string;
  /** The path as sent, still percent-encoded, without the query. */
  readonly path: string;
  /** The query as sent, without `?`; '' when there is none. */
  readonly query: string;
  /** Every header, in order, with the name's case as sent. */
  readonly headers: HeaderList;
  /** The body as read: at most `maxBodyBytes`. */
  readonly body: Buffer;
  /** True when the viewer sent more than the edge reads; `body` is then cut. */
  readonly bodyOverLimit: boolean;
  readonly viewer: Viewer;
  /** The address the connection came from (the last hop, not the simulated viewer). */
  readonly socketIp: string;
  readonly receivedAt: Date;
}

export interface EdgeReply {
  readonly status: number;
  readonly statusText?: string;
  /** Canonical-case names; a name may repeat (Set-Cookie). */
  readonly headers: HeaderList;
  readonly body: Buffer;
}

/** The values of a header, any case. */
export function headerValues(headers: HeaderList, name: string): string[] {
  const wanted = name.toLowerCase();
  return headers.filter(([key]) => key.toLowerCase() === wanted).map(([, value]) => value);
}

export function firstHeader(headers: HeaderList, name: string): string | undefined {
  return headerValues(headers, name)[0];
}

/** `headers` with every `name` (any case) replaced by `values` (none: removed). */
export function replaceHeader(headers: HeaderList, name: string, values: readonly string[]): Array<[string, string]> {
  const wanted = name.toLowerCase();
  return [
    ...headers.filter(([key]) => key.toLowerCase() !== wanted).map(([key, value]): [string, string] => [key, value]),
    ...values.map((value): [string, string] => [name, value]),
  ];
}

export function jsonReply(status: number, body: unknown, extraHeaders: Record<string, string> = {}): EdgeReply {
  return {
    status,
    headers: [['Content-Type', 'application/json'], ['Cache-Control', 'no-store'], ...Object.entries(extraHeaders)],
    body: Buffer.from(JSON.stringify(body), 'utf8'),
  };
}

/** A CloudFront-style request id: 56 base64url-ish characters, as in the fixtures. */
export function newEdgeRequestId(): string {
  return randomBytes(42).toString('base64').replace(/\+/g, '-').replace(/\//g, '_');
}

/**
 * Reads a request's body, at most `maxBytes` of it. Past that it stops
 * reading (the reply then closes the connection) and says so.
 */
export function readBody(req: IncomingMessage, maxBytes: number): Promise<{ body: Buffer; overLimit: boolean }> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    const finish = (overLimit: boolean): void => {
      if (done) return;
      done = true;
      req.off('data', onData);
      resolve({ body: Buffer.concat(chunks), overLimit });
    };
    const onData = (chunk: Buffer): void => {
      if (done) return;
      const room = maxBytes - size;
      if (chunk.length > room) {
        chunks.push(chunk.subarray(0, room));
        size = maxBytes;
        req.pause();
        finish(true);
        return;
      }
      chunks.push(chunk);
      size += chunk.length;
    };
    req.on('data', onData);
    req.once('end', () => finish(false));
    req.once('error', (error) => {
      if (!done) {
        done = true;
        reject(error);
      }
    });
  });
}

/** Pairs from node's rawHeaders (name, value, name, value, …), case as sent. */
export function rawHeaderPairs(rawHeaders: readonly string[]): Array<[string, string]> {
  const pairs: Array<[string, string]> = [];
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) pairs.push([rawHeaders[i] as string, rawHeaders[i + 1] as string]);
  return pairs;
}

/** Sends `reply`; a HEAD gets the headers only. `close` ends the connection (the body was not read to the end). */
export function sendReply(res: ServerResponse, method: string, reply: EdgeReply, close = false): void {
  const grouped = new Map<string, { name: string; values: string[] }>();
  for (const [name, value] of reply.headers) {
    const key = name.toLowerCase();
    if (key === 'content-length' || key === 'transfer-encoding' || key === 'connection') continue;
    const entry = grouped.get(key);
    if (entry === undefined) grouped.set(key, { name, values: [value] });
    else entry.values.push(value);
  }
  for (const { name, values } of grouped.values()) res.setHeader(name, values.length === 1 ? (values[0] as string) : values);
  res.setHeader('Content-Length', String(reply.body.length));
  if (close) res.setHeader('Connection', 'close');
  if (reply.statusText !== undefined && /^[\t\x20-\x7e]{0,256}$/.test(reply.statusText)) res.statusMessage = reply.statusText;
  res.statusCode = reply.status;
  res.end(method === 'HEAD' ? undefined : reply.body);
}
