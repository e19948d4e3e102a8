/**
 * The edge-config custom resource's errors. Each one fails the deployment
 * with its message (CloudFormation shows it as the resource's status
 * reason), so messages say what to fix and never carry a secret: this
 * resource handles no secrets, only public keys and resource ids.
 */

export type EdgeConfigResourceErrorCode =
  | 'INVALID_RESOURCE_PROPERTIES'
  | 'JWKS_UNAVAILABLE'
  | 'FUNCTION_PACKAGE_INVALID'
  | 'FUNCTION_NOT_READY';

export abstract class EdgeConfigResourceError extends Error {
  abstract readonly code: EdgeConfigResourceErrorCode;

  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** The custom resource's properties (written by the CDK app) are not what this handler expects. */
export class InvalidResourcePropertiesError extends EdgeConfigResourceError {
  readonly code = 'INVALID_RESOURCE_PROPERTIES';
}

/** The user pool's JWKS could not be fetched or is not a JWKS. */
export class JwksUnavailableError extends EdgeConfigResourceError {
  readonly code = 'JWKS_UNAVAILABLE';
  readonly url: string;

  constructor(url: string, reason: string) {
    super(`Cannot fetch the user pool's JWKS from ${url}: ${reason}`);
    this.url = url;
  }
}

/** The function's deployment package could not be downloaded, read or rewritten. */
export class FunctionPackageError extends EdgeConfigResourceError {
  readonly code = 'FUNCTION_PACKAGE_INVALID';
}

/** The function did not become ready (an update or publication failed or took too long). */
export class FunctionNotReadyError extends EdgeConfigResourceError {
  readonly code = 'FUNCTION_NOT_READY';
}
