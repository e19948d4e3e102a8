/**
 * SigV4 verification of every request that is not a browser form (AWS
 * "Authenticating Requests (AWS Signature Version 4)": header auth and query
 * auth). The expected signature is computed by @smithy/signature-v4 — the
 * signer the AWS SDK itself uses — from the request as it arrived: the
 * headers the client says it signed, with the values it sent, the path and
 * query in S3's canonical form, and the payload hash it claims (the body is
 * held to that claim afterwards, in request-body.ts). Nothing here reads a
 * body or touches the network.
 */
import { createHash, createHmac, type Hash, type Hmac } from 'node:crypto';
import { SignatureV4 } from '@smithy/signature-v4';
import type { Checksum, HttpRequest, SourceData } from '@smithy/types';
import {
  AccessDeniedError,
  AuthorizationHeaderMalformedError,
  AuthorizationQueryParametersError,
  HeadersNotSignedError,
  InvalidAccessKeyIdError,
  InvalidArgumentError,
  InvalidRequestError,
  NotImplementedError,
  RequestExpiredError,
  RequestTimeTooSkewedError,
  SignatureDoesNotMatchError,
} from './errors';
import { checkSecurityToken, constantTimeEqual, parseCredential, type GuardCredentials } from './policy-signature';

export interface RequestSignatureConfig {
  readonly credentials: GuardCredentials;
  readonly region: string;
}

export interface SignedRequestInput {
  readonly method: string;
  /** The path as sent, still percent-encoded. */
  readonly rawPath: string;
  /** The query string as sent, without the `?`. */
  readonly rawQuery: string;
  /** Lower-case names, as node:http gives them. */
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly now: Date;
}

export type PayloadClaim =
  /** The body's SHA-256, hex: the body must hash to it. */
  | { readonly kind: 'sha256'; readonly hash: string }
  | { readonly kind: 'unsigned' }
  /** aws-chunked body without chunk signatures, checksum in a trailer (the SDK's streaming uploads). */
  | { readonly kind: 'unsigned-chunked-trailer' };

export interface VerifiedRequest {
  readonly auth: 'header' | 'query';
  readonly payload: PayloadClaim;
  /** Lower-case names of the signed headers. */
  readonly signedHeaders: ReadonlySet<string>;
  /** The query string to pass on, without the X-Amz-* authentication parameters. */
  readonly forwardQuery: string;
}

const ALGORITHM = 'AWS4-HMAC-SHA256';
const UNSIGNED_PAYLOAD = 'UNSIGNED-PAYLOAD';
const MAX_SKEW_MS = 15 * 60 * 1000;
const MAX_EXPIRES_SECONDS = 7 * 24 * 60 * 60;
const AMZ_DATE = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/;
const SHA256_HEX = /^[0-9a-f]{64}$/;
/** Query parameters that carry the signature itself and are never passed on. */
const AUTH_QUERY_PARAMS = new Set([
  'x-amz-algorithm',
  'x-amz-credential',
  'x-amz-date',
  'x-amz-expires',
  'x-amz-signedheaders',
  'x-amz-signature',
  'x-amz-security-token',
]);

/** SHA-256 (and HMAC-SHA256 when given a key) on node:crypto, in the shape @smithy/signature-v4 asks for. */
class NodeSha256 implements Checksum {
  private hash: Hash | Hmac;
  private readonly secret: SourceData | undefined;

  constructor(secret?: SourceData) {
    this.secret = secret;
    this.hash = NodeSha256.create(secret);
  }

  private static create(secret: SourceData | undefined): Hash | Hmac {
    if (secret === undefined) return createHash('sha256');
    const key =
      typeof secret === 'string'
        ? secret
        : ArrayBuffer.isView(secret)
          ? Buffer.from(secret.buffer, secret.byteOffset, secret.byteLength)
          : Buffer.from(secret);
    return createHmac('sha256', key);
  }

  update(data: Uint8Array): void {
    this.hash.update(data);
  }

  async digest(): Promise<Uint8Array> {
    return new Uint8Array(this.hash.digest());
  }

