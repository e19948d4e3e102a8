/**
 * Structural sanitizing of recorded events (`--record`): secrets and ids are
 * replaced by fixed placeholders of the same type, and no key is ever added
 * or removed, so a recorded event keeps the exact shape of the real one and
 * can go straight into test/fixtures.
 *
 * What is replaced, wherever it is in the event (header maps of any of the
 * three shapes, query strings, JSON bodies, base64 bodies):
 * - Authorization values (the scheme is kept: `Bearer REDACTED.REDACTED.REDACTED`);
 * - cookies: the values in a Cookie header and in a CloudFront Functions
 *   `cookies` map (names are kept);
 * - passwords, codes, tokens and email addresses in fields with those names;
 * - request ids (CloudFront, API Gateway, trace ids);
 * - anything, anywhere, that looks like a JWT or an email address.
 *
 * A body is decoded (base64 when it says so), sanitized as JSON when it is
 * JSON (field by field, keys untouched), else as text, and encoded again; the
 * Content-Length beside it is set to the new length, so the event stays
 * consistent.
 */

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

export const REDACTED = 'REDACTED';
export const REDACTED_JWT = 'REDACTED.REDACTED.REDACTED';
export const PLACEHOLDER_EMAIL = 'user@example.com';
export const PLACEHOLDER_CODE = '000000';
export const PLACEHOLDER_PASSWORD = 'Redacted-Password-0';
export const PLACEHOLDER_REQUEST_ID = 'EXAMPLE-request-id-0000000000000000000000000000000000==';

/** A JWT (JWS compact form: three base64url parts, the first two JSON objects starting `{"`), or a JWE (five parts). */
const JWT_PATTERN = /eyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*(?:\.[A-Za-z0-9_-]*){1,3}/g;
const EMAIL_PATTERN = /[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+/g;
/** The same address, percent-encoded in a query string. */
const ENCODED_EMAIL_PATTERN = /[A-Za-z0-9._%+-]+%40[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+/gi;

type Replacement = (value: string) => string;

const bearer: Replacement = (value) => {
  const scheme = /^\s*([A-Za-z][A-Za-z0-9-]*)\s+/.exec(value)?.[1];
  return scheme === undefined ? REDACTED : `${scheme} ${scheme.toLowerCase() === 'bearer' ? REDACTED_JWT : REDACTED}`;
};
const cookieHeader: Replacement = (value) =>
  value
    .split(';')
    .map((part) => {
      const eq = part.indexOf('=');
      return eq === -1 ? part : `${part.slice(0, eq)}=${REDACTED}`;
    })
    .join(';');
const fixed =
  (placeholder: string): Replacement =>
  () =>
    placeholder;

/** Field names (lower case) whose values are secret or identifying, in every event shape. */
const FIELD_RULES: ReadonlyMap<string, Replacement> = new Map([
  ['authorization', bearer],
  ['cookie', cookieHeader],
  ['x-amz-security-token', fixed(REDACTED)],
  ['password', fixed(PLACEHOLDER_PASSWORD)],
  ['newpassword', fixed(PLACEHOLDER_PASSWORD)],
  ['code', fixed(PLACEHOLDER_CODE)],
  ['email', fixed(PLACEHOLDER_EMAIL)],
  ['accesstoken', fixed(REDACTED_JWT)],
  ['idtoken', fixed(REDACTED_JWT)],
  ['refreshtoken', fixed(REDACTED_JWT)],
  ['token', fixed(REDACTED_JWT)],
  ['requestid', fixed(PLACEHOLDER_REQUEST_ID)],
  ['extendedrequestid', fixed(PLACEHOLDER_REQUEST_ID)],
  ['x-amz-cf-id', fixed(PLACEHOLDER_REQUEST_ID)],
  ['x-amzn-requestid', fixed(PLACEHOLDER_REQUEST_ID)],
  ['x-amzn-trace-id', fixed('Root=1-00000000-000000000000000000000000')],
]);

/** A CloudFront Functions `cookies` map: every value under it is secret, whatever the cookie is called. */
const STICKY_RULES: ReadonlyMap<string, Replacement> = new Map([['cookies', fixed(REDACTED)]]);

/** Keys that hold a name, not a value: `{key: 'Authorization', value: '…'}` in Lambda@Edge header lists. */
const NAME_KEYS = new Set(['key']);
/** Keys that hold the value of the field their parent names. */
const VALUE_KEYS = new Set(['value', 'multivalue']);

interface Hint {
  readonly replace: Replacement | undefined;
  readonly sticky: boolean;
}

const NO_HINT: Hint = { replace: undefined, sticky: false };

export function sanitizeEvent<T>(event: T): T {
  const copy = JSON.parse(JSON.stringify(event)) as Json;
  return walk(copy, NO_HINT) as T;
}

function walk(node: Json, hint: Hint): Json {
  if (typeof node === 'string') return hint.replace !== undefined ? hint.replace(node) : scrubText(node);
  if (Array.isArray(node)) return node.map((item) => walk(item, hint));
  if (node === null || typeof node !== 'object') return node;

  const entries: Array<[string, Json]> = [];
  let newBodyLength: number | undefined;
  for (const [key, value] of Object.entries(node)) {
    const lower = key.toLowerCase();
    let childHint: Hint;
    if (hint.sticky) childHint = hint;
    else if (NAME_KEYS.has(lower)) childHint = NO_HINT;
    else if (VALUE_KEYS.has(lower)) childHint = hint;
    else if (STICKY_RULES.has(lower)) childHint = { replace: STICKY_RULES.get(lower), sticky: true };
    else childHint = { replace: FIELD_RULES.get(lower), sticky: false };

    if (lower === 'body' && childHint.replace === undefined) {
      const body = sanitizeBody(value, node['isBase64Encoded'] === true);
      entries.push([key, body.value]);
      newBodyLength = body.newLength;
    } else if (lower === 'querystring' && typeof value === 'string') {
      entries.push([key, scrubQuery(value)]);
    } else {
      entries.push([key, walk(value, childHint)]);
    }
  }
  // fromEntries defines own properties: a `__proto__` key stays a key.
  const out = Object.fromEntries(entries) as { [key: string]: Json };
  if (newBodyLength !== undefined) setContentLength(out, newBodyLength);
  return out;
}

interface SanitizedBody {
  readonly value: Json;
  /** The body's new length in bytes, when sanitizing changed it. */
  readonly newLength: number | undefined;
}

/** A body: a string (API Gateway; base64 when the event says so) or Lambda@Edge's {data, encoding, …}. */
function sanitizeBody(body: Json, isBase64Encoded: boolean): SanitizedBody {
  if (typeof body === 'string') {
    const text = isBase64Encoded ? Buffer.from(body, 'base64').toString('utf8') : body;
    const clean = sanitizeBodyText(text);
    if (clean === text) return { value: body, newLength: undefined };
    return { value: isBase64Encoded ? Buffer.from(clean, 'utf8').toString('base64') : clean, newLength: Buffer.byteLength(clean, 'utf8') };
  }
  if (body !== null && typeof body === 'object' && !Array.isArray(body) && typeof body['data'] === 'string') {
    const base64 = body['encoding'] === 'base64';
    const text = base64 ? Buffer.from(body['data'], 'base64').toString('utf8') : body['data'];
    const clean = sanitizeBodyText(text);
    if (clean === text) return { value: body, newLength: undefined };
    // A cut-short body keeps the length the viewer declared: the event says it was truncated.
    const newLength = body['inputTruncated'] === true ? undefined : Buffer.byteLength(clean, 'utf8');
    return { value: { ...body, data: base64 ? Buffer.from(clean, 'utf8').toString('base64') : clean }, newLength };
  }
  return { value: walk(body, NO_HINT), newLength: undefined };
}

function sanitizeBodyText(text: string): string {
  let parsed: Json;
  try {
    parsed = JSON.parse(text) as Json;
  } catch {
    return scrubJsonLikeText(text);
  }
  return JSON.stringify(walk(parsed, NO_HINT));
}

/**
 * A body that is not whole JSON (cut short by the edge's 40 KB limit):
 * `"password": "…"`-style pairs of the secret field names, then JWTs and
 * addresses anywhere.
 */
function scrubJsonLikeText(text: string): string {
  const pairs = text.replace(/"([A-Za-z-]+)"(\s*:\s*)"((?:[^"\\]|\\.)*)"/g, (whole, name: string, colon: string, value: string) => {
    const rule = FIELD_RULES.get(name.toLowerCase());
    return rule === undefined ? whole : `"${name}"${colon}${JSON.stringify(rule(value))}`;
  });
  return scrubText(pairs);
}

