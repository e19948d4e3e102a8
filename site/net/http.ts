/**
 * JSON over fetch to the site's own API (same origin: the refresh cookie
 * travels on /auth/* by itself). Every call takes an AbortSignal and ends in
 * a typed error: NetworkError (no answer), AbortedError, ApiError (the §3
 * error shape) or UnexpectedResponseError.
 */
import { safeJsonParse } from '../../edge-functions/core/safe-json';
import { apiErrorFrom } from '../core/api-contract';
import { AbortedError, NetworkError, UnexpectedResponseError } from '../core/errors';

export interface JsonAnswer {
  readonly status: number;
  /** The parsed body; undefined for an empty one (204). */
  readonly body: unknown;
}

export interface PostJsonOptions {
  /** Sent as JSON; none for the cookie-only routes (refresh, logout). */
  readonly body?: unknown;
  readonly headers?: Readonly<Record<string, string>>;
  readonly signal: AbortSignal;
}

export async function postJson(path: string, options: PostJsonOptions): Promise<JsonAnswer> {
  const { body, signal } = options;
  const headers: Record<string, string> = { Accept: 'application/json', ...options.headers };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  let response: Response;
  let text: string;
  try {
    response = await fetch(path, {
      method: 'POST',
      headers,
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      credentials: 'same-origin',
      cache: 'no-store',
      signal,
    });
    text = await response.text();
  } catch (error) {
    if (signal.aborted) throw new AbortedError();
    throw new NetworkError(undefined, { cause: error });
  }
  const parsed = text.length === 0 ? { ok: true as const, value: undefined } : safeJsonParse(text);
  if (!response.ok) throw apiErrorFrom(response.status, parsed.ok ? parsed.value : undefined);
  if (!parsed.ok) throw new UnexpectedResponseError(response.status);
  return { status: response.status, body: parsed.value };
}
