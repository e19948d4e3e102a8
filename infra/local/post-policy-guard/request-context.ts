/**
 * One request in flight through the guard, as every request family sees it
 * (form-upload.ts, signed-request-proxy.ts, multipart-requests.ts): what it
 * targets, and the one way a refusal is answered and logged.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { errorResponse } from './s3-xml';

export interface GuardLogEntry {
  readonly requestId: string;
  readonly method: string;
  readonly path: string;
  readonly status: number;
  readonly bucket?: string;
  readonly key?: string;
  /** The refusal, or the unexpected failure in full. */
  readonly error?: unknown;
}

export interface RequestContext {
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  readonly requestId: string;
  readonly method: string;
  readonly path: string;
  readonly log: (entry: GuardLogEntry) => void;
  cors: Record<string, string>;
}

export interface Target {
  readonly bucket: string;
  readonly key: string;
  readonly query: string;
}

export function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** Where this guard was reached, for Location: the Host the client used when it is a plain host[:port]. */
export function publicBaseUrl(req: IncomingMessage): string {
  const host = header(req, 'host');
  const local = req.socket.localAddress ?? '127.0.0.1';
  const fallback = `${local.includes(':') ? `[${local}]` : local}:${req.socket.localPort ?? 80}`;
  return `http://${host !== undefined && /^[A-Za-z0-9.-]+(:\d{1,5})?$|^\[[0-9A-Fa-f:.]+\](:\d{1,5})?$/.test(host) ? host : fallback}`;
}

export function sendError(context: RequestContext, error: unknown, extra: Partial<GuardLogEntry> = {}): void {
  const { res, requestId } = context;
  const response = errorResponse(error, requestId);
  context.log({ requestId, method: context.method, path: context.path, status: response.status, error, ...extra });
  if (res.headersSent) {
    res.destroy();
    return;
  }
  res.writeHead(response.status, { ...context.cors, ...response.headers, 'Content-Length': String(Buffer.byteLength(response.body)) });
  res.end(response.body);
}