function scrubText(text: string): string {
  return text.replace(JWT_PATTERN, REDACTED_JWT).replace(EMAIL_PATTERN, PLACEHOLDER_EMAIL);
}

/** Lambda@Edge's raw query string: the secret fields by name, then the general patterns. */
function scrubQuery(query: string): string {
  const fields = query
    .split('&')
    .map((part) => {
      const eq = part.indexOf('=');
      if (eq === -1) return part;
      const rule = FIELD_RULES.get(safeDecode(part.slice(0, eq)).toLowerCase());
      return rule === undefined ? part : `${part.slice(0, eq)}=${encodeURIComponent(rule(safeDecode(part.slice(eq + 1))))}`;
    })
    .join('&');
  return scrubText(fields).replace(ENCODED_EMAIL_PATTERN, encodeURIComponent(PLACEHOLDER_EMAIL));
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text.replace(/\+/g, ' '));
  } catch {
    return text;
  }
}

/**
 * The Content-Length beside a rewritten body, where the event already has
 * one: API Gateway's `headers` (string) and `multiValueHeaders` (list), and
 * Lambda@Edge's `headers` ([{key, value}]).
 */
function setContentLength(owner: { [key: string]: Json }, length: number): void {
  const text = String(length);
  for (const mapName of ['headers', 'multiValueHeaders']) {
    const map = owner[mapName];
    if (map === null || typeof map !== 'object' || Array.isArray(map)) continue;
    for (const name of Object.keys(map)) {
      if (name.toLowerCase() !== 'content-length') continue;
      const value = map[name];
      if (typeof value === 'string') map[name] = text;
      else if (Array.isArray(value)) {
        map[name] = value.map((item) =>
          item !== null && typeof item === 'object' && !Array.isArray(item) ? { ...item, value: text } : text,
        );
      }
    }
  }
}
