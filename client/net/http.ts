/**
 * JSON over fetch to the edge's API: the site's own origin (where the refresh
 * cookie travels on /auth/* by itself), or another one for the library. Every call takes an AbortSignal and ends in
 * a typed error: NetworkError (no answer), AbortedError, ApiError (the docs/http-api.md
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
  /** 'same-origin' (the default) lets the site's refresh cookie travel on /auth/*; the library's cross-origin calls omit it. */
  readonly credentials?: 'same-origin' | 'omit';
  /** An injected fetch (tests, or an app's instrumented one); the global one otherwise. */
  readonly fetch?: typeof fetch;
}

/**
 * Never from the HTTP cache. Spread from a constant rather than written in the
 * literal: the root type check sees this file with Node's RequestInit (through
 * test/client/), which has no `cache`, and the browser's has it.
 */
export const NO_STORE = { cache: 'no-store' } as const;

export async function postJson(url: string, options: PostJsonOptions): Promise<JsonAnswer> {
  const { body, signal } = options;
  const headers: Record<string, string> = { Accept: 'application/json', ...options.headers };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  let response: Response;
  let text: string;
  try {
    response = await (options.fetch ?? fetch)(url, {
      method: 'POST',
      headers,
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      credentials: options.credentials ?? 'same-origin',
      ...NO_STORE,
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
