/**
 * The answers of the site's API as docs/http-api.md defines them. Bodies are
 * `unknown` until checked here; a body of the wrong shape is an
 * UnexpectedResponseError, never a crash three calls later.
 */
import { isPlainObject } from '../../edge-functions/core/safe-json';
import { ApiError, UnexpectedResponseError } from './errors';

/** `{accessToken, idToken, expiresIn, tokenType}` of /auth/login and /auth/refresh. */
export interface TokenGrant {
  readonly accessToken: string;
  readonly idToken: string;
  /** Seconds the access token lives. */
  readonly expiresIn: number;
}

/** One signed form of a /presign answer, with its fields in the order they must be sent. */
export interface PresignedForm {
  readonly id: string;
  readonly key: string;
  readonly url: string;
  readonly fields: ReadonlyArray<readonly [string, string]>;
  /** When S3 stops accepting the form (ms since the epoch, by the signer's clock). */
  readonly expiresAt: number;
}

const AMZ_DATE = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/;

/**
 * How long a form lives from its signing: `expiresAt` minus the form's own
 * `X-Amz-Date`, both by the signer's clock, so this device's clock being off
 * does not matter. `fallbackMs` when the form has no readable date.
 */
export function formLifetimeMs(form: PresignedForm, fallbackMs: number): number {
  const date = form.fields.find(([name]) => name.toLowerCase() === 'x-amz-date')?.[1];
  const parts = date === undefined ? null : AMZ_DATE.exec(date);
  if (parts === null) return fallbackMs;
  const [, y, mo, d, h, mi, se] = parts.map(Number);
  const signedAt = Date.UTC(y ?? 0, (mo ?? 1) - 1, d ?? 1, h ?? 0, mi ?? 0, se ?? 0);
  return Math.max(0, form.expiresAt - signedAt);
}

/** What /presign is told about one file. */
export interface PresignFile {
  readonly name: string;
  readonly size: number;
  readonly type: string;
  readonly id: string;
  /** Base64 of the file's 16-byte MD5: the POST policy then binds Content-MD5 (docs/http-api.md, "Integrity"). */
  readonly md5?: string;
}

const JWT = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;

export function parseTokenGrant(status: number, body: unknown): TokenGrant {
  if (!isPlainObject(body)) throw new UnexpectedResponseError(status);
  const { accessToken, idToken, expiresIn } = body;
  if (typeof accessToken !== 'string' || !JWT.test(accessToken)) throw new UnexpectedResponseError(status);
  if (typeof idToken !== 'string' || !JWT.test(idToken)) throw new UnexpectedResponseError(status);
  if (typeof expiresIn !== 'number' || !Number.isFinite(expiresIn) || expiresIn <= 0) throw new UnexpectedResponseError(status);
  return { accessToken, idToken, expiresIn };
}

/** `{status: "…", destination?}` of register, confirm, resend, forgot and reset. */
export function parseStatus(status: number, body: unknown): { readonly status: string; readonly destination: string | undefined } {
  if (!isPlainObject(body) || typeof body.status !== 'string') throw new UnexpectedResponseError(status);
  return { status: body.status, destination: typeof body.destination === 'string' ? body.destination : undefined };
}

/**
 * The forms of a /presign answer, one per file sent, in the same order, each
 * for the id that was sent (so a retry can never attach a file to another
 * file's key).
 */
export function parsePresignResponse(status: number, body: unknown, sent: readonly PresignFile[]): PresignedForm[] {
  if (!isPlainObject(body) || !Array.isArray(body.uploads) || body.uploads.length !== sent.length)
    throw new UnexpectedResponseError(status);
  return body.uploads.map((upload: unknown, index) => {
    if (!isPlainObject(upload)) throw new UnexpectedResponseError(status);
    const { id, key, url, fields, expiresAt } = upload;
    if (typeof id !== 'string' || id !== sent[index]?.id) throw new UnexpectedResponseError(status);
    if (typeof key !== 'string' || key.length === 0) throw new UnexpectedResponseError(status);
    if (typeof url !== 'string' || !isHttpUrl(url)) throw new UnexpectedResponseError(status);
    if (!isPlainObject(fields)) throw new UnexpectedResponseError(status);
    const entries = Object.entries(fields);
    if (!entries.every((entry): entry is [string, string] => typeof entry[1] === 'string')) throw new UnexpectedResponseError(status);
    const expires = typeof expiresAt === 'string' ? Date.parse(expiresAt) : NaN;
    if (!Number.isFinite(expires)) throw new UnexpectedResponseError(status);
    return { id, key, url, fields: entries, expiresAt: expires };
  });
}

/** The ApiError for a non-2xx answer: its `{error: {code, message, file?}}`, or a generic one for any other body. */
export function apiErrorFrom(status: number, body: unknown): ApiError {
  const error = isPlainObject(body) ? body.error : undefined;
  if (isPlainObject(error) && typeof error.code === 'string' && typeof error.message === 'string' && error.message.length > 0) {
    const file = typeof error.file === 'number' && Number.isInteger(error.file) && error.file >= 0 ? error.file : undefined;
    return new ApiError(status, error.code, error.message, file);
  }
  return new ApiError(status, `HTTP_${status}`, genericMessage(status));
}

function genericMessage(status: number): string {
  if (status === 429) return 'Too many requests. Wait a minute and try again.';
  if (status >= 500) return `The server had a problem (HTTP ${status}). Try again in a moment.`;
  return `The request was refused (HTTP ${status}).`;
}

function isHttpUrl(text: string): boolean {
  try {
    const url = new URL(text);
    return url.protocol === 'https:' || url.protocol === 'http:';
  } catch {
    return false;
  }
}
