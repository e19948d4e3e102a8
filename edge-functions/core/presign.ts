/**
 * The `/presign` decision, free of any transport: a request in, signed POST
 * forms out, or a typed error. Cheap header checks come first; the token is
 * verified before the body is read, so an anonymous caller learns nothing
 * about the rules; signing comes last.
 */
import type { EdgeConfig, SigningCredentials } from './edge-config';
import { InvalidRequestError, MethodNotAllowedError, UnauthorizedError, UnsupportedMediaTypeError } from './errors';
import { jsonResponse, type HttpResponse } from './http-response';
import { buildObjectKey } from './object-key';
import { parsePresignBody, type ValidFile } from './presign-request';
import { createPresignedPost } from './presigned-post';
import type { AccessTokenClaims, TokenVerifier } from './token-verifier';
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

export async function presign(request: PresignHttpRequest, deps: PresignDependencies): Promise<HttpResponse> {
  if (request.method !== 'POST') throw new MethodNotAllowedError(request.method, PRESIGN_METHODS);
  const token = bearerToken(request.headers.authorization);
  if (!JSON_MEDIA_TYPE.test(request.headers['content-type'] ?? '')) {
    throw new UnsupportedMediaTypeError('Send the request as Content-Type: application/json.');
  }

  const claims = await deps.verifier.verify(token);

  if (request.bodyTruncated) throw new InvalidRequestError('The request body is too large and was cut short.');
  if (request.body === undefined || request.body.length === 0) throw new InvalidRequestError('The request has no body.');
  const files = parsePresignBody(request.body, deps.rules);

  const now = deps.now();
  const credentials = deps.credentials();
  const uploads = files.map((file) => signUpload(file, claims, now, credentials, deps));
  return jsonResponse(200, { uploads });
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
    },
    contentLength: [file.size, file.size],
    credentials,
    now,
    ttlSeconds: config.policyTtlSeconds,
  });
  return { id, key, url: config.uploadUrl, fields: post.fields, expiresAt: post.expiresAt };
}