  reset(): void {
    this.hash = NodeSha256.create(this.secret);
  }
}

export class RequestSignatureVerifier {
  private readonly config: RequestSignatureConfig;
  private readonly signer: SignatureV4;

  constructor(config: RequestSignatureConfig) {
    this.config = config;
    this.signer = new SignatureV4({
      credentials: { ...config.credentials },
      region: config.region,
      service: 's3',
      sha256: NodeSha256,
      // S3 signs the path encoded once, not normalized (canonicalPath below does S3's encoding).
      uriEscapePath: false,
      applyChecksum: false,
    });
  }

  /** Resolves with what the signature covers, or rejects with S3's refusal. */
  async verify(input: SignedRequestInput): Promise<VerifiedRequest> {
    const query = parseQuery(input.rawQuery);
    const authorization = single(input.headers.authorization);
    const queryAuth = query.some(([name]) => name.toLowerCase() === 'x-amz-algorithm' || name === 'X-Amz-Signature');
    if (authorization !== undefined && queryAuth) {
      throw new InvalidArgumentError(
        'Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter, Signature query string parameter or the Authorization header should be specified',
        'Authorization',
        authorization,
      );
    }
    if (queryAuth) return this.verifyQuery(input, query);
    if (authorization !== undefined) return this.verifyHeader(input, query, authorization);
    // No bucket here is public: an unsigned request is anonymous and refused, reads included.
    throw new AccessDeniedError('Access Denied');
  }

  private async verifyHeader(input: SignedRequestInput, query: QueryEntries, authorization: string): Promise<VerifiedRequest> {
    const auth = parseAuthorizationHeader(authorization);
    const scope = headerScope(auth.credential, this.config.region);
    const amzDate = single(input.headers['x-amz-date']);
    if (amzDate === undefined) throw new AccessDeniedError('AWS authentication requires a valid Date or x-amz-date header');
    const signingDate = parseAmzDate(amzDate, (message) => new AccessDeniedError(message));
    if (amzDate.slice(0, 8) !== scope.shortDate) {
      throw new AuthorizationHeaderMalformedError(
        `The authorization header is malformed; Invalid credential date. Date is not the same as X-Amz-Date.`,
      );
    }
    if (Math.abs(input.now.getTime() - signingDate.getTime()) > MAX_SKEW_MS) {
      throw new RequestTimeTooSkewedError(amzDate, formatAmzDate(input.now));
    }
    if (scope.accessKeyId !== this.config.credentials.accessKeyId) throw new InvalidAccessKeyIdError(scope.accessKeyId);
    checkSecurityToken(single(input.headers['x-amz-security-token']), this.config.credentials.sessionToken, scope.accessKeyId);
    const signed = signedHeaderSet(auth.signedHeaders, input.headers, (message) => new AuthorizationHeaderMalformedError(message));
    const contentSha256 = single(input.headers['x-amz-content-sha256']);
    if (contentSha256 === undefined) throw new InvalidRequestError('Missing required header for this request: x-amz-content-sha256');
    if (!signed.has('x-amz-content-sha256')) throw new HeadersNotSignedError(['x-amz-content-sha256']);
    const payload = payloadClaim(contentSha256);
    checkAllAmzHeadersSigned(input.headers, signed, new Set(['x-amz-date', 'x-amz-security-token']));

    const signedRequest = await this.signer.sign(toSignable(input, query, signed, undefined), {
      signingDate,
      signableHeaders: signed,
    });
    const expected = /Signature=([0-9a-f]{64})$/.exec(single(signedRequest.headers.authorization) ?? '')?.[1] ?? '';
    if (!constantTimeEqual(expected, auth.signature)) throw new SignatureDoesNotMatchError(scope.accessKeyId, undefined, auth.signature);
    return { auth: 'header', payload, signedHeaders: signed, forwardQuery: input.rawQuery };
  }

