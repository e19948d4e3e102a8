/**
 * The presign decisions, free of any transport: a request in, signed POST
 * forms (or multipart or "your files" URLs) out, or a typed error. The route comes first (an
 * unknown path is 404 whatever else it carries), then the cheap header
 * checks; the token is verified before the body is read, so an anonymous
 * caller learns nothing about the rules; signing comes last.
 */
import type { EdgeConfig, SigningCredentials } from './edge-config';
import { InvalidRequestError, MethodNotAllowedError, NotFoundError, UnauthorizedError, UnsupportedMediaTypeError } from './errors';
import { jsonResponse, type HttpResponse } from './http-response';
import { buildObjectKey } from './object-key';
import { parsePresignBody, type ValidFile } from './presign-request';
import { signPartUrls, startMultipart } from './multipart';
import { createPresignedPost } from './presigned-post';
import type { AccessTokenClaims, TokenVerifier } from './token-verifier';
import { signFileAccess, signFileList } from './user-files';
import type { UploadRules } from './upload-rules';

export interface PresignHttpRequest {
  readonly method: string;
  /** Lower-case header names; the first value of each. */
  readonly headers: Readonly<Record<string, string | undefined>>;
  /** The body as text, or undefined when the request had none. */
  readonly body: string | undefined;
  /** The edge cut the body short (CloudFront passes at most 40 KB to Lambda@Edge). */
  readonly bodyTruncated: boolean;
}

/** A request as the edge received it, path included (querystring ignored: no route reads one). */
export interface EdgeHttpRequest extends PresignHttpRequest {
  readonly uri: string;
}

export const PRESIGN_ROUTES = [
  '/presign',
  '/presign/multipart',
  '/presign/multipart/parts',
  '/presign/files',
  '/presign/files/access',
] as const;
export type PresignRoute = (typeof PRESIGN_ROUTES)[number];

/**
 * What a log line may call a request's path: one of the routes, or the class
 * of a path that is not one (never the attacker-chosen path itself).
 */
export function routeLabel(uri: string): PresignRoute | '/presign/*' | 'other' {
  const route = PRESIGN_ROUTES.find((candidate) => candidate === uri);
  if (route !== undefined) return route;
  return uri.startsWith('/presign/') ? '/presign/*' : 'other';
}

/** Every request that reaches the presign function: exact routes only, anything else 404 NOT_FOUND. */
export async function routePresignRequest(request: EdgeHttpRequest, deps: PresignDependencies): Promise<HttpResponse> {
  switch (routeLabel(request.uri)) {
    case '/presign':
      return presign(request, deps);
    case '/presign/multipart':
      return withVerifiedBody(request, deps, (body, claims) => startMultipart(body, claims, deps));
    case '/presign/multipart/parts':
      return withVerifiedBody(request, deps, (body, claims) => signPartUrls(body, claims, deps));
    case '/presign/files':
      return withVerifiedBody(request, deps, (body, claims) => signFileList(body, claims, deps));
    case '/presign/files/access':
      return withVerifiedBody(request, deps, (body, claims) => signFileAccess(body, claims, deps));
    default:
      throw new NotFoundError();
  }
}

export interface PresignDependencies {
  readonly config: EdgeConfig;
  readonly rules: UploadRules;
  readonly verifier: TokenVerifier;
  readonly credentials: () => SigningCredentials;
  readonly now: () => Date;
  readonly newId: () => string;
}

export interface PresignedUpload {
  readonly id: string;
  readonly key: string;
  readonly url: string;
  readonly fields: Record<string, string>;
  readonly expiresAt: string;
}

export const PRESIGN_METHODS = ['POST'] as const;

/** `Bearer <header>.<payload>.<signature>`; a JWT is base64url only. */
const BEARER = /^Bearer +([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*)$/i;
/** Cognito access tokens are ~1 KB; anything far larger is not one. */
const MAX_TOKEN_LENGTH = 8192;
const JSON_MEDIA_TYPE = /^application\/json\s*(;.*)?$/i;

/** `POST /presign`: signed POST forms. */
export async function presign(request: PresignHttpRequest, deps: PresignDependencies): Promise<HttpResponse> {
  return withVerifiedBody(request, deps, (body, claims) => {
    const files = parsePresignBody(body, deps.rules);
    const now = deps.now();
    const credentials = deps.credentials();
    const uploads = files.map((file) => signUpload(file, claims, now, credentials, deps));
    return jsonResponse(200, { uploads });
  });
}

/** The checks every route shares, in their order: method, token shape, media type, token, body. */
async function withVerifiedBody(
  request: PresignHttpRequest,
  deps: PresignDependencies,
  route: (body: string, claims: AccessTokenClaims) => HttpResponse,
): Promise<HttpResponse> {
  if (request.method !== 'POST') throw new MethodNotAllowedError(request.method, PRESIGN_METHODS);
  const token = bearerToken(request.headers.authorization);
  if (!JSON_MEDIA_TYPE.test(request.headers['content-type'] ?? '')) {
    throw new UnsupportedMediaTypeError('Send the request as Content-Type: application/json.');
  }

  const claims = await deps.verifier.verify(token);

  if (request.bodyTruncated) throw new InvalidRequestError('The request body is too large and was cut short.');
  if (request.body === undefined || request.body.length === 0) throw new InvalidRequestError('The request has no body.');
  return route(request.body, claims);
}

function bearerToken(header: string | undefined): string {
  if (header === undefined) throw new UnauthorizedError('no Authorization header');
  if (header.length > MAX_TOKEN_LENGTH) throw new UnauthorizedError('Authorization header too long');
  const match = BEARER.exec(header.trim());
  if (match === null || match[1] === undefined) throw new UnauthorizedError('Authorization is not a Bearer JWT');
  return match[1];
}

function signUpload(
  file: ValidFile,
  claims: AccessTokenClaims,
  now: Date,
  credentials: SigningCredentials,
  deps: PresignDependencies,
): PresignedUpload {
  const { config, rules } = deps;
  const id = file.id ?? deps.newId();
  const key = buildObjectKey({ prefix: rules.keyPrefix, sub: claims.sub, now, id, safeName: file.safeName });
  const post = createPresignedPost({
    bucket: config.bucket,
    region: config.region,
    key,
    fields: {
      'Content-Type': file.type,
      'x-amz-meta-userid': claims.sub,
      success_action_status: '201',
      'x-amz-server-side-encryption': 'aws:kms',
      'x-amz-server-side-encryption-aws-kms-key-id': config.kmsKeyId,
      // Bound exactly: S3 then refuses any other bytes (docs/post-policy-and-keys.md "Integrity").
      ...(file.md5 === undefined ? {} : { 'Content-MD5': file.md5 }),
    },
    contentLength: [file.size, file.size],
    credentials,
    now,
    ttlSeconds: config.policyTtlSeconds,
  });
  return { id, key, url: config.uploadUrl, fields: post.fields, expiresAt: post.expiresAt };
}
