/**
 * The edge the library talks to: its base URL (empty for the site, which is
 * served by the edge itself; `https://uploads.example.com` for another app,
 * whose origin must be in the edge's allowedOrigins, docs/http-api.md), the
 * token source, and the fetch to use.
 */
import type { AccessTokens } from '../core/access-token';
import { postJson, type JsonAnswer } from './http';

export interface Edge {
  /** No trailing slash; '' means the page's own origin. */
  readonly baseUrl: string;
  readonly tokens: AccessTokens;
  readonly fetch?: typeof fetch;
}

/** An authorized JSON POST to one of the edge's /presign routes (a 401 gets one fresh token, AccessTokens). */
export function postAuthorized(edge: Edge, path: string, body: unknown, signal: AbortSignal): Promise<JsonAnswer> {
  return edge.tokens.withAccessToken((accessToken) =>
    postJson(`${edge.baseUrl}${path}`, {
      body,
      headers: { Authorization: `Bearer ${accessToken}` },
      signal,
      // The bearer token is the authorization; no cookie goes to the edge from another origin.
      credentials: edge.baseUrl === '' ? 'same-origin' : 'omit',
      ...(edge.fetch === undefined ? {} : { fetch: edge.fetch }),
    }),
  );
}

/** The edge's base URL as given, checked once: an absolute http(s) URL without a trailing slash, or ''. */
export function edgeBaseUrl(edgeUrl: string): string {
  if (edgeUrl === '') return '';
  let url: URL;
  try {
    url = new URL(edgeUrl);
  } catch {
    throw new TypeError(`edgeUrl must be an absolute URL, got ${JSON.stringify(edgeUrl)}`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new TypeError('edgeUrl must be an http(s) URL');
  if (url.search !== '' || url.hash !== '') throw new TypeError('edgeUrl must not have a query or a fragment');
  return url.href.replace(/\/+$/, '');
}
