/**
 * Builds the Lambda handler from its parts. index.ts calls this once at cold
 * start with the real config; tests call it with their own config, logger and
 * clock (the Cognito client is the real one, its `send` stubbed by
 * aws-sdk-client-mock).
 */
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import type { AuthGateway } from '../core/auth-gateway';
import type { AuthConfig } from '../core/config';
import { jsonLineLogger, type RequestLogger } from '../core/request-log';
import { createCognitoGateway } from '../cognito/cognito-gateway';
import { toAuthRequest, toProxyResult } from './api-gateway-event';
import { createAuthApp } from './auth-app';

export interface AuthHandlerOptions {
  readonly config: AuthConfig;
  /** @default the Cognito gateway, with its SDK client built now */
  readonly gateway?: AuthGateway;
  /** @default one JSON line per request on stdout */
  readonly logger?: RequestLogger;
  /** @default performance.now */
  readonly now?: () => number;
}

export type AuthHandler = (event: APIGatewayProxyEvent) => Promise<APIGatewayProxyResult>;

export function createAuthHandler(options: AuthHandlerOptions): AuthHandler {
  const app = createAuthApp({
    config: options.config,
    gateway: options.gateway ?? createCognitoGateway(options.config),
    logger: options.logger ?? jsonLineLogger(),
    now: options.now ?? (() => performance.now()),
  });
  return async (event) => toProxyResult(await app(toAuthRequest(event)));
}