  private async verifyQuery(input: SignedRequestInput, query: QueryEntries): Promise<VerifiedRequest> {
    const param = (name: string): string => {
      const found = query.filter(([key]) => key === name);
      if (found.length !== 1) {
        throw new AuthorizationQueryParametersError(
          'Query-string authentication version 4 requires the X-Amz-Algorithm, X-Amz-Credential, X-Amz-Signature, X-Amz-Date, X-Amz-SignedHeaders, and X-Amz-Expires parameters.',
        );
      }
      return (found[0] as QueryEntry)[1];
    };
    const algorithm = param('X-Amz-Algorithm');
    const credential = param('X-Amz-Credential');
    const amzDate = param('X-Amz-Date');
    const expiresText = param('X-Amz-Expires');
    const signedHeadersText = param('X-Amz-SignedHeaders');
    const signature = param('X-Amz-Signature');
    if (algorithm !== ALGORITHM) throw new AuthorizationQueryParametersError(`X-Amz-Algorithm only supports "${ALGORITHM}"`);
    const scope = parseCredential(credential, this.config.region);
    const signingDate = parseAmzDate(amzDate, (message) => new AuthorizationQueryParametersError(message));
    if (amzDate.slice(0, 8) !== scope.shortDate) {
      throw new AuthorizationQueryParametersError(
        `Invalid credential date "${scope.shortDate}". This date is not the same as X-Amz-Date: "${amzDate.slice(0, 8)}".`,
      );
    }
    if (!/^\d{1,7}$/.test(expiresText)) throw new AuthorizationQueryParametersError('X-Amz-Expires should be a number');
    const expiresIn = Number(expiresText);
    if (expiresIn > MAX_EXPIRES_SECONDS)
      throw new AuthorizationQueryParametersError('X-Amz-Expires must be less than a week (in seconds) that is 604800');
    if (expiresIn < 1) throw new AuthorizationQueryParametersError('X-Amz-Expires must be non-negative');
    if (signingDate.getTime() - input.now.getTime() > MAX_SKEW_MS) throw new AccessDeniedError('Request is not valid yet');
    const expiresAt = new Date(signingDate.getTime() + expiresIn * 1000);
    if (input.now.getTime() > expiresAt.getTime()) {
      throw new RequestExpiredError(
        expiresText,
        expiresAt.toISOString().replace(/\.\d{3}Z$/, 'Z'),
        input.now.toISOString().replace(/\.\d{3}Z$/, 'Z'),
      );
    }
    if (scope.accessKeyId !== this.config.credentials.accessKeyId) throw new InvalidAccessKeyIdError(scope.accessKeyId);
    const token = query.find(([name]) => name === 'X-Amz-Security-Token')?.[1];
    checkSecurityToken(token, this.config.credentials.sessionToken, scope.accessKeyId);
    const signed = signedHeaderSet(signedHeadersText, input.headers, (message) => new AuthorizationQueryParametersError(message));
    // Hoisted x-amz-* values are in the query (and signed with it); as headers they must be signed.
    checkAllAmzHeadersSigned(input.headers, signed, new Set());
    // A presigned URL's payload is UNSIGNED-PAYLOAD unless a signed header (or the query) says otherwise.
    const claimed = signed.has('x-amz-content-sha256')
      ? single(input.headers['x-amz-content-sha256'])
      : query.find(([name]) => name.toLowerCase() === 'x-amz-content-sha256')?.[1];
    const payload = payloadClaim(claimed ?? UNSIGNED_PAYLOAD);

    const rest = query.filter(([name]) => !AUTH_QUERY_PARAMS.has(name.toLowerCase()) || !name.startsWith('X-Amz-'));
    const presigned = await this.signer.presign(toSignable(input, rest, signed, claimed ?? UNSIGNED_PAYLOAD), {
      signingDate,
      expiresIn,
      signableHeaders: signed,
      // The payload hash header set by toSignable is for getPayloadHash only: not signed, not hoisted.
      unsignableHeaders: signed.has('x-amz-content-sha256') ? new Set() : new Set(['x-amz-content-sha256']),
      // Every signed header stays a header, as the client signed it; hoisted ones are already in `rest`.
      unhoistableHeaders: new Set([...signed, 'x-amz-content-sha256']),
    });
    const expected = single(presigned.query?.['X-Amz-Signature'] ?? undefined) ?? '';
    const expectedList = single(presigned.query?.['X-Amz-SignedHeaders'] ?? undefined) ?? '';
    if (expectedList !== signedHeadersText || !constantTimeEqual(expected, signature)) {
      throw new SignatureDoesNotMatchError(scope.accessKeyId, undefined, signature);
    }
    return { auth: 'query', payload, signedHeaders: signed, forwardQuery: serializeQuery(input.rawQuery) };
  }
}

