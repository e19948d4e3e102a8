/**
 * SigV4 authentication of a browser POST (AWS "Authenticating Requests:
 * Browser-Based Uploads Using POST"): the form carries the base64 policy,
 * X-Amz-Algorithm, X-Amz-Credential (<key id>/<yyyymmdd>/<region>/s3/aws4_request),
 * X-Amz-Date, and X-Amz-Signature = hex(HMAC-SHA256(signing key, policy)).
 * The signing key is derived by the project's own edge-functions/core/sigv4.ts, the same code
 * the edge signs with; the comparison is constant-time.
 */
import { timingSafeEqual } from 'node:crypto';
import { signHex, signingKey, SIGV4_ALGORITHM } from '../../../edge-functions/core/sigv4';
import {
  AccessDeniedError,
  AuthorizationQueryParametersError,
  InvalidAccessKeyIdError,
  InvalidArgumentError,
  InvalidTokenError,
  SignatureDoesNotMatchError,
} from './errors';
import type { FormFields } from './form-fields';

export interface GuardCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  /** Set for temporary credentials: the form must then carry the same x-amz-security-token. */
  readonly sessionToken?: string | undefined;
}

export interface SignatureConfig {
  readonly credentials: GuardCredentials;
  readonly region: string;
}

const SERVICE = 's3';
const TERMINATOR = 'aws4_request';
const AMZ_DATE = /^(\d{8})T\d{6}Z$/;
const SHORT_DATE = /^\d{8}$/;

/** The base64 policy text, once its signature has been checked. */
export function verifyPolicySignature(fields: FormFields, config: SignatureConfig): string {
  const policy = fields.get('policy');
  const signature = fields.get('x-amz-signature');
  if (policy === undefined) {
    // Without a policy the upload is anonymous, and no bucket here is public-write.
    throw new AccessDeniedError('Access Denied');
  }
  const algorithm = required(fields, 'x-amz-algorithm');
  const credential = required(fields, 'x-amz-credential');
  const date = required(fields, 'x-amz-date');
  if (signature === undefined) throw missingField('x-amz-signature');

  if (algorithm !== SIGV4_ALGORITHM) {
    throw new InvalidArgumentError(`X-Amz-Algorithm only supports "${SIGV4_ALGORITHM}"`, 'x-amz-algorithm', algorithm);
  }
  const scope = parseCredential(credential, config.region);
  const amzDate = AMZ_DATE.exec(date);
  if (amzDate === null) {
    throw new AuthorizationQueryParametersError(`X-Amz-Date must be in the ISO8601 Long Format "yyyyMMdd'T'HHmmss'Z'"`);
  }
  if (amzDate[1] !== scope.shortDate) {
    throw new AuthorizationQueryParametersError(
      `Invalid credential date "${scope.shortDate}". This date is not the same as X-Amz-Date: "${amzDate[1] ?? ''}".`,
    );
  }
  if (scope.accessKeyId !== config.credentials.accessKeyId) throw new InvalidAccessKeyIdError(scope.accessKeyId);
  checkSecurityToken(fields.get('x-amz-security-token'), config.credentials.sessionToken, scope.accessKeyId);

  const expected = signHex(signingKey(config.credentials.secretAccessKey, scope.shortDate, config.region, SERVICE), policy);
  if (!constantTimeEqual(expected, signature)) throw new SignatureDoesNotMatchError(scope.accessKeyId, policy, signature);
  return policy;
}

export interface CredentialScope {
  readonly accessKeyId: string;
  readonly shortDate: string;
}

export function parseCredential(credential: string, region: string): CredentialScope {
  const parts = credential.split('/');
  if (parts.length !== 5 || parts.some((part) => part === '')) {
    throw new AuthorizationQueryParametersError(
      'Error parsing the X-Amz-Credential parameter; the Credential is mal-formed; expecting "<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/aws4_request".',
    );
  }
  const [accessKeyId, shortDate, credentialRegion, service, terminator] = parts as [string, string, string, string, string];
  if (!SHORT_DATE.test(shortDate)) {
    throw new AuthorizationQueryParametersError(
      `Error parsing the X-Amz-Credential parameter; incorrect date format "${shortDate}". This date in the credential must be in the format "yyyyMMdd".`,
    );
  }
  if (credentialRegion !== region) {
    throw new AuthorizationQueryParametersError(
      `Error parsing the X-Amz-Credential parameter; the region '${credentialRegion}' is wrong; expecting '${region}'`,
      [['Region', region]],
    );
  }
  if (service !== SERVICE) {
    throw new AuthorizationQueryParametersError(
      `Error parsing the X-Amz-Credential parameter; incorrect service "${service}". This endpoint belongs to "${SERVICE}".`,
    );
  }
  if (terminator !== TERMINATOR) {
    throw new AuthorizationQueryParametersError(
      `Error parsing the X-Amz-Credential parameter; incorrect terminal "${terminator}". This endpoint uses "${TERMINATOR}".`,
    );
  }
  return { accessKeyId, shortDate };
}

/**
 * Temporary credentials need their session token in the form (and, like any
 * field, in the policy); long-term credentials must not carry one. S3 answers
 * a key without its token as an unknown key.
 */
export function checkSecurityToken(sent: string | undefined, expected: string | undefined, accessKeyId: string): void {
  if (expected === undefined) {
    if (sent !== undefined) throw new InvalidTokenError();
    return;
  }
  if (sent === undefined) throw new InvalidAccessKeyIdError(accessKeyId);
  if (!constantTimeEqual(expected, sent)) throw new InvalidTokenError();
}

export function constantTimeEqual(expected: string, provided: string): boolean {
  const a = Buffer.from(expected, 'utf8');
  const b = Buffer.from(provided, 'utf8');
  // timingSafeEqual needs equal lengths; compare against itself so a short
  // guess costs the same time as a full one.
  if (a.length !== b.length) return !timingSafeEqual(a, a);
  return timingSafeEqual(a, b);
}

function required(fields: FormFields, name: string): string {
  const value = fields.get(name);
  if (value === undefined) throw missingField(name);
  return value;
}

function missingField(name: string): InvalidArgumentError {
  return new InvalidArgumentError(
    `Bucket POST must contain a field named '${name}'.  If it is specified, please check the order of the fields.`,
    name,
    '',
  );
}
