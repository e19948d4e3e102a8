/**
 * The docs/http-api.md error shape as a CloudFront Functions (runtime 2.0) response,
 * shared by both functions and compiled into each at build time. Only syntax
 * the runtime documents: no spread, no optional chaining. The code and the
 * status come from an entry of edge-functions/contract/http-errors.ts (the
 * build keeps only the entries a function names).
 */
import type { HttpErrorEntry } from '../contract/http-errors';

export interface ErrorResponse {
  statusCode: number;
  statusDescription: string;
  headers: Record<string, { value: string }>;
  body: { encoding: 'text'; data: string };
}

/** The message never echoes the path or a header: both are attacker-chosen text. */
export function errorResponse(entry: HttpErrorEntry, statusDescription: string, message: string, allow?: string): ErrorResponse {
  const headers: Record<string, { value: string }> = {
    'content-type': { value: 'application/json' },
    'cache-control': { value: 'no-store' },
  };
  if (allow) headers['allow'] = { value: allow };
  return {
    statusCode: entry.status,
    statusDescription: statusDescription,
    headers: headers,
    body: { encoding: 'text', data: JSON.stringify({ error: { code: entry.code, message: message } }) },
  };
}
