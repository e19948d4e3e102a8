/**
 * HTTPS I/O behind a small interface, so the handler is tested with no
 * network: the JWKS at deploy time and the function's own package (from the
 * pre-signed URL that GetFunction returns).
 */

export interface Fetcher {
  /** GETs `url` and returns the body, refusing non-2xx answers and bodies over `maxBytes`. */
  fetchBytes(url: string, maxBytes: number): Promise<Uint8Array>;
}

/** Per request; the whole custom resource has minutes, a stuck connection must not eat them. */
const REQUEST_TIMEOUT_MS = 15_000;

export class HttpsFetcher implements Fetcher {
  async fetchBytes(url: string, maxBytes: number): Promise<Uint8Array> {
    if (!url.startsWith('https://')) throw new Error('only https URLs are fetched');
    const response = await fetch(url, { signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS), redirect: 'error' });
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    const declared = Number(response.headers.get('content-length') ?? '0');
    if (declared > maxBytes) throw new Error(`the response is ${declared} bytes, over the ${maxBytes}-byte limit`);
    const body = new Uint8Array(await response.arrayBuffer());
    if (body.byteLength > maxBytes) throw new Error(`the response is over the ${maxBytes}-byte limit`);
    return body;
  }
}
