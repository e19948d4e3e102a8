/**
 * The AuthLambda behind API Gateway (REST, proxy integration) for /auth/*.
 * Config and the Cognito client are built once, here, at cold start; a bad
 * environment throws AuthConfigError now, failing the cold start with a
 * message that names every bad variable.
 */
import { parseAuthConfig } from '../core/config';
import { createAuthHandler } from './handler';

export const handler = createAuthHandler({ config: parseAuthConfig(process.env) });