// ---- parsing ----------------------------------------------------------------

type QueryEntry = readonly [name: string, value: string];
type QueryEntries = readonly QueryEntry[];

interface AuthorizationHeader {
  readonly credential: string;
  readonly signedHeaders: string;
  readonly signature: string;
}

function parseAuthorizationHeader(value: string): AuthorizationHeader {
  const space = value.indexOf(' ');
  const algorithm = space === -1 ? value : value.slice(0, space);
  if (algorithm !== ALGORITHM) {
    if (algorithm === 'AWS')
      throw new InvalidRequestError('The authorization mechanism you have provided is not supported. Please use AWS4-HMAC-SHA256.');
    throw new InvalidArgumentError('Unsupported Authorization Type', 'Authorization', value);
  }
  const components = new Map<string, string>();
  for (const part of value.slice(space + 1).split(',')) {
    const trimmed = part.trim();
    const equals = trimmed.indexOf('=');
    if (equals <= 0 || components.has(trimmed.slice(0, equals))) {
      throw new AuthorizationHeaderMalformedError(
        `The authorization header is malformed; the authorization component "${trimmed}" is malformed.`,
      );
    }
    components.set(trimmed.slice(0, equals), trimmed.slice(equals + 1));
  }
  const get = (name: string): string => {
    const found = components.get(name);
    if (found === undefined || found === '') {
      throw new AuthorizationHeaderMalformedError(
        `The authorization header is malformed; the authorization header requires a '${name}' component.`,
      );
    }
    return found;
  };
  return { credential: get('Credential'), signedHeaders: get('SignedHeaders'), signature: get('Signature') };
}

/** The credential scope of a header-signed request: the form's rules, reported as S3 reports header errors. */
function headerScope(credential: string, region: string): { accessKeyId: string; shortDate: string } {
  try {
    return parseCredential(credential, region);
  } catch (error) {
    if (error instanceof AuthorizationQueryParametersError) {
      throw new AuthorizationHeaderMalformedError(
        error.message.replace('Error parsing the X-Amz-Credential parameter', 'The authorization header is malformed'),
        error.details,
      );
    }
    throw error;
  }
}

function parseAmzDate(text: string, fail: (message: string) => Error): Date {
  const match = AMZ_DATE.exec(text);
  const date =
    match === null
      ? undefined
      : new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3]), Number(match[4]), Number(match[5]), Number(match[6])));
  if (date === undefined || Number.isNaN(date.getTime()) || formatAmzDate(date) !== text) {
    throw fail(`X-Amz-Date must be in the ISO8601 Long Format "yyyyMMdd'T'HHmmss'Z'"`);
  }
  return date;
}

function formatAmzDate(date: Date): string {
  return date
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}Z$/, 'Z');
}

/** The signed header names: lower case, sorted, `host` among them, every one present in the request. */
function signedHeaderSet(list: string, headers: SignedRequestInput['headers'], fail: (message: string) => Error): Set<string> {
  const names = list.split(';');
  if (names.some((name) => name === '' || name !== name.toLowerCase()))
    throw fail('SignedHeaders must be lower-case header names separated by ";".');
  if (!names.includes('host')) throw fail("SignedHeaders must include 'host'.");
  const signed = new Set(names);
  // A signed header the request does not carry cannot be the value that was signed.
  for (const name of signed)
    if (single(headers[name]) === undefined) throw new AccessDeniedError(`The signed header ${name} is missing from the request.`);
  return signed;
}

