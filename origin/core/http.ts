/**
 * The auth API's own view of an HTTP exchange, free of any platform type. The
 * API Gateway adapter (origin/auth/api-gateway-event.ts) converts to and from it; a
 * local server could do the same.
 */

export interface AuthRequest {
  readonly method: string;
  readonly path: string;
  /** Header values by lower-cased name, every value kept (a header may repeat). */
  readonly headers: ReadonlyMap<string, readonly string[]>;
  /** The body as the platform delivered it: text, or base64 when `isBase64Encoded`. */
  readonly rawBody: string | null;
  readonly isBase64Encoded: boolean;
  /** The platform's request id, for the log line. */
  readonly requestId: string | undefined;
}

export interface AuthResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  /** Set-Cookie values, one per cookie. */
  readonly cookies: readonly string[];
  /** '' when there is no body (204). */
  readonly body: string;
}

/** Every response: never cached by a browser or a shared cache, never content-sniffed. */
const BASE_HEADERS = Object.freeze({
  'Cache-Control': 'no-store',
  'X-Content-Type-Options': 'nosniff',
});

export const JSON_CONTENT_TYPE = 'application/json; charset=utf-8';

export function jsonResponse(
  status: number,
  body: unknown,
  options?: { readonly cookies?: readonly string[]; readonly headers?: Readonly<Record<string, string>> },
): AuthResponse {
  return {
    status,
    headers: { ...BASE_HEADERS, 'Content-Type': JSON_CONTENT_TYPE, ...options?.headers },
    cookies: options?.cookies ?? [],
    body: JSON.stringify(body),
  };
}

/** 204: no body, so no Content-Type either. */
export function noContentResponse(cookies: readonly string[] = []): AuthResponse {
  return { status: 204, headers: { ...BASE_HEADERS }, cookies, body: '' };
}

/** All values of one header (name matched case-insensitively). */
export function headerValues(request: AuthRequest, name: string): readonly string[] {
  return request.headers.get(name.toLowerCase()) ?? [];
}
