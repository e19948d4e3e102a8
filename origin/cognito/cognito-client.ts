/**
 * The Cognito SDK client, built once per cold start from the validated config.
 * Credentials come from the SDK's default chain (on Lambda, the function's
 * role); `endpoint` is set only for the local stack (cognito-local).
 */
import { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import type { CognitoClientSettings } from '../core/config';

/** A refused or silent TCP connect fails fast, so a dead endpoint is a quick 503, not a Lambda timeout. */
const CONNECTION_TIMEOUT_MS = 1000;

export function createCognitoClient(settings: CognitoClientSettings): CognitoIdentityProviderClient {
  return new CognitoIdentityProviderClient({
    region: settings.region,
    ...(settings.endpoint === undefined ? {} : { endpoint: settings.endpoint }),
    maxAttempts: settings.maxAttempts,
    requestHandler: {
      connectionTimeout: CONNECTION_TIMEOUT_MS,
      requestTimeout: settings.requestTimeoutMs,
    },
  });
}