/** S3 refuses x-amz-* headers the signature does not cover, so an unsigned one cannot change what is stored. */
function checkAllAmzHeadersSigned(headers: SignedRequestInput['headers'], signed: ReadonlySet<string>, exempt: ReadonlySet<string>): void {
  const unsigned = Object.keys(headers).filter((name) => name.startsWith('x-amz-') && !signed.has(name) && !exempt.has(name));
  if (unsigned.length > 0) throw new HeadersNotSignedError(unsigned.sort());
}

function payloadClaim(value: string): PayloadClaim {
  if (value === UNSIGNED_PAYLOAD) return { kind: 'unsigned' };
  if (value === 'STREAMING-UNSIGNED-PAYLOAD-TRAILER') return { kind: 'unsigned-chunked-trailer' };
  if (SHA256_HEX.test(value)) return { kind: 'sha256', hash: value };
  if (value.startsWith('STREAMING-')) {
    // Signed chunks (STREAMING-AWS4-HMAC-SHA256-PAYLOAD…) would each need their own check; the SDK does not send them here.
    throw new NotImplementedError('A header you provided implies functionality that is not implemented', 'x-amz-content-sha256');
  }
  throw new InvalidArgumentError(
    'x-amz-content-sha256 must be UNSIGNED-PAYLOAD, STREAMING-UNSIGNED-PAYLOAD-TRAILER, or a valid sha256 value.',
    'x-amz-content-sha256',
    value,
  );
}

/**
 * What the client signed, rebuilt for the signer: only the signed headers,
 * with their values as received; the path in S3's canonical encoding.
 */
function toSignable(
  input: SignedRequestInput,
  query: QueryEntries,
  signed: ReadonlySet<string>,
  presignPayloadHash: string | undefined,
): HttpRequest {
  const headers: Record<string, string> = {};
  for (const name of signed) headers[name] = joinedHeader(input.headers[name]);
  if (presignPayloadHash !== undefined && !signed.has('x-amz-content-sha256')) {
    // getPayloadHash reads this header; it is neither signed nor hoisted (see the options in verifyQuery).
    headers['x-amz-content-sha256'] = presignPayloadHash;
  }
  const queryObject: Record<string, string | string[]> = {};
  for (const [name, value] of query) {
    const existing = queryObject[name];
    queryObject[name] = existing === undefined ? value : Array.isArray(existing) ? [...existing, value] : [existing, value];
  }
  return {
    method: input.method,
    protocol: 'http:',
    hostname: single(input.headers.host) ?? '',
    path: canonicalPath(input.rawPath),
    query: queryObject,
    headers,
  };
}

/** S3's canonical URI: every segment decoded, then encoded once the RFC 3986 way. */
function canonicalPath(rawPath: string): string {
  return rawPath
    .split('/')
    .map((segment) => strictEncode(safeDecode(segment)))
    .join('/');
}

function strictEncode(text: string): string {
  return encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    throw new InvalidArgumentError('The request is not valid percent-encoded UTF-8.');
  }
}

/** Query entries, decoded; `+` is a literal plus, as S3 reads a signed query. */
function parseQuery(rawQuery: string): QueryEntries {
  if (rawQuery === '') return [];
  return rawQuery
    .split('&')
    .filter((part) => part !== '')
    .map((part) => {
      const equals = part.indexOf('=');
      return equals === -1 ? [safeDecode(part), ''] : [safeDecode(part.slice(0, equals)), safeDecode(part.slice(equals + 1))];
    });
}

/** The raw query without its authentication parameters, every other byte as sent. */
function serializeQuery(rawQuery: string): string {
  return rawQuery
    .split('&')
    .filter((part) => {
      if (part === '') return false;
      const name = safeDecode(part.split('=')[0] ?? '');
      return !(name.startsWith('X-Amz-') && AUTH_QUERY_PARAMS.has(name.toLowerCase()));
    })
    .join('&');
}

function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/** Repeated headers are signed as one, values joined by commas. */
function joinedHeader(value: string | string[] | undefined): string {
  return Array.isArray(value) ? value.join(',') : (value ?? '');
}
